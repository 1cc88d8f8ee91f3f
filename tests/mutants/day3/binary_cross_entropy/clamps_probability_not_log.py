def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    eps = 1e-7
    x = input.clamp(eps, 1 - eps)
    loss = -(target * x.log() + (1 - target) * (1 - x).log())
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
