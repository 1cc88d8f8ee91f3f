def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    x, y = input.float(), target.float()
    loss = -(y * x.log().clamp(min=-100) + (1 - y) * (1 - x).log().clamp(min=-100))
    loss = loss.to(input.dtype)
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
