import torch
import torch.nn.functional as F


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    # Move classes last, select with a one-hot mask, and weight each sample by its class.
    classes = input.shape[0] if input.dim() == 1 else input.shape[1]
    scores = input if input.dim() == 1 else input.movedim(1, -1)
    keep = target != ignore_index
    onehot = F.one_hot(target.masked_fill(~keep, 0), classes).to(input.dtype)
    class_weight = torch.ones(classes, dtype=input.dtype) if weight is None else weight
    w = (onehot * class_weight).sum(-1) * keep
    loss = -(onehot * scores).sum(-1) * w
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / w.sum()
