def margin_ranking_loss(input1, input2, target, margin=0, reduction="mean"):
    loss = (-target * (input1 - input2) - margin).clamp_min(0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
