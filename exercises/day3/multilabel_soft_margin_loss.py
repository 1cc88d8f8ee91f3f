import torch


def multilabel_soft_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Multi-label one-versus-all logistic loss: C independent yes/no decisions per sample.

    For a sample with scores ``x`` (C classes) and targets ``y`` in [0, 1] (1: the label is
    present), each class costs the binary cross-entropy of ``sigmoid(x_c)`` against ``y_c``,

        l_c = -(y_c * log(sigmoid(x_c)) + (1 - y_c) * log(sigmoid(-x_c)))

    optionally multiplied by ``weight_c``, and the sample's loss is the MEAN over its C classes:

        L_n = (1 / C) * sum_c weight_c * l_c          (weight_c = 1 without a weight)

    Shapes: ``input`` is (N, C) or unbatched (C,); ``target`` has the same shape (floating point,
    usually 0/1, fractional values allowed). ``weight`` is a tensor broadcastable to ``input``,
    typically (C,). The class dimension is always the LAST one.

    Parameters:
        input: raw scores (logits), any real numbers.
        target: per-class targets in [0, 1].
        weight: optional per-class rescaling (default None).
        reduction: applied to the per-sample losses ``L`` of shape (N,) (a 0-dimensional tensor
            for unbatched input): 'none' returns ``L``; 'sum' returns ``L.sum()``; 'mean' (the
            default) returns ``L.mean()``. The division by C always happens, and a weight does
            not change any denominator.

    Numerics: scores of magnitude 100 and more are graded; ``log(sigmoid(x))`` underflows to
    ``log(0)``; use ``torch.nn.functional.logsigmoid`` (or ``-softplus(-x)`` written stably).

    Returns a tensor of the input's dtype; gradients must flow back to ``input``, ``target`` and
    ``weight``.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
