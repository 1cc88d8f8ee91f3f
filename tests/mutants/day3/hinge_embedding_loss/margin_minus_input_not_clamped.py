import torch


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    hinge = margin - input
    loss = torch.where(target == 1, input, hinge)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
