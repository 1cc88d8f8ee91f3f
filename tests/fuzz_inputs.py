"""Random calls of every day-3 loss, spread over each signature's parameters and its corners.

``draw(exercise, seed)`` returns a :class:`Call`: the arguments for one call in float64, the
leaves gradients are taken w.r.t. (a leaf may reach the function through a transform such as
``log_softmax``), and whether gradients are comparable with torch's there. The draws are
independent of the course's cases on purpose: they decide whether a program *is* torch's loss
(tests/test_differential.py, benchmarks/mutation.py), so they must not be the very cases whose
coverage is being measured. Every corner the docstrings name has some probability of appearing:
tiny and zero norms, 0-D and 1-D inputs, ignore_index at every position, padding labels equal to
real ones, exact zeros and ones, weights that broadcast, inputs exactly at a threshold.
"""
from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field

import torch

import torch.nn.functional as F

DTYPE = torch.float64
REDUCTIONS = ["none", "mean", "sum"]
# How close "is torch's loss" must be: the grader's float64 rtol, except that torch keeps
# cosine_embedding_loss's eps as a float32 (9.99999996e-13): with tiny norms a program using the
# documented 1e-12 differs from torch by ~1e-9 relative (and matches it in float32).
RTOL = {"cosine_embedding_loss": 1e-8}


@dataclass
class Call:
    args: list
    kwargs: dict
    leaves: list = field(default_factory=list)
    grad: bool = True  # False where torch's gradient is a convention no formula reproduces


class _Draw:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.g = torch.Generator().manual_seed(seed)
        self.leaves: list = []

    def choice(self, options):
        return options[self.r.randrange(len(options))]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def randn(self, shape, scale=1.0, grad=True):
        return self._leaf(torch.randn(shape, generator=self.g, dtype=DTYPE) * scale, grad)

    def rand(self, shape, low=0.0, high=1.0, grad=False):
        return self._leaf(torch.rand(shape, generator=self.g, dtype=DTYPE) * (high - low) + low, grad)

    def randint(self, shape, low, high):
        return torch.randint(low, high, shape, generator=self.g)

    def sign(self, shape):
        return (torch.randint(0, 2, shape, generator=self.g) * 2 - 1).to(DTYPE)

    def mask(self, shape, p):
        return torch.rand(shape, generator=self.g) < p

    def log_softmax(self, shape, dim=-1):
        return self.randn(shape).log_softmax(dim)

    def _leaf(self, t, grad):
        if grad:
            t.requires_grad_(True)
            self.leaves.append(t)
        return t

    def batch_shape(self, feature=None, allow_0d=True):
        """A batch shape: mostly (N,) or (N, d), sometimes 0-D (no batch) or empty."""
        shapes = [[5], [3, 4], [2, 3, 2]] + ([[]] if allow_0d else []) + [[1]]
        shape = self.choice(shapes)
        return shape if feature is None else shape + [feature]


def _elementwise_pair(d: _Draw, scale=1.0):
    """input, target with some broadcast, 0-D and tie (input == target) layouts."""
    layout = d.choice(["same", "same", "target_bcast", "input_bcast", "0d", "1d"])
    shapes = {"same": ([3, 4], [3, 4]), "target_bcast": ([3, 4], [4]), "input_bcast": ([1, 4], [3, 4]),
              "0d": ([], []), "1d": ([6], [6])}[layout]
    x = d.randn(shapes[0], scale)
    t = d.randn(shapes[1], grad=d.chance(0.7))
    if layout in ("same", "1d") and d.chance(0.3):  # exact ties: the kink of |x| and of the hinges
        with torch.no_grad():
            tie = d.mask(shapes[0], 0.4)
            x.copy_(torch.where(tie, t.detach(), x.detach()))
    return x, t


def _weight_like(d: _Draw, x):
    w = d.rand(list(x.shape), 0.0, 2.0, grad=d.chance(0.5))
    if d.chance(0.3):
        with torch.no_grad():
            w.mul_(d.mask(list(x.shape), 0.6))
    return w


def mse_loss(d):
    x, t = _elementwise_pair(d)
    kw = {"reduction": d.choice(REDUCTIONS)}
    if d.chance(0.5):
        kw["weight"] = _weight_like(d, x)
    return Call([x, t], kw)


