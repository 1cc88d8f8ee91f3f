import torch


def binary_cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Binary cross-entropy between predicted probabilities ``input`` and targets ``target``.

    ``input`` holds probabilities in [0, 1] (e.g. the output of a sigmoid), ``target`` holds
    labels in [0, 1] (hard 0/1 labels or soft ones). For every element

        l_i = -w_i * ( y_i * log(x_i) + (1 - y_i) * log(1 - x_i) )

    Clamping, exactly as torch does: each log is clamped from below at -100, i.e. use
    ``max(log(x_i), -100)`` and ``max(log(1 - x_i), -100)``. So an input of exactly 0 or 1 gives a
    finite loss (at most 100 per element, times the weight) instead of inf, and ``0 * log 0``
    terms vanish instead of becoming NaN. (At exactly 0 or 1 the derivative does not exist; only
    the value is graded there.)

    Shapes: ``input`` and ``target`` have the same shape, any number of dimensions (0-d too);
    the unreduced loss has that shape.

    Parameters:
        weight: optional tensor broadcastable to ``target``'s shape (e.g. one weight per column),
            multiplying each element's loss (default None: all 1). Not differentiated.
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default)
            returns ``l.mean()``, dividing by the number of elements even when weighted.

    Returns a tensor of the input's dtype. Gradients must flow back to ``input`` and
    ``target``. Use only elementary tensor operations, no torch loss functions.
    """
    # BEGIN SOLUTION
    log_p = input.log().clamp(min=-100)
    log_not_p = (1 - input).log().clamp(min=-100)
    loss = -(target * log_p + (1 - target) * log_not_p)
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
    # END SOLUTION
