def mse_loss(input, target, reduction="mean", weight=None):
    loss = (input - target) ** 2
    if weight is not None:
        weight = weight.detach()  # treated as a constant, but torch differentiates w.r.t. weight
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
