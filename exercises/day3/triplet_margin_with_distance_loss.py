from typing import Callable

import torch


def triplet_margin_with_distance_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    *,
    distance_function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    """Triplet loss with a distance function of your choice.

    Each triplet's loss is

        l_n = max(0, margin + d(a_n, p_n) - d(a_n, n_n))

    where ``d = distance_function``. With ``swap=True`` the negative distance is the smaller of
    d(a_n, n_n) and d(p_n, n_n) (the "distance swap").

    Shapes:
        anchor, positive, negative: ``(N, D)`` or ``(D,)``, all with the same number of dimensions.
        ``distance_function(x, y)`` takes two such tensors and returns one distance per triplet,
        e.g. shape ``(N,)``; the unreduced loss has whatever shape it returns.

    Parameters (all keyword-only):
        distance_function: a callable ``(x, y) -> distances``. ``None`` (default) means the
            Euclidean distance as ``triplet_margin_loss`` computes it:
            ``d(x, y) = || x - y + 1e-6 ||_2`` over the last dimension (the 1e-6 is added to every
            component of the difference). Call the function you are given; do not assume
            anything about it beyond returning non-negative distances.
        margin: the required gap between the two distances (default 1.0, must be > 0).
        swap: use the distance swap described above (default False).
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (default) ``l.mean()``.

    Gradients must flow back to all three inputs. Use only elementary tensor operations.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