def l1_loss(d):
    return mse_loss(d)


def huber_loss(d):
    x, t = _elementwise_pair(d, scale=2.0)
    delta = d.choice([1.0, 0.5, 2.0, 0.1])
    if d.chance(0.3) and x.shape == t.shape:  # differences exactly at +-delta
        with torch.no_grad():
            x.copy_(t.detach() + delta * d.sign(list(x.shape)))
    kw = {"reduction": d.choice(REDUCTIONS), "delta": delta}
    if d.chance(0.5):
        kw["weight"] = _weight_like(d, x)
    return Call([x, t], kw)


def smooth_l1_loss(d):
    x, t = _elementwise_pair(d, scale=2.0)
    beta = d.choice([1.0, 0.5, 2.0, 0.0])
    if beta and d.chance(0.3) and x.shape == t.shape:  # differences exactly at +-beta
        with torch.no_grad():
            x.copy_(t.detach() + beta * d.sign(list(x.shape)))
    return Call([x, t], {"reduction": d.choice(REDUCTIONS), "beta": beta})


def binary_cross_entropy(d):
    shape = d.choice([[4, 3], [5], []])
    x = d.rand(shape, 0.01, 0.99, grad=True)
    t = d.rand(shape, grad=d.chance(0.5))
    grad = True
    if d.chance(0.3):  # exact 0 and 1 in input (log clamped at -100) and in target
        with torch.no_grad():
            x.copy_(torch.where(d.mask(shape, 0.3), d.mask(shape, 0.5).to(DTYPE), x))
        grad = False  # torch's BCE gradient there divides by a clamped 1e-12: a convention
    if d.chance(0.3):
        with torch.no_grad():
            t.copy_(torch.where(d.mask(shape, 0.5), d.mask(shape, 0.5).to(DTYPE), t))
    kw = {"reduction": d.choice(REDUCTIONS)}
    if d.chance(0.4):
        kw["weight"] = d.rand(d.choice([shape, shape[-1:]]), 0.0, 2.0)
    return Call([x, t], kw, grad=grad)


def binary_cross_entropy_with_logits(d):
    shape = d.choice([[4, 3], [6], [], [2, 2, 3]])
    x = d.randn(shape, scale=d.choice([1.0, 5.0, 40.0]))
    t = d.rand(shape, grad=d.chance(0.5))
    if d.chance(0.3):
        with torch.no_grad():
            t.copy_(d.mask(shape, 0.5).to(DTYPE))
    kw = {"reduction": d.choice(REDUCTIONS)}
    if d.chance(0.4):
        kw["weight"] = d.rand(d.choice([shape, shape[-1:]]), 0.0, 2.0)
    if d.chance(0.5):
        kw["pos_weight"] = d.rand(d.choice([shape[-1:], shape]), 0.0, 3.0)
    return Call([x, t], kw)


def soft_margin_loss(d):
    shape = d.choice([[4, 3], [6], []])
    x = d.randn(shape, scale=d.choice([1.0, 10.0, 30.0]))
    return Call([x, d.sign(shape)], {"reduction": d.choice(REDUCTIONS)})


def multilabel_soft_margin_loss(d):
    shape = d.choice([[4, 3], [2, 5], [0, 3], [5]])  # [5]: one sample, input (C,)
    x = d.randn(shape, scale=d.choice([1.0, 30.0]))
    t = d.mask(shape, 0.5).to(DTYPE)
    kw = {"reduction": d.choice(REDUCTIONS)}
    if d.chance(0.5):
        kw["weight"] = d.rand(d.choice([shape[-1:], shape]), 0.0, 2.0)
    return Call([x, t], kw)


def cosine_embedding_loss(d):
    shape = d.choice([[4, 3], [5, 2], [3]])  # [3]: one pair, target 0-D
    scale = d.choice([1.0, 1.0, 1e-7, 1e-5])  # tiny norms: the 1e-12 eps decides the value
    x1, x2 = d.randn(shape, scale), d.randn(shape, d.choice([scale, 1.0]))
    if d.chance(0.2):
        with torch.no_grad():
            x1[..., :].mul_(d.mask(shape[:-1] + [1], 0.5))  # some all-zero vectors
    t = d.sign(shape[:-1])
    return Call([x1, x2, t], {"margin": d.choice([0.0, 0.3, -0.4]), "reduction": d.choice(REDUCTIONS)})


