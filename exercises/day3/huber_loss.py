import torch


def huber_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Huber loss: squared error for small differences, delta-scaled absolute error for large ones.

    With ``d_i = input_i - target_i``, the per-element loss is

        l_i = 0.5 * d_i ** 2                      if |d_i| < delta
        l_i = delta * (|d_i| - 0.5 * delta)       otherwise

    The two pieces meet at ``|d_i| = delta`` with the same value and the same slope, so the
    loss is smooth; far from the target it grows only linearly (slope ``delta``), which makes it
    robust to outliers. Compare ``smooth_l1_loss`` with ``beta = delta``: that loss is this one
    divided by delta (its quadratic piece is ``0.5 * d ** 2 / beta`` and its linear piece has
    slope 1). The two agree only for delta = beta = 1.

    Shapes: ``input`` and ``target`` are broadcast against each other, exactly as ``input - target``
    would be; the unreduced loss has the broadcast shape.

    Parameters:
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default)
            returns ``l.mean()``, a 0-dimensional tensor.
        delta: the threshold (> 0) where the quadratic piece turns linear. Default 1.0.
        weight: optional tensor of the same shape as ``input`` (default None). With a weight each
            element's loss becomes ``w_i * l_i``; 'none' returns those, 'sum' adds them up, and
            'mean' takes their plain mean, i.e. divides by the number of elements (unlike
            ``mse_loss``/``l1_loss``, which divide by the sum of the weights).

    Returns a tensor of the input's dtype. Use only elementary tensor operations (no
    ``torch.nn.functional`` losses): gradients must flow back to ``input`` and ``target``.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
