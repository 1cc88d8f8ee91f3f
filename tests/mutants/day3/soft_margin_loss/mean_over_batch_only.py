import torch


def soft_margin_loss(input, target, reduction="mean"):
    z = -input * target
    loss = z.clamp_min(0) + torch.log1p(torch.exp(-z.abs()))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / (input.shape[0] if input.dim() else 1)  # divides by the batch size only
