import torch


def multilabel_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
) -> torch.Tensor:
    """Multi-label hinge loss: every target class should outscore every non-target class by 1.

    Each sample has ``C`` scores ``x = input[n]`` and a row of ``C`` class indices
    ``t = target[n]`` padded with ``-1``: the sample's target classes are the entries *before the
    first* ``-1`` (anything after it is ignored, even if it is not ``-1``). With ``J`` that list of
    targets and ``T`` the set of classes in it,

        l_n = sum_{j in J} sum_{i not in T} max(0, 1 - (x[j] - x[i]))  /  C

    Every pair (target class, non-target class) whose scores are less than 1 apart adds to the
    loss; the sum is divided by the number of classes ``C``. A class listed twice in ``J`` counts
    twice. A sample with no targets (its row starts with ``-1``) or whose targets cover every
    class has loss 0.

    Shapes:
        input: ``(N, C)`` scores, or ``(C,)`` for a single sample.
        target: ``long`` tensor of the same shape as ``input``, entries in ``[-1, C)``.
        The unreduced loss has shape ``(N,)``, or ``()`` for a ``(C,)`` input.

    Parameters:
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (default) returns
            ``l.mean()`` over the samples.

    An empty batch (input ``(0, C)``): 'none' returns an empty ``(0,)`` tensor. With 'mean' or
    'sum' torch 2.13 returns uninitialised memory there, so those values are not graded.

    Gradients must flow back to ``input``. Use only elementary tensor operations.
    """
    # BEGIN SOLUTION
    scores = input.reshape(-1, input.shape[-1])
    labels = target.reshape(scores.shape)
    # A position holds a target only while no -1 has been seen yet in its row.
    listed = (labels >= 0).long().cumprod(1).bool()
    safe = labels.clamp_min(0)
    is_target = torch.zeros_like(safe).scatter_add(1, safe, listed.long()) > 0
    target_scores = scores.gather(1, safe)
    # pairs[n, j, i]: hinge between the j-th listed target and class i.
    pairs = (1 - target_scores.unsqueeze(2) + scores.unsqueeze(1)).clamp_min(0)
    counted = listed.unsqueeze(2) & ~is_target.unsqueeze(1)
    pairs = torch.where(counted, pairs, torch.zeros_like(pairs))
    loss = (pairs.sum((1, 2)) / scores.shape[1]).reshape(input.shape[:-1])
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
    # END SOLUTION
