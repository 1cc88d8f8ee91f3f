import math

import torch


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    if log_input:
        loss = torch.exp(input) - target * input
    else:
        loss = input - target * torch.log(input + eps)
    if full:
        # clamping at 1 keeps every log finite; the mask then drops the term where target <= 1
        t = target.clamp_min(1)
        term = t * torch.log(t) - t + 0.5 * torch.log(2 * math.pi * t)
        loss = loss + term * (target > 1).to(term.dtype)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
