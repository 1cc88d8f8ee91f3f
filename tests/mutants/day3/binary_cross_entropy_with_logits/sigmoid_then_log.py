import torch


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    p = torch.sigmoid(input)
    positive = -target * torch.log(p)
    if pos_weight is not None:
        positive = positive * pos_weight
    loss = positive - (1 - target) * torch.log(1 - p)
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
