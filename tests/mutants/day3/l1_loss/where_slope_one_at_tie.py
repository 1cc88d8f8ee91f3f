import torch


def l1_loss(input, target, reduction="mean", weight=None):
    diff = input - target
    loss = torch.where(diff >= 0, diff, -diff)
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
