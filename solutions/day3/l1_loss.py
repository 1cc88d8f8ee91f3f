import torch


def l1_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean absolute error (L1 loss) between ``input`` and ``target``.

    For every element, the loss is the absolute difference

        l_i = |input_i - target_i|

    Shapes: ``input`` and ``target`` are broadcast against each other, exactly as ``input - target``
    would be; the unreduced loss has the broadcast shape.

    Parameters:
        reduction: what to do with the per-element losses ``l``:
            'none' returns ``l`` itself; 'sum' returns ``l.sum()``;
            'mean' (the default) returns ``l.mean()``, a 0-dimensional tensor.
        weight: optional tensor of the same shape as ``input`` (default None: every element
            counts once). With a weight, each element's loss is ``w_i * l_i``; 'none' returns those,
            'sum' adds them up, and 'mean' divides that sum by ``weight.sum()``, not by the number
            of elements (a weighted average). When the input broadcasts against a larger target,
            the weight broadcasts with it but counts once in ``weight.sum()``: torch's rule.

    Gradient: where ``input_i == target_i`` the absolute value has no slope; use the convention
    of ``torch.abs`` (slope 0 there), which you get for free from autograd.

    Returns a tensor of the input's dtype. Use only elementary tensor operations (no
    ``torch.nn.functional`` losses): gradients must flow back to ``input`` and ``target``.
    """
    # BEGIN SOLUTION
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
    # END SOLUTION
