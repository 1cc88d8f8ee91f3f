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
        return loss.mean()  # batchmean treated like mean: divides by every element
    return loss.mean()
