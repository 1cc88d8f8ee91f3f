def l1_loss(input, target, reduction="mean", weight=None):
    loss = (input - target) ** 2
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
