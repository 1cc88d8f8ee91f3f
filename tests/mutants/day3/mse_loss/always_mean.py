def mse_loss(input, target, reduction="mean", weight=None):
    loss = (input - target) ** 2
    if weight is not None:
        return (loss * weight).sum() / weight.sum()
    return loss.mean()
