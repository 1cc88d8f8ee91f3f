import torch


def kl_div(input, target, reduction="mean", log_target=False):
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # log(P / exp(log Q)): exp underflows to 0 for very negative log-probabilities
        loss = torch.where(target > 0, target * torch.log(target / input.exp()), 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() > 0 else loss.sum()
    return loss.mean()
