import math

import torch


def gaussian_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    var: torch.Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> torch.Tensor:
    """Negative log-likelihood of ``target`` under a Gaussian with mean ``input`` and variance ``var``.

    Per element, with ``v`` the (clamped, see below) variance,

        l_i = 0.5 * (log(v_i) + (input_i - target_i) ** 2 / v_i)

    and with ``full=True`` the constant ``0.5 * log(2 * pi)`` is added to every element.

    Shapes: ``input`` and ``target`` have the same shape (N, *) or (*). ``var`` may be
      - a tensor of the same shape as ``input`` (one variance per element);
      - a tensor with one dimension fewer, equal to ``input.shape[:-1]``: one variance per row,
        shared by the last dimension (unsqueeze it at the end before broadcasting);
      - a tensor of ``input``'s rank that differs from it in exactly one dimension, where it has
        size 1 (e.g. (N, 1) for input (N, D)): broadcast it;
      - a Python float: the same variance everywhere.
    The unreduced loss has ``input``'s shape.

    Parameters:
        input: predicted means.
        target: observed values.
        var: predicted variances (non-negative), see Shapes.
        full: add the constant ``0.5 * log(2 * pi)`` (default False).
        eps: variances are clamped to at least ``eps`` (default 1e-6) for stability. The clamp
            changes the VALUE only: the gradient w.r.t. ``var`` is computed as if the clamp were
            not there (it passes straight through the clamp, also where ``var < eps``), exactly
            as torch does by clamping a copy of ``var`` under ``torch.no_grad()``.
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default) returns
            ``l.mean()`` over every element.

    Returns a tensor of the input's dtype; gradients must flow back to ``input``, ``target`` and
    (a tensor) ``var``.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