def hinge_embedding_loss(d):
    shape = d.choice([[4, 3], [6], []])
    x = d.randn(shape, 2.0)
    return Call([x, d.sign(shape)], {"margin": d.choice([1.0, 0.5, 2.0, 0.0]), "reduction": d.choice(REDUCTIONS)})


def margin_ranking_loss(d):
    shape = d.choice([[6], [], [2, 3]])
    x1, x2 = d.randn(shape), d.randn(shape)
    return Call([x1, x2, d.sign(shape)], {"margin": d.choice([0.0, 0.5, -0.3]), "reduction": d.choice(REDUCTIONS)})


def kl_div(d):
    shape = d.choice([[4, 3], [5], [2, 3, 2], []])
    log_target = d.chance(0.5)
    x = d.log_softmax(shape) if shape else d.randn(shape)
    if log_target:
        t = d.log_softmax(shape) if shape else d.randn(shape)
    else:
        zeros = d.chance(0.5)  # exact zeros in the target: their term is 0 (torch's gradient there is NaN)
        t = d.rand(shape, grad=not zeros)
        if zeros:
            t = t * d.mask(shape, 0.6)
    return Call([x, t], {"reduction": d.choice(REDUCTIONS + ["batchmean"]), "log_target": log_target})


def poisson_nll_loss(d):
    shape = d.choice([[4, 3], [6], []])
    log_input = d.chance(0.5)
    x = d.randn(shape) if log_input else d.rand(shape, 0.0, 3.0, grad=True)
    if not log_input and d.chance(0.3):
        with torch.no_grad():
            x.mul_(d.mask(shape, 0.7))  # exact zeros: log(0 + eps)
    t = torch.poisson(torch.full(shape, 2.0, dtype=DTYPE), generator=d.g)  # 0, 1 and > 1
    if d.chance(0.3):
        t = t + d.rand(shape)
    return Call([x, t], {"log_input": log_input, "full": d.chance(0.5), "eps": d.choice([1e-8, 1e-2]),
                         "reduction": d.choice(REDUCTIONS)})


def gaussian_nll_loss(d):
    shape = d.choice([[4, 3], [5], [2, 3, 2]])
    x, t = d.randn(shape), d.randn(shape, grad=d.chance(0.5))
    eps = d.choice([1e-6, 0.1])
    var_shape = d.choice([shape, shape[:-1], shape[:-1] + [1], "float"])
    if var_shape == "float":
        var = d.choice([0.5, 2.0, 1e-9])
    else:
        var = d.rand(var_shape, 0.01, 2.0, grad=True)
        if d.chance(0.4):  # some variances below eps: clamped in value, not in gradient
            with torch.no_grad():
                var.mul_(torch.where(d.mask(var_shape, 0.4), 1e-9, 1.0))
    return Call([x, t, var], {"full": d.chance(0.5), "eps": eps, "reduction": d.choice(REDUCTIONS)})


def _targets_with_ignore(d, shape, classes):
    t = d.randint(shape, 0, classes)
    ignore = d.choice([-100, -100, 0, classes - 1, 1])
    if d.chance(0.6):
        t = torch.where(d.mask(shape, d.choice([0.3, 1.0])), ignore, t)
    return t, ignore


def nll_loss(d):
    classes = 4
    layout = d.choice([[5], [3], [2, 3], []])  # [] is one sample: input (C,), target 0-D
    shape = layout[:1] + [classes] + layout[1:] if layout else [classes]
    x = d.log_softmax(shape, dim=0 if not layout else 1)
    t, ignore = _targets_with_ignore(d, layout, classes)
    kw = {"ignore_index": ignore, "reduction": d.choice(REDUCTIONS)}
    if d.chance(0.5):
        kw["weight"] = d.rand([classes], 0.1, 2.0)
    return Call([x, t], kw)


