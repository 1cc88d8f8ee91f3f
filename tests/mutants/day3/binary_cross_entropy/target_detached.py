def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    target = target.detach()  # "labels are constants"
    loss = -(target * input.log().clamp(min=-100) + (1 - target) * (1 - input).log().clamp(min=-100))
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
