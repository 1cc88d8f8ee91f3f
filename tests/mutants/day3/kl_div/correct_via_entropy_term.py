import torch


def kl_div(input, target, reduction="mean", log_target=False):
    """KL = cross-entropy minus entropy, the entropy from torch.special.entr (-p log p, 0 at 0)."""
    p = target.exp() if log_target else target
    neg_entropy = p * target if log_target else -torch.special.entr(target)
    loss = neg_entropy - p * input
    if reduction == "mean":
        return loss.mean()
    if reduction == "batchmean":
        return loss.sum() / (input.size(0) if input.dim() else 1)
    return loss.sum() if reduction == "sum" else loss
