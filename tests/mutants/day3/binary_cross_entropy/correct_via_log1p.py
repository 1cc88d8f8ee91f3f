import torch


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    floor = torch.tensor(-100.0, dtype=input.dtype)
    log_p = torch.maximum(torch.log(input), floor)
    log_not_p = torch.maximum(torch.log1p(-input), floor)
    loss = -torch.lerp(log_not_p, log_p, target)  # (1 - y) * a + y * b
    if weight is not None:
        loss = weight * loss
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / loss.numel()
