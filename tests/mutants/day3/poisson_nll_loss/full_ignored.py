import math

import torch


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    if log_input:
        loss = torch.exp(input) - target * input
    else:
        loss = input - target * torch.log(input + eps)
    if False:  # forgot the full flag
        counted = target > 1
        safe = torch.where(counted, target, torch.ones_like(target))
        stirling = safe * torch.log(safe) - safe + 0.5 * torch.log(2 * math.pi * safe)
        loss = loss + torch.where(counted, stirling, torch.zeros_like(stirling))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
