"""Named tensor functions that case specs may refer to by name.

Both the trusted side and the worker resolve these names, so a case can say "the learner gets
``log_softmax(x)`` and gradients are taken w.r.t. ``x``" or "pass the L1 distance as
``distance_function``" without sending code across the process boundary.
"""
from __future__ import annotations

import torch

# Applied to a generated leaf before it is passed on; gradients are taken w.r.t. the leaf.
TRANSFORMS = {
    "log_softmax": lambda t: t.log_softmax(-1),
    "log_softmax_dim1": lambda t: t.log_softmax(1),
    "softmax": lambda t: t.softmax(-1),
    "sigmoid": torch.sigmoid,
    "exp": torch.exp,
}


def _cosine_distance(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    # Elementary operations, as F.cosine_similarity's: these run inside the learner's job, where a
    # pack may forbid cosine_similarity (an exercise of its own) and would blame the learner.
    n1 = x1.pow(2).sum(-1, keepdim=True).sqrt().clamp_min(1e-8)
    n2 = x2.pow(2).sum(-1, keepdim=True).sqrt().clamp_min(1e-8)
    return 1 - ((x1 / n1) * (x2 / n2)).sum(-1)


def _l1_distance(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    return (x1 - x2).abs().sum(-1)


def _squared_euclidean(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    return (x1 - x2).pow(2).sum(-1)


# Passed as arguments (e.g. triplet_margin_with_distance_loss's distance_function).
CALLABLES = {
    "cosine_distance": _cosine_distance,
    "l1_distance": _l1_distance,
    "squared_euclidean": _squared_euclidean,
}
