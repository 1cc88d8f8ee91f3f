import torch


def margin_ranking_loss(input1, input2, target, margin=0, reduction="mean"):
    loss = torch.relu(margin - target * (input1 - input2))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
