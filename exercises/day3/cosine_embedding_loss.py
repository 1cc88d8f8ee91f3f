import torch


def cosine_embedding_loss(
    input1: torch.Tensor,
    input2: torch.Tensor,
    target: torch.Tensor,
    margin: float = 0,
    reduction: str = "mean",
) -> torch.Tensor:
    """Cosine embedding loss: should two embeddings point the same way (target 1) or not (-1)?

    For a pair of vectors ``a = input1[n]``, ``b = input2[n]`` their cosine similarity is

        cos_n = sum(a * b) / sqrt((sum(a * a) + 1e-12) * (sum(b * b) + 1e-12))

    (torch adds 1e-12 to each squared norm; it only matters for vectors of norm ~1e-6 or less,
    and it keeps a zero vector's cosine at 0 instead of NaN; ``F.cosine_similarity`` clamps each
    norm at 1e-8 instead, which differs for such vectors),
    and the pair costs

        l_n = 1 - cos_n                  if target_n == 1
        l_n = max(0, cos_n - margin)     if target_n == -1

    Shapes: ``input1`` and ``input2`` are (N, D) with ``target`` (N,), giving ``l`` of shape (N,);
    or unbatched: ``input1``/``input2`` (D,) with a 0-dimensional ``target``, giving a
    0-dimensional ``l``. The sums run over the LAST dimension (D).

    Parameters:
        input1, input2: the two embeddings of each pair.
        target: 1 for pairs that should be similar, -1 for pairs that should not.
        margin: dissimilar pairs cost nothing once their cosine is at most ``margin`` (default 0;
            values in [-1, 1] make sense, 0 to 0.5 are typical).
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default) returns
            ``l.mean()`` over the pairs.

    Returns a tensor of the input's dtype; gradients must flow back to ``input1`` and ``input2``.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
