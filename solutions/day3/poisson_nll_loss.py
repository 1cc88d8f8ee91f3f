import math

import torch


def poisson_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> torch.Tensor:
    """Negative log-likelihood of counts ``target`` under a Poisson distribution with rate ``input``.

    With ``log_input=True`` (the default) ``input`` is the LOG of the rate, and per element

        l_i = exp(input_i) - target_i * input_i

    With ``log_input=False`` ``input`` is the rate itself (non-negative), and

        l_i = input_i - target_i * log(input_i + eps)

    ``eps`` only appears in that second form: it keeps ``log`` finite when a rate is exactly 0.
    The constant ``log(target_i!)`` of the true likelihood is dropped unless ``full=True``; then
    Stirling's approximation of it is added, but ONLY where ``target_i > 1`` (0 elsewhere):

        target_i * log(target_i) - target_i + 0.5 * log(2 * pi * target_i)

    Shapes: ``input`` and ``target`` have the same shape (any shape); ``l`` has that shape.

    Parameters:
        input: log-rates (``log_input=True``) or rates (``log_input=False``).
        target: observed counts (floating point, non-negative).
        log_input: whether ``input`` is the log of the rate (default True).
        full: add the Stirling term where ``target > 1`` (default False).
        eps: added to the rate inside the log when ``log_input=False`` (default 1e-8).
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default) returns
            ``l.mean()`` over every element.

    Returns a tensor of the input's dtype; gradients must flow back to ``input`` and ``target``.
    """
    # BEGIN SOLUTION
    if log_input:
        loss = torch.exp(input) - target * input
    else:
        loss = input - target * torch.log(input + eps)
    if full:
        # Evaluate the logs on a safe value where the term is dropped, so no NaN leaks into
        # the value or into the gradient w.r.t. target.
        counted = target > 1
        safe = torch.where(counted, target, torch.ones_like(target))
        stirling = safe * torch.log(safe) - safe + 0.5 * torch.log(2 * math.pi * safe)
        loss = loss + torch.where(counted, stirling, torch.zeros_like(stirling))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
    # END SOLUTION
