import torch


def smooth_l1_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    beta: float = 1.0,
) -> torch.Tensor:
    """Smooth L1 loss: a quadratic bowl near zero that turns into plain absolute error.

    With ``d_i = input_i - target_i``, the per-element loss is

        l_i = 0.5 * d_i ** 2 / beta       if |d_i| < beta
        l_i = |d_i| - 0.5 * beta          otherwise

    The pieces meet at ``|d_i| = beta`` with equal value and slope. Far from the target the
    slope is 1 whatever beta is (it is L1 shifted down by ``0.5 * beta``); beta only sets how wide
    the quadratic bowl is. Compare ``huber_loss`` with ``delta = beta``: Huber is this loss
    multiplied by delta (quadratic piece ``0.5 * d ** 2``, linear slope delta); they agree only
    for beta = delta = 1.

    beta = 0 is allowed and means pure L1 loss, ``l_i = |d_i|``. Handle it on its own: a formula
    that divides by beta produces inf/NaN there, and NaN leaks into the gradient even from a
    branch that ``torch.where`` does not select.

    Shapes: ``input`` and ``target`` are broadcast against each other, exactly as ``input - target``
    would be; the unreduced loss has the broadcast shape.

    Parameters:
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default)
            returns ``l.mean()``, a 0-dimensional tensor.
        beta: the threshold (>= 0) where the quadratic piece turns linear. Default 1.0.

    Returns a tensor of the input's dtype. Use only elementary tensor operations (no
    ``torch.nn.functional`` losses): gradients must flow back to ``input`` and ``target``.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
