import torch


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    diff = (input - target).abs()
    if beta == 0:
        loss = diff
    else:
        loss = torch.where(diff < beta, 0.5 * diff**2 / beta, diff - beta)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
