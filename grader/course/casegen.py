"""Expand an exercise's case list into concrete, seeded cases with generated inputs.

An input spec is a mapping with one generator key plus options, for example
``{randn: [4, 5], scale: 1e4, grad: true}`` or ``{randint: [4], high: 5, set: {value: -100, frac: 0.5}}``.
Anything that is not such a mapping is passed through as a plain Python value.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import torch

from . import secret as course_secret
from .manifest import CaseSpec, ExerciseSpec
from ..errors import CourseError
from ..judging.tensorfns import CALLABLES, TRANSFORMS

DTYPES = {"float32": torch.float32, "float64": torch.float64}
_NUMERIC_OPTIONS = {"scale", "shift", "low", "high", "zeros", "p"}
_OPTION_KEYS = {"grad", "transform", "dtype", "scale", "shift", "low", "high", "set", "dim", "zeros", "p",
                "value"}  # value: the fill of the `full` generator


def _number(value, key):
    """YAML 1.1 reads ``1e4`` as a string; accept it as the number the author meant."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"option '{key}' must be a number, got {value!r}") from None
    return value


def _shape(spec):
    if isinstance(spec, int):
        return (spec,)
    if isinstance(spec, list) and all(isinstance(d, int) and d >= 0 for d in spec):
        return tuple(spec)
    raise ValueError(f"a shape must be a list of non-negative integers, got {spec!r}")


def _randn(arg, o, g, dtype):
    return torch.randn(_shape(arg), generator=g, dtype=dtype) * o.get("scale", 1.0) + o.get("shift", 0.0)


def _rand(arg, o, g, dtype):
    low, high = o.get("low", 0.0), o.get("high", 1.0)
    return torch.rand(_shape(arg), generator=g, dtype=dtype) * (high - low) + low


def _randint(arg, o, g, dtype):
    return torch.randint(int(o.get("low", 0)), int(o["high"]), _shape(arg), generator=g)


def _probs(arg, o, g, dtype):
    """Rows that sum to one along ``dim``; ``zeros`` makes that fraction of entries exactly 0."""
    logits = torch.randn(_shape(arg), generator=g, dtype=dtype)
    probs = logits.softmax(o.get("dim", -1))
    if o.get("zeros"):
        keep = torch.rand(probs.shape, generator=g) >= o["zeros"]
        probs = probs * keep
        probs = probs / probs.sum(o.get("dim", -1), keepdim=True).clamp_min(torch.finfo(dtype).tiny)
    return probs


def _log_probs(arg, o, g, dtype):
    return torch.randn(_shape(arg), generator=g, dtype=dtype).log_softmax(o.get("dim", -1))


def _sign(arg, o, g, dtype):
    return torch.randint(0, 2, _shape(arg), generator=g).to(dtype) * 2 - 1


def _bernoulli(arg, o, g, dtype):
    return (torch.rand(_shape(arg), generator=g) < o.get("p", 0.5)).to(dtype)


def _full(arg, o, g, dtype):
    return torch.full(_shape(arg), float(_number(o.get("value", 0.0), "value")), dtype=dtype)


def _tensor(arg, o, g, dtype):
    return torch.tensor(arg, dtype=dtype)


GENERATORS = {
    "randn": _randn,
    "rand": _rand,
    "randint": _randint,
    "probs": _probs,
    "log_probs": _log_probs,
    "sign": _sign,
    "bernoulli": _bernoulli,
    "full": _full,
    "tensor": _tensor,
}
_INT_GENERATORS = {"randint"}


def is_input_spec(value) -> bool:
    return isinstance(value, dict) and (len(set(value) & set(GENERATORS)) == 1 or set(value) == {"callable"})


def _resolve_dtype(name, gen_name, case_dtype):
    if name is None:
        return torch.long if gen_name in _INT_GENERATORS else case_dtype
    return {"long": torch.long, "float": case_dtype, "bool": torch.bool, **DTYPES}[name]


def build_input(name: str, spec, g: torch.Generator, case_dtype: torch.dtype, keyword: bool) -> dict:
    """Turn one spec into the plain-dict argument form that :mod:`grader.invoke` consumes."""
    if isinstance(spec, dict) and set(spec) == {"callable"}:
        if spec["callable"] not in CALLABLES:
            raise ValueError(f"unknown callable {spec['callable']!r} (known: {', '.join(CALLABLES)})")
        return _arg(name, "callable", spec["callable"], keyword)
    if not is_input_spec(spec):
        return _arg(name, "value", spec, keyword)
    (gen_name,) = set(spec) & set(GENERATORS)
    options = {k: v for k, v in spec.items() if k != gen_name}
    unknown = set(options) - _OPTION_KEYS
    if unknown:
        raise ValueError(f"unknown option(s) {sorted(unknown)} for '{name}'")
    for key in _NUMERIC_OPTIONS & set(options):
        options[key] = _number(options[key], key)
    dtype = _resolve_dtype(options.get("dtype"), gen_name, case_dtype)
    gen_dtype = dtype if dtype.is_floating_point else case_dtype
    tensor = GENERATORS[gen_name](spec[gen_name], options, g, gen_dtype).to(dtype)
    if "set" in options:
        tensor = _set_values(tensor, options["set"], g)
    transform = options.get("transform")
    if transform is not None and transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r} (known: {', '.join(TRANSFORMS)})")
    grad = bool(options.get("grad", False))
    if grad and not tensor.is_floating_point():
        raise ValueError(f"'{name}' has grad: true but is not a floating-point tensor")
    return {**_arg(name, "tensor", tensor, keyword), "grad": grad, "transform": transform}