def cross_entropy(d):
    classes = 4
    layout = d.choice([[5], [3], [2, 3], []])
    shape = layout[:1] + [classes] + layout[1:] if layout else [classes]
    x = d.randn(shape, 2.0)
    kw = {"reduction": d.choice(REDUCTIONS), "label_smoothing": d.choice([0.0, 0.0, 0.1, 1.0])}
    if d.chance(0.3):  # class probabilities
        t = d.rand(shape, grad=d.chance(0.5))
        t = t / t.sum(0 if not layout else 1, keepdim=True)
    else:
        t, kw["ignore_index"] = _targets_with_ignore(d, layout, classes)
    if d.chance(0.5):
        kw["weight"] = d.rand([classes], 0.1, 2.0)
    return Call([x, t], kw)


def multi_margin_loss(d):
    classes = 4
    n = d.choice([5, 1, None])  # None: one sample, input (C,)
    shape = [classes] if n is None else [n, classes]
    x = d.randn(shape)
    t = d.randint([] if n is None else [n], 0, classes)
    kw = {"p": d.choice([1, 2]), "margin": d.choice([1.0, 0.5, 2.0]), "reduction": d.choice(REDUCTIONS)}
    if d.chance(0.5):
        kw["weight"] = d.rand([classes], 0.1, 2.0)
    return Call([x, t], kw)


def multilabel_margin_loss(d):
    classes = 5
    n = d.choice([4, 1, None])
    shape = [classes] if n is None else [n, classes]
    x = d.randn(shape)
    t = d.randint(shape, 0, classes)
    # -1 ends each row's list; anything after it, even a valid class, is ignored
    cut = d.randint(shape[:-1] + [1], 0, classes + 1)
    t = torch.where(torch.arange(classes) == cut, -1, t)
    return Call([x, t], {"reduction": d.choice(REDUCTIONS)})


def triplet_margin_loss(d):
    shape = d.choice([[4, 3], [3]])
    a, p, n = d.randn(shape), d.randn(shape), d.randn(shape)
    if d.chance(0.2):
        p = a.detach().clone().requires_grad_(True)  # zero distance: eps keeps the norm smooth
        d.leaves.append(p)
    return Call([a, p, n], {"margin": d.choice([1.0, 0.1, 2.0]), "p": d.choice([2.0, 1.0, 3.0]),
                            "eps": d.choice([1e-6, 0.1]), "swap": d.chance(0.5), "reduction": d.choice(REDUCTIONS)})


_DISTANCES = [None, lambda x, y: (x - y).abs().sum(-1), lambda x, y: 1 - F.cosine_similarity(x, y, dim=-1)]


def triplet_margin_with_distance_loss(d):
    shape = d.choice([[4, 3], [3]])
    a, p, n = d.randn(shape), d.randn(shape), d.randn(shape)
    return Call([a, p, n], {"distance_function": d.choice(_DISTANCES), "margin": d.choice([1.0, 0.1, 2.0]),
                            "swap": d.chance(0.5), "reduction": d.choice(REDUCTIONS)})


def ctc_loss(d):
    classes, blank = 5, d.choice([0, 0, 4, 2])
    labels = [c for c in range(classes) if c != blank]
    unbatched = d.chance(0.2)
    batch = 1 if unbatched else d.choice([3, 2])
    target_lengths = [d.choice([0, 1, 2, 3, 4]) for _ in range(batch)]
    rows = []
    for length in target_lengths:
        row = [d.choice(labels) for _ in range(length)]
        if length >= 2 and d.chance(0.5):
            row[d.r.randrange(1, length)] = row[-1] if d.chance(0.5) else row[0]  # repeats
        rows.append(row)
    repeats = [sum(a == b for a, b in zip(row, row[1:])) for row in rows]
    steps = max(1, max(l + r for l, r in zip(target_lengths, repeats)) + d.choice([0, 1, 3]))
    input_lengths = []
    for l, r in zip(target_lengths, repeats):
        tight = l + r
        input_lengths.append(max(1, min(steps, d.choice([tight, tight, tight + 2, tight - 1, steps]))))
    x = d.randn([steps, classes] if unbatched else [steps, batch, classes])
    log_probs = x.log_softmax(-1)
    width = max(target_lengths + [1]) if not unbatched else target_lengths[0]
    if d.chance(0.5) and not unbatched:  # concatenated 1-D targets
        targets = torch.tensor([c for row in rows for c in row], dtype=torch.long)
    else:  # padded; the padding may equal the row's last label or the next row's first
        pad = []
        for row in rows:
            filler = d.choice([labels[0], row[-1] if row else labels[0], blank])
            pad.append(row + [filler] * (width - len(row)))
        targets = torch.tensor(pad[0] if unbatched else pad, dtype=torch.long)
    as_tensor = d.chance(0.7)
    il = torch.tensor(input_lengths[0] if unbatched else input_lengths) if as_tensor else tuple(input_lengths)
    tl = torch.tensor(target_lengths[0] if unbatched else target_lengths) if as_tensor else tuple(target_lengths)
    return Call([log_probs, targets, il, tl], {"blank": blank, "reduction": d.choice(REDUCTIONS),
                                               "zero_infinity": d.chance(0.4)})


