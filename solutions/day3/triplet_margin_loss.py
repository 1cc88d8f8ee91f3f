import torch


def triplet_margin_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    """Triplet loss: the anchor should be closer to the positive than to the negative, by a margin.

    With the distance between two embeddings defined as the p-norm of their difference, shifted
    by ``eps`` (added to every component of the difference, not to the norm),

        d(x, y) = || x - y + eps ||_p = (sum_k |x_k - y_k + eps| ** p) ** (1 / p)

    taken over the last dimension, each triplet's loss is

        l_n = max(0, margin + d(a_n, p_n) - d(a_n, n_n))

    With ``swap=True`` the negative distance is the smaller of d(a_n, n_n) and d(p_n, n_n) (the
    "distance swap": whichever of anchor and positive is closer to the negative is used).

    Shapes:
        anchor, positive, negative: ``(N, D)`` embeddings, or ``(D,)`` for a single triplet. All
        three have the same number of dimensions; sizes broadcast as in ``anchor - positive``
        (e.g. one ``(1, D)`` positive shared by every anchor).
        The unreduced loss has shape ``(N,)`` (``()`` for ``(D,)`` inputs).

    Parameters:
        margin: the required gap between the two distances (default 1.0, must be > 0).
        p: the order of the norm (default 2); any p > 0, including ``float('inf')`` (the largest
            absolute component).
        eps: small constant added to the difference before the norm (default 1e-6), so the
            distance of identical embeddings is not exactly 0.
        swap: use the distance swap described above (default False).
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (default) ``l.mean()``.

    Gradients must flow back to all three inputs. Use only elementary tensor operations
    (``torch.linalg.vector_norm`` is fine).
    """
    # BEGIN SOLUTION
    def distance(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.linalg.vector_norm(x - y + eps, ord=p, dim=-1)

    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = torch.minimum(dist_neg, distance(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
    # END SOLUTION
