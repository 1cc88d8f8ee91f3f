def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    loss = -(target * input.log() + (1 - target) * (1 - input).log())
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
