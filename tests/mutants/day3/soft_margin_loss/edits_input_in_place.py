import torch


def soft_margin_loss(input, target, reduction="mean"):
    z = input.detach().mul_(-1) * target  # negates the caller's tensor through shared storage
    z = -input * target
    loss = z.clamp_min(0) + torch.log1p(torch.exp(-z.abs()))
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
