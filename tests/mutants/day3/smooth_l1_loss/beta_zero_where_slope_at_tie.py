import torch


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    d = input - target
    if beta == 0:
        loss = torch.where(d >= 0, d, -d)
    else:
        diff = d.abs()
        loss = torch.where(diff < beta, 0.5 * diff**2 / beta, diff - 0.5 * beta)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
