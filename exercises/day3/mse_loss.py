import torch


def mse_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean squared error between ``input`` and ``target``.

    For every element, the loss is the squared difference

        l_i = (input_i - target_i) ** 2

    Shapes: ``input`` and ``target`` are broadcast against each other, exactly as ``input - target``
    would be; the unreduced loss has the broadcast shape.

    Parameters:
        reduction: what to do with the per-element losses ``l``:
            'none' returns ``l`` itself; 'sum' returns ``l.sum()``;
            'mean' (the default) returns ``l.mean()``, a 0-dimensional tensor.
        weight: optional tensor of the same shape as ``input`` (default None). With a weight,
            each element's loss is ``w_i * l_i`` (the weight broadcasts against ``l`` as the
            input does); 'none' returns those, 'sum' adds them up, and 'mean' divides that sum by
            ``weight.sum()`` of the weight as given, not by the number of elements. When the input
            broadcasts against a larger target, a weight multiplies several losses but still
            counts once in that divisor: this is torch's rule.

    Returns a tensor of the input's dtype. Use only elementary tensor operations (no
    ``torch.nn.functional`` losses): gradients must flow back to ``input`` and ``target``.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
