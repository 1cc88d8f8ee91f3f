import torch


def soft_margin_loss(input, target, reduction="mean"):
    # log(1 + exp(-y x)) = -log(sigmoid(y x)), and logsigmoid is computed stably
    loss = -torch.nn.functional.logsigmoid(input * target)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
