def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    # q = min(|d|, delta): q * (|d| - q/2) is 0.5 d^2 inside the threshold and
    # delta * (|d| - delta/2) outside it, with no branch at all.
    diff = (input - target).abs()
    q = diff.clamp(max=delta)
    loss = q * (diff - 0.5 * q)
    if weight is not None:
        loss = weight * loss
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / loss.numel()
