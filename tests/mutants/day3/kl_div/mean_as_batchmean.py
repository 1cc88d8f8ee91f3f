import torch


def kl_div(input, target, reduction="mean", log_target=False):
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        safe_target = torch.where(positive, target, torch.ones_like(target))
        loss = torch.where(positive, target * (safe_target.log() - input), 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() > 0 else loss.sum()
    return loss.sum() / input.shape[0] if input.dim() > 0 else loss.sum()  # mean treated like batchmean