def draw(exercise: str, seed: int) -> Call:
    d = _Draw(seed)
    call = globals()[exercise](d)
    call.leaves = d.leaves
    return call


def _outputs(fn, call: Call, upstream_seed: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # broadcasting and kl_div 'mean' warnings: both are the point
        out = fn(*call.args, **call.kwargs)
    if type(out) is not torch.Tensor:
        return out, None
    if not call.grad or not call.leaves or not out.requires_grad or not bool(torch.isfinite(out).all()):
        return out.detach(), None
    upstream = torch.randn(out.shape, generator=torch.Generator().manual_seed(upstream_seed), dtype=out.dtype)
    grads = torch.autograd.grad(out, call.leaves, upstream, retain_graph=True, allow_unused=True)
    return out.detach(), [torch.zeros_like(l) if g is None else g for g, l in zip(grads, call.leaves)]


def _close(got, ref, rtol, atol) -> bool:
    if type(got) is not torch.Tensor or got.shape != ref.shape or got.dtype != ref.dtype:
        return False
    finite = torch.isfinite(ref)
    if not bool((torch.isfinite(got) == finite).all()) or not bool((got[~finite].isnan() == ref[~finite].isnan()).all()):
        return False
    inf = ~finite & ~ref.isnan()
    if not torch.equal(got[inf], ref[inf]):
        return False
    err, size = (got - ref)[finite].abs(), ref[finite].abs()
    # The absolute floor: torch's own float64 gradients carry cancellation errors of ~1e-16 (e.g.
    # binary_cross_entropy_with_logits at large logits), which no more accurate program should fail on.
    allowed = atol * (float(size.max()) if size.numel() else 0.0) + rtol * size + 1e-14
    return bool((err <= allowed).all())


def expected(reference, call: Call):
    """torch's value and gradients on ``call`` (what :func:`differs` compares with)."""
    return _outputs(reference, call, 0)


def differs(candidate, reference, call: Call, rtol: float = 1e-10, atol: float = 1e-12, want=None) -> str | None:
    """Why ``candidate`` is not ``reference`` on this call (values, then gradients), or None.
    ``want`` is :func:`expected`'s answer when the caller already has it."""
    ref, ref_grads = want if want is not None else expected(reference, call)
    try:
        got, got_grads = _outputs(candidate, call, 0)
    except Exception as exc:  # noqa: BLE001 - a wrong program may fail in any way
        return f"raised {type(exc).__name__}: {str(exc)[:200]}"
    if not _close(got, ref, rtol, atol):
        shown = got.tolist() if type(got) is torch.Tensor and got.numel() < 8 else getattr(got, "shape", type(got).__name__)
        return f"value {shown} != torch's {ref.tolist() if ref.numel() < 8 else tuple(ref.shape)}"
    if ref_grads is None:
        return None
    if got_grads is None:
        return "no gradient"
    for index, (g, r) in enumerate(zip(got_grads, ref_grads)):
        if not _close(g, r, rtol, atol):
            return f"gradient w.r.t. leaf {index} differs (max err {float((g - r).abs().nan_to_num(float('inf')).max()):.3g})"
    return None
