import torch


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    similar = (target == 1).to(input.dtype)
    loss = similar * input + (1 - similar) * torch.relu(margin - input)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
