import torch


def margin_ranking_loss(
    input1: torch.Tensor,
    input2: torch.Tensor,
    target: torch.Tensor,
    margin: float = 0,
    reduction: str = "mean",
) -> torch.Tensor:
    """Ranking hinge loss: should ``input1`` score higher than ``input2`` (target 1) or lower (-1)?

    Per element, with ``y = target`` in {1, -1},

        l_i = max(0, -y_i * (input1_i - input2_i) + margin)

    so a pair ranked the right way round by at least ``margin`` costs nothing.

    Shapes: ``input1``, ``input2`` and ``target`` have the same number of dimensions (all (N,),
    or all 0-dimensional); the unreduced loss has their shape.

    Parameters:
        input1, input2: the two scores of each pair.
        target: +1 where ``input1`` should rank higher, -1 where ``input2`` should.
        margin: how far apart the right ranking must be to cost nothing (default 0).
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default) returns
            ``l.mean()`` over every pair (pairs that cost 0 included).

    Returns a tensor of the input's dtype; gradients must flow back to ``input1`` and ``input2``.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
