import torch


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    # BCE with logits: max(x, 0) - x * t + log(1 + exp(-|x|))
    loss = input.clamp_min(0) - input * target + torch.log1p(torch.exp(-input.abs()))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(-1) / input.shape[-1]
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
