import torch


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    def softplus(z):
        return z.clamp(min=0) + torch.log1p(torch.exp(-z.abs()))

    loss = target * softplus(-input) + (1 - target) * softplus(input)
    if pos_weight is not None:
        loss = loss * pos_weight
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
