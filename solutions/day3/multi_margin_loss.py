import torch


def multi_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Multi-class hinge loss (the loss of a multi-class SVM).

    Each sample has one score per class, ``x = input[n]``, and one correct class ``y = target[n]``.
    The correct score should beat every other score by at least ``margin``; every class that
    comes too close is penalised:

        l_n = sum_{i != y} w[y] * max(0, margin - x[y] + x[i]) ** p  /  C

    where ``C`` is the number of classes. The class ``i = y`` itself is left out of the sum, and
    the sum is divided by ``C`` (all classes), not by ``C - 1``.

    Shapes:
        input: ``(N, C)`` scores, or ``(C,)`` for a single sample.
        target: ``(N,)`` class indices (``long``, in ``[0, C)``). With a ``(C,)`` input the target
            is a 0-dimensional index (or a ``(1,)`` tensor).
        The unreduced loss has the target's shape: ``(N,)``, ``()`` or ``(1,)``.

    Parameters:
        p: exponent of the hinge, 1 (default) or 2; torch rejects any other value.
        margin: the required gap between the correct score and the others (default 1.0).
        weight: optional ``(C,)`` tensor of per-class weights; sample ``n``'s terms are multiplied
            by the weight of its *correct* class, ``w[y]``, after the power is taken.
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (default) returns
            ``l.mean()`` (a plain mean over samples: the weights do not enter the denominator).

    An empty batch (input ``(0, C)``): 'none' returns an empty ``(0,)`` tensor. With 'mean' or
    'sum' torch 2.13 returns uninitialised memory there, so those values are not graded.

    Gradients must flow back to ``input``. Use only elementary tensor operations.
    """
    # BEGIN SOLUTION
    scores = input.reshape(-1, input.shape[-1])
    labels = target.reshape(-1, 1)
    correct = scores.gather(1, labels)
    hinge = (margin - correct + scores).clamp_min(0) ** p
    if weight is not None:
        hinge = hinge * weight[labels]
    # The correct class must not count against itself.
    hinge = hinge.scatter(1, labels, 0.0)
    loss = (hinge.sum(1) / scores.shape[1]).reshape(target.shape)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
    # END SOLUTION
