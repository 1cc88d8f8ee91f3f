import torch


def soft_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
) -> torch.Tensor:
    """Two-class logistic loss on raw scores with targets of +1 / -1.

    For every element, with ``x = input`` and ``y = target``,

        l_i = log(1 + exp(-y_i * x_i))

    so a score with the right sign and a large magnitude costs almost nothing, and a confident
    wrong score costs about ``|x_i|``.

    Shapes: ``input`` and ``target`` have the same shape (any shape, including 0-dimensional);
    the unreduced loss has that shape too. ``target`` holds +1 or -1 (as a floating-point tensor).

    Parameters:
        input: the scores (any real numbers).
        target: the labels, +1 or -1, same shape as ``input``.
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default) returns
            ``l.mean()``: the average over EVERY element, not only over the first dimension.

    Numerics: for scores of magnitude 50 and more, ``exp`` of the exponent is huge or tiny. The
    identity ``log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|))`` keeps value and gradient finite
    and accurate for any ``z`` (``torch.nn.functional.softplus`` switches to ``z`` itself above
    ``threshold=20``, which is slightly off in float64).

    Returns a tensor of the input's dtype; gradients must flow back to ``input`` (and ``target``).
    """
    raise NotImplementedError("not implemented yet: write your solution here")
