def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    # q = min(|d|, beta): q * (|d| - q/2) / beta is the quadratic piece inside the threshold
    # and |d| - beta/2 outside it; beta = 0 leaves q = 0, so fall back to |d| there.
    diff = (input - target).abs()
    if beta > 0:
        q = diff.clamp(max=beta)
        loss = q * (diff - 0.5 * q) / beta
    else:
        loss = diff
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / loss.numel()