def _set_values(tensor, rule, g):
    """``set: {value: V, frac: F}`` overwrites a random fraction F of the entries with V."""
    mask = torch.rand(tensor.shape, generator=g) < float(rule.get("frac", 1.0))
    value = _number(rule["value"], "set.value")
    return torch.where(mask, torch.tensor(value, dtype=tensor.dtype), tensor)


def _arg(name, kind, value, keyword):
    return {"name": name, "kind": kind, "value": value, "grad": False, "transform": None, "keyword": keyword}


@dataclass
class Case:
    """A concrete case: everything needed to run it on both sides and describe it to a learner."""

    id: str
    exercise: str
    kind: str
    public: bool
    dtype: str
    seed: int
    params: dict  # the knobs a learner can act on, for feedback (reduction, ignore_index, ...)
    args: list  # plain-dict arguments, see grader.invoke
    compare: tuple
    where: str
    upstream: torch.Tensor | None = field(default=None, repr=False)

    # Both are read for every answer judged, and never change: computed once per case.
    @functools.cached_property
    def label(self) -> str:
        knobs = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.kind} ({knobs + ', ' if knobs else ''}{self.dtype})"

    @functools.cached_property
    def call(self) -> str:
        """The call as a learner would write it, tensors by name: ``f(input, target, reduction='sum')``."""
        parts = []
        for a in self.args:
            shown = _shown(a)
            parts.append(f"{a['name']}={shown}" if a["keyword"] else shown)
        return f"{self.exercise}({', '.join(parts)})"


def _shown(arg: dict) -> str:
    if arg["kind"] == "tensor":
        return f"{arg['transform']}({arg['name']})" if arg["transform"] else arg["name"]
    if arg["kind"] == "callable":
        return arg["value"]
    return repr(arg["value"])


def _param_text(value) -> str:
    if is_input_spec(value):
        if "callable" in value:
            return value["callable"]
        return "<tensor>"
    return repr(value) if isinstance(value, str) else str(value)


def expand(exercise: ExerciseSpec, secret: bytes | None = None) -> list[Case]:
    """All concrete cases of an exercise, public ones first, in a stable order. With a course
    ``secret``, hidden cases draw their inputs from seeds keyed with it (:mod:`.secret`)."""
    cases = []
    for index, spec in enumerate(exercise.cases):
        cases.extend(_expand_spec(exercise, index, spec, None if spec.public else secret))
    cases.sort(key=lambda c: not c.public)
    return cases


def _expand_spec(exercise: ExerciseSpec, index: int, spec: CaseSpec, secret: bytes | None) -> list[Case]:
    keys = list(spec.grid)
    out, seen = [], set()
    for combo in itertools.product(*(spec.grid[k] for k in keys)) if keys else [()]:
        kwargs = {**spec.kwargs, **dict(zip(keys, combo))}
        for dtype_name in spec.dtypes:
            for seed in spec.seeds:
                case_id = f"{exercise.name}:{index}:{'-'.join(map(str, combo))}:{dtype_name}:{seed}"
                if case_id in seen:  # answers and verdicts are matched by id: a twin would break the job
                    raise CourseError(f"{spec.where}: case '{spec.kind}': two cases get the id {case_id!r} "
                                      "(a grid value, dtype or seed listed twice?)")
                seen.add(case_id)
                g = torch.Generator().manual_seed(course_secret.case_seed(case_id, secret))
                dtype = DTYPES[dtype_name]
                try:
                    args = [build_input(n, s, g, dtype, keyword=False) for n, s in spec.args.items()]
                    args += [build_input(n, s, g, dtype, keyword=True) for n, s in kwargs.items()]
                except (ValueError, KeyError, TypeError, RuntimeError) as exc:
                    raise CourseError(f"{spec.where}: case '{spec.kind}': {exc}") from None
                params = {k: _param_text(v) for k, v in kwargs.items()}
                out.append(Case(case_id, exercise.name, spec.kind, spec.public, dtype_name, seed,
                                params, args, spec.compare, spec.where))
    return out
