import torch


def l1_loss(input, target, reduction="mean", weight=None):
    diff = input - target
    loss = diff * torch.sign(diff)
    if weight is None:
        weight = torch.ones_like(loss)
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.expand_as(loss).sum()
