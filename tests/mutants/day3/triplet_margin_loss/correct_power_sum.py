import math

import torch


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    def distance(x, y):
        diff = (x - y + eps).abs()
        if math.isinf(p):
            return diff.amax(-1)
        return diff.pow(p).sum(-1).pow(1.0 / p)

    d_ap = distance(anchor, positive)
    d_an = distance(anchor, negative)
    d_neg = torch.where(d_an < distance(positive, negative), d_an, distance(positive, negative)) if swap else d_an
    loss = torch.relu(d_ap - d_neg + margin)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
