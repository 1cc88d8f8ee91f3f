import torch


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """log-probabilities as x - logsumexp(x), class weights as a gathered vector, masks by where."""
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    log_p = input - torch.logsumexp(input, dim=class_dim, keepdim=True)
    w = torch.ones(n_classes, dtype=input.dtype) if weight is None else weight
    w_b = w.reshape([-1] + [1] * (input.dim() - class_dim - 1))
    if target.is_floating_point():
        q = (1 - label_smoothing) * target + label_smoothing / n_classes
        loss = -(q * log_p * w_b).sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.numel() // n_classes)
        return loss.sum() if reduction == "sum" else loss
    keep = target != ignore_index
    idx = target.masked_fill(~keep, 0)
    nll = -torch.take_along_dim(log_p, idx.unsqueeze(class_dim), dim=class_dim).squeeze(class_dim)
    smooth = -(log_p * w_b).sum(class_dim)
    per = (1 - label_smoothing) * w[idx] * nll + label_smoothing / n_classes * smooth
    zero = torch.zeros((), dtype=input.dtype)
    loss = torch.where(keep, per, zero)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / torch.where(keep, w[idx], zero).sum()
