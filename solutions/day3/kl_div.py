import torch


def kl_div(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    log_target: bool = False,
) -> torch.Tensor:
    """Kullback-Leibler divergence KL(target || exp(input)), element by element.

    Mind the argument order: ``input`` is the model's distribution Q given as
    *log-probabilities* (e.g. the output of ``log_softmax``), ``target`` is the reference
    distribution P. The math writes KL(P || Q) = sum P * (log P - log Q): the target comes first
    there, second here.

    Per element, with ``log_target=False`` (``target`` holds probabilities):

        l = target * (log(target) - input)

    where an element with ``target == 0`` contributes exactly 0 (the limit 0 * log 0 = 0), not
    NaN. With ``log_target=True`` (``target`` holds log-probabilities too):

        l = exp(target) * (target - input)

    Shapes: ``input`` and ``target`` are broadcast against each other (usually both ``(N, C)``,
    or any shape); the unreduced loss has the broadcast shape.

    Parameters:
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default)
            divides that sum by the number of elements of ``l`` (batch size times classes, which
            is usually *not* what you want); 'batchmean' divides the sum by ``input.shape[0]``,
            the batch size, which is the true KL divergence averaged over the batch. For a
            0-dimensional input, 'batchmean' is just the sum.
        log_target: whether ``target`` is given as log-probabilities (default False).

    Returns a tensor of the input's dtype, 0-dimensional unless reduction='none'. Use only
    elementary tensor operations (no ``torch.nn.functional`` losses): gradients must flow back
    to ``input`` and ``target``.
    """
    # BEGIN SOLUTION
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # log(0) is -inf and 0 * -inf is NaN: give zero targets their limit, 0, instead.
        positive = target > 0
        safe_target = torch.where(positive, target, torch.ones_like(target))
        loss = torch.where(positive, target * (safe_target.log() - input), 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() > 0 else loss.sum()
    return loss.mean()
    # END SOLUTION
