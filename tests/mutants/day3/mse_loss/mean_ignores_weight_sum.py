import torch


def mse_loss(input, target, reduction="mean", weight=None):
    loss = (input - target) ** 2
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()  # divides by the element count even when weighted
