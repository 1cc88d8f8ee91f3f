import torch


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Cross-entropy between raw, unnormalised scores (logits) and a target class.

    ``input`` holds logits, not probabilities. Along the class dimension, they are turned into
    log-probabilities with a numerically stable log-softmax:

        log_p[c] = input[c] - log(sum_j exp(input[j]))

    Computing ``log(softmax(x))`` literally overflows: ``exp(1e4)`` is ``inf``. Subtract the
    largest logit first (or use ``torch.logsumexp`` / ``Tensor.log_softmax``).

    Shapes (C = number of classes):
        input: ``(C,)`` (one sample), ``(N, C)`` or ``(N, C, d1, ..., dk)``. The class dimension
            is dim 0 for a 1-d input and dim 1 otherwise.
        target, either
            * class indices: an integer tensor of shape ``()``, ``(N,)`` or ``(N, d1, ..., dk)``
              (the input's shape without the class dimension), values in ``[0, C)`` or
              ``ignore_index``; or
            * class probabilities: a floating-point tensor of the *same shape as input*, each
              position holding a distribution over the C classes.
        result: with reduction='none', the input's shape without the class dimension
            (``()``, ``(N,)`` or ``(N, d1, ..., dk)``); otherwise a 0-dimensional tensor.

    Class-index targets: the loss at a position with target class ``y`` is

        l = -w[y] * log_p[y]          (w[y] = 1 without a weight)

    and a position whose target equals ``ignore_index`` has loss 0 and counts for nothing.
    Class-probability targets ``q``: ``l = -sum_c w[c] * q[c] * log_p[c]``.

    Parameters:
        weight: optional 1-d tensor of C per-class weights (default None: all ones).
        ignore_index: target value that marks positions to skip (default -100); only for
            class-index targets. It may even be a valid class number: those positions are skipped.
        reduction: 'none' returns the per-position losses; 'sum' their sum; 'mean' (default):
            * class-index targets: the sum divided by the total weight of the positions that are
              not ignored, ``sum over kept positions of w[y]`` (their count without a weight).
              If every position is ignored this is 0/0, and torch returns NaN.
            * class-probability targets: the sum divided by the number of positions
              (``input.numel() / C``), whatever the weights.
        label_smoothing: a float ``eps`` in [0, 1] (default 0.0). The target is mixed with the
            uniform distribution: ``(1 - eps) * target + eps / C``.
            * class-index targets: ``l = (1 - eps) * (-w[y] * log_p[y])
              + (eps / C) * sum_c (-w[c] * log_p[c])``. Note the smoothing term weights each
              class by its own weight ``w[c]``, while the 'mean' denominator stays the total
              ``w[y]`` of the kept positions. Ignored positions are still 0.
            * class-probability targets: replace ``q`` by ``(1 - eps) * q + eps / C``.

    Returns a tensor of the input's dtype. Use only elementary tensor operations (no
    ``torch.nn.functional`` losses; ``log_softmax``/``logsumexp`` are fine): gradients must
    flow back to ``input`` (and to ``target`` when it holds probabilities).
    """
    # BEGIN SOLUTION
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    log_p = input.log_softmax(class_dim)
    # Per-class weights laid along the class dimension, so they broadcast over d1..dk.
    class_w = None if weight is None else weight.reshape([-1] + [1] * (input.dim() - class_dim - 1))

    if target.is_floating_point():
        q = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = -q * log_p if class_w is None else -q * log_p * class_w
        loss = terms.sum(class_dim)
        if reduction == "none":
            return loss
        return loss.sum() if reduction == "sum" else loss.mean()

    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))  # any valid class; zeroed below
    picked = -log_p.gather(class_dim, safe_target.unsqueeze(class_dim)).squeeze(class_dim)
    target_w = keep.to(input.dtype) if weight is None else weight[safe_target] * keep
    loss = picked * target_w
    if label_smoothing > 0:
        smooth = -(log_p if class_w is None else log_p * class_w).sum(class_dim)
        loss = (1 - label_smoothing) * loss + (label_smoothing / n_classes) * smooth * keep
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / target_w.sum()
    # END SOLUTION
