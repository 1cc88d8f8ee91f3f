import torch


def cosine_embedding_loss(input1, input2, target, margin=0, reduction="mean"):
    dot = (input1 * input2).sum(-1)
    norms = ((input1 * input1).sum(-1) + 1e-12) * ((input2 * input2).sum(-1) + 1e-12)
    cos = dot / norms.sqrt()
    loss = torch.where(target == 1, 1 - cos, cos - margin)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
