import torch


def binary_cross_entropy_with_logits(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    pos_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Binary cross-entropy on raw scores (logits): a sigmoid and BCE fused, computed stably.

    ``input`` holds logits x (any real numbers), ``target`` holds labels y in [0, 1]. With
    ``sigma(x) = 1 / (1 + exp(-x))``, a pos_weight p and a weight w, for every element

        l_i = -w_i * ( p_c * y_i * log(sigma(x_i)) + (1 - y_i) * log(1 - sigma(x_i)) )

    where p_c is the pos_weight of element i's class (its index in the last dimension).

    Stability: do not compute ``sigma(x)`` and then take its log: for logits of magnitude ~100
    and more, ``sigma`` rounds to exactly 0 or 1 and the log gives inf. Instead use
        log(sigma(x))     = -softplus(-x)
        log(1 - sigma(x)) = -softplus(x)
        softplus(z) = log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|))   (never overflows)
    The loss must be exact (not clamped, no inf) for logits of any magnitude, e.g. +-1e4.

    Shapes: ``input`` and ``target`` have the same shape (..., C), any number of dimensions;
    the unreduced loss has that shape.

    Parameters:
        weight: optional tensor broadcastable to ``target`` multiplying each element's loss
            (default None). Not differentiated.
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default)
            returns ``l.mean()``, dividing by the number of elements even when weighted.
        pos_weight: optional tensor of shape (C,) (broadcast over all leading dimensions, like
            any tensor broadcast against the last dimension) that multiplies only the positive
            term ``y * log(sigma(x))``; values > 1 favour recall for that class. Default None
            (all 1). Not differentiated.

    Returns a tensor of the input's dtype. Gradients must flow back to ``input`` and ``target``.
    Use only elementary tensor operations, no torch loss functions.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
