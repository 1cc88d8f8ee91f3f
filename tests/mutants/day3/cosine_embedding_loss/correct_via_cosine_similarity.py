import torch


def cosine_embedding_loss(input1, input2, target, margin=0, reduction="mean"):
    cos = torch.nn.functional.cosine_similarity(input1, input2, dim=-1)
    loss = torch.where(target == 1, 1 - cos, (cos - margin).clamp_min(0))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
