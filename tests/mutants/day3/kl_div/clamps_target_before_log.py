import torch


def kl_div(input, target, reduction="mean", log_target=False):
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # 0 * log(eps) is 0, but probabilities below eps get the wrong gradient
        loss = target * (target.clamp_min(1e-8).log() - input)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() > 0 else loss.sum()
    return loss.mean()
