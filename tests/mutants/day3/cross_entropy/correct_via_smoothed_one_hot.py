import torch
import torch.nn.functional as F


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Class indices become a smoothed one-hot distribution: -sum_c w_c q_c log_p_c covers both
    the (1 - eps) w_y term and the (eps / C) sum_c w_c term at once."""
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    log_p = F.log_softmax(input, dim=class_dim)
    w = torch.ones(n_classes, dtype=input.dtype) if weight is None else weight
    w_b = w.reshape([-1] + [1] * (input.dim() - class_dim - 1))
    if target.is_floating_point():
        q = target * (1 - label_smoothing) + label_smoothing / n_classes
        denominator = log_p.numel() / n_classes
    else:
        keep = target != ignore_index
        safe = target.masked_fill(~keep, 0)
        q = F.one_hot(safe, n_classes).movedim(-1, class_dim).to(input.dtype)
        q = q * keep.unsqueeze(class_dim)
        denominator = (w[safe] * keep).sum()
        # an ignored position keeps a target row of zeros, smoothing included
        q = q * (1 - label_smoothing) + keep.unsqueeze(class_dim).to(input.dtype) * (label_smoothing / n_classes)
    loss = -(q * log_p * w_b).sum(class_dim)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / denominator
