def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    loss = -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100))
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.expand_as(loss).sum()
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
