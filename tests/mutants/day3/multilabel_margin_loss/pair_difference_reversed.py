import torch


def multilabel_margin_loss(input, target, reduction="mean"):
    scores = input.reshape(-1, input.shape[-1])
    labels = target.reshape(scores.shape)
    listed = (labels >= 0).long().cumprod(1).bool()
    safe = labels.clamp_min(0)
    is_target = torch.zeros_like(safe).scatter_add(1, safe, listed.long()) > 0
    target_scores = scores.gather(1, safe)
    pairs = (1 + target_scores.unsqueeze(2) - scores.unsqueeze(1)).clamp_min(0)
    counted = listed.unsqueeze(2) & ~is_target.unsqueeze(1)
    pairs = torch.where(counted, pairs, torch.zeros_like(pairs))
    loss = (pairs.sum((1, 2)) / scores.shape[1]).reshape(input.shape[:-1])
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()

