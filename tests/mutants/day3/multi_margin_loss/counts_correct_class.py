import torch


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    scores = input.reshape(-1, input.shape[-1])
    labels = target.reshape(-1, 1)
    correct = scores.gather(1, labels)
    hinge = (margin - correct + scores).clamp_min(0) ** p
    if weight is not None:
        hinge = hinge * weight[labels]
    loss = (hinge.sum(1) / scores.shape[1]).reshape(target.shape)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()

