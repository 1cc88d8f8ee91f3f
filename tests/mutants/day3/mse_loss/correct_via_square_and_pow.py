import torch


def mse_loss(input, target, reduction="mean", weight=None):
    diff = input - target
    loss = diff * diff
    w = torch.ones_like(loss) if weight is None else weight
    if reduction == "none":
        return loss * w if weight is not None else loss
    total = (loss * w).sum()
    if reduction == "sum":
        return total
    return total / w.sum()
