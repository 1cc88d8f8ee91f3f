def l1_loss(input, target, reduction="mean", weight=None):
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    return loss.mean() if reduction == "mean" else loss.sum()
