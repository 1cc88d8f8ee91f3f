import torch


def kl_div(input, target, reduction="mean", log_target=False):
    """xlogy gives 0 * log(0) = 0 by definition; batchmean as a division by len(input)."""
    if log_target:
        loss = torch.exp(target) * target - torch.exp(target) * input
    else:
        loss = torch.xlogy(target, target) - target * input
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum" or (reduction == "batchmean" and input.dim() == 0):
        return total
    if reduction == "batchmean":
        return total / len(input)
    return total / loss.numel()
