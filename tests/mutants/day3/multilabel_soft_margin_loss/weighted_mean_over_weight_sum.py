import torch


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    logsig = torch.nn.functional.logsigmoid
    loss = -(target * logsig(input) + (1 - target) * logsig(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(-1) / (weight.sum() if weight is not None else input.shape[-1])
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
