"""The format of a job's answers: JSON for structure, raw bytes for tensors. No pickle at all.

A frame is ``<8-byte header length><JSON header><tensor bytes>``. The header holds the answer
with each tensor replaced by ``{"__tensor__": i}`` and, per tensor, its dtype, shape, device
and byte range. Decoding trusts nothing: dtypes come from an allow-list, sizes must add up, byte
ranges follow one another without overlap, each aligned to its element size, and only plain
``torch.Tensor`` objects come out. The tensor bytes are copied once per frame and every tensor
is a view of that private copy: nothing the sender or a later frame writes can reach them, and
no two tensors share an element. It is also much faster to decode than
``torch.load(weights_only=True)``, which matters when a batch decodes thousands of answers.
"""
from __future__ import annotations

import json
import struct

import torch

_LEN = struct.Struct("<Q")
_DTYPES = {str(d).replace("torch.", ""): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool)}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}
_ITEMSIZE = {name: torch.empty((), dtype=dtype).element_size() for name, dtype in _DTYPES.items()}
_TAG = "__tensor__"
# numpy's limit, which the encoder meets for most dtypes anyway; torch has none, and a shape is
# printed in full where an answer's shape is wrong.
MAX_DIMS = 64
_NESTED = (dict, list)
_LEAVES = {str, int, float, bool, type(None)}  # sent as they are (a subclass is checked in full)


class WireError(ValueError):
    pass


def encode(obj) -> bytes:
    tensors, blobs, offset = [], [], 0

    def walk(value):
        nonlocal offset
        if type(value) is torch.Tensor:
            if value.ndim > MAX_DIMS:
                raise TypeError(f"cannot send a tensor of {value.ndim} dimensions (at most {MAX_DIMS})")
            device = value.device.type
            blob = _bytes(value, device)
            padding = -offset % value.itemsize  # the decoder views each tensor in place
            if blob and padding:
                blobs.append(bytes(padding))
                offset += padding
            tensors.append({"dtype": _NAMES.get(value.dtype) or str(value.dtype), "shape": list(value.shape),
                            "device": device, "offset": offset, "nbytes": len(blob)})
            blobs.append(blob)
            offset += len(blob)
            return {_TAG: len(tensors) - 1}
        # Leaves, most of an answer's values, are kept without a call each.
        if isinstance(value, dict):
            return {str(k): v if type(v) in _LEAVES else walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [v if type(v) in _LEAVES else walk(v) for v in value]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"cannot send a {type(value).__name__}")

    header = json.dumps({"body": walk(obj), "tensors": tensors}).encode()
    return _LEN.pack(len(header)) + header + b"".join(blobs)


def _bytes(value: torch.Tensor, device: str) -> bytes:
    """A tensor's elements in C order; a meta tensor has a shape and a dtype but no data."""
    if device == "meta":
        return b""
    if value.requires_grad:
        value = value.detach()
    if device != "cpu":
        value = value.cpu()
    try:  # numpy copies any layout straight into C order: one call for most answers
        return value.numpy().tobytes()
    except (TypeError, RuntimeError):  # bfloat16, a conjugate or negative view
        flat = value.resolve_conj().resolve_neg().contiguous().reshape(-1)
        return flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""


def header_size(data: bytes) -> int:
    """How many bytes of ``data`` :func:`decode` would parse as JSON (what a frame costs most to
    decode: each byte may become tens of bytes of Python objects)."""
    if len(data) < _LEN.size:
        return 0
    return min(_LEN.unpack_from(data)[0], len(data) - _LEN.size)


def decode(data: bytes):
    """The answer encoded in ``data``; raises :class:`WireError` for anything malformed."""
    if len(data) < _LEN.size:
        raise WireError("frame too short")
    (size,) = _LEN.unpack_from(data)
    start = _LEN.size + size
    if start > len(data):
        raise WireError("header runs past the frame")
    try:
        header = json.loads(data[_LEN.size:start])
        specs = header["tensors"]
        blob = bytearray(memoryview(data)[start:])  # the one copy: ``data`` may be reused or writable
        end, tensors, views = 0, [], {}
        for spec in specs:
            tensor, end = _tensor(spec, blob, end, views)
            tensors.append(tensor)
        body = header["body"]
    except Exception as exc:  # noqa: BLE001 - whatever hostile specs make json or torch raise
        raise WireError(f"malformed frame: {exc}") from None
    return _rebuild(body, tensors)


def _tensor(spec: dict, blob: bytearray, end: int, views: dict) -> tuple[torch.Tensor, int]:
    """The tensor ``spec`` describes, a view of ``blob``; its bytes must start at or after ``end``
    (where the previous tensor's ended) and lie within ``blob``. Returns it and where it ends.
    ``views``: what this frame has worked out once for all its tensors: ``blob`` seen as each
    dtype (one view op per tensor is cheap), and each (dtype, shape) checked, keyed as sent."""
    key = (spec["dtype"], tuple(spec["shape"]))
    layout = views.get(key)
    if layout is None:
        layout = views[key] = _layout(*key)
    dtype, itemsize, shape, strides, size = layout
    device = spec["device"]
    if device not in ("cpu", "cuda", "meta"):
        raise ValueError(f"unknown device {device!r}")
    nbytes, offset = int(spec["nbytes"]), int(spec["offset"])
    expected = 0 if device == "meta" else size
    if nbytes != expected or offset < 0 or offset + nbytes > len(blob):
        raise ValueError("tensor bytes do not match its shape")
    if device == "meta" or nbytes == 0:
        return torch.empty(shape, dtype=dtype, device=device), end
    if offset < end or offset % itemsize:
        raise ValueError("tensor bytes overlap another tensor's or are misaligned")
    view = views.get(dtype)
    if view is None:
        view = views[dtype] = torch.frombuffer(blob, dtype=dtype, count=len(blob) // itemsize)
    tensor = view.as_strided(shape, strides, offset // itemsize)
    return (tensor.to(device) if device != "cpu" else tensor), offset + nbytes


def _layout(name: str, dims: tuple) -> tuple:
    """(dtype, element size, shape, contiguous strides, byte size) of a dtype name and shape as sent."""
    dtype, itemsize = _DTYPES[name], _ITEMSIZE[name]
    shape = tuple(int(d) for d in dims)
    if min(shape, default=0) < 0 or len(shape) > MAX_DIMS:
        raise ValueError(f"negative dimension or more than {MAX_DIMS}")
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return dtype, itemsize, shape, tuple(reversed(strides)), step * itemsize


def _rebuild(value, tensors):
    """``value`` (parsed JSON: plain dicts and lists) with its tensor references resolved."""
    if type(value) is dict:
        if len(value) == 1 and _TAG in value:
            index = value[_TAG]
            if not isinstance(index, int) or not 0 <= index < len(tensors):
                raise WireError("bad tensor reference")
            return tensors[index]
        # Leaves are most of a frame's values: they are kept without a call each.
        return {k: _rebuild(v, tensors) if type(v) in _NESTED else v for k, v in value.items()}
    if type(value) is list:
        return [_rebuild(v, tensors) if type(v) in _NESTED else v for v in value]
    return value
