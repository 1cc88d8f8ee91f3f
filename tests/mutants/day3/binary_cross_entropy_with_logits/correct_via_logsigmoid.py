import torch.nn.functional as F


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    # log(1 - sigmoid(x)) = log(sigmoid(-x)); F.logsigmoid is stable on both sides.
    log_weight = 1 + (pos_weight - 1) * target if pos_weight is not None else 1
    loss = (1 - target) * input - log_weight * F.logsigmoid(input)
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
