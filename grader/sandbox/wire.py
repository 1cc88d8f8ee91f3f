"""The format of a job's answers: JSON for structure, raw bytes for tensors. No pickle at all.

A frame is ``<8-byte header length><JSON header><tensor bytes>``. The header holds the answer
with each tensor replaced by ``{"__tensor__": i}`` and, per tensor, its dtype, shape, device
and byte range. Decoding trusts nothing: dtypes come from an allow-list, sizes must add up, and
only plain ``torch.Tensor`` objects come out. It is also much faster to decode than
``torch.load(weights_only=True)``, which matters when a batch decodes thousands of answers.
"""
from __future__ import annotations

import json
import math
import struct

import torch

_LEN = struct.Struct("<Q")
_DTYPES = {str(d).replace("torch.", ""): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128,
    torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool)}
_ITEMSIZE = {name: torch.empty((), dtype=dtype).element_size() for name, dtype in _DTYPES.items()}
_TAG = "__tensor__"


class WireError(ValueError):
    pass


def encode(obj) -> bytes:
    tensors, blobs, offset = [], [], 0

    def walk(value):
        nonlocal offset
        if type(value) is torch.Tensor:
            # A meta tensor has a shape and a dtype but no data: it travels without bytes.
            flat = value.detach().reshape(-1) if value.is_meta else value.detach().to("cpu").contiguous().reshape(-1)
            blob = flat.view(torch.uint8).numpy().tobytes() if flat.numel() and not value.is_meta else b""
            tensors.append({"dtype": str(flat.dtype).replace("torch.", ""), "shape": list(value.shape),
                            "device": value.device.type, "offset": offset, "nbytes": len(blob)})
            blobs.append(blob)
            offset += len(blob)
            return {_TAG: len(tensors) - 1}
        if isinstance(value, dict):
            return {str(k): walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"cannot send a {type(value).__name__}")

    header = json.dumps({"body": walk(obj), "tensors": tensors}).encode()
    return _LEN.pack(len(header)) + header + b"".join(blobs)


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
        tensors = [_tensor(spec, data, start) for spec in specs]
        body = header["body"]
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise WireError(f"malformed frame: {exc}") from None
    return _rebuild(body, tensors)


def _tensor(spec: dict, data: bytes, base: int) -> torch.Tensor:
    dtype, itemsize = _DTYPES[spec["dtype"]], _ITEMSIZE[spec["dtype"]]
    shape = [int(d) for d in spec["shape"]]
    if any(d < 0 for d in shape):
        raise ValueError("negative dimension")
    device = spec["device"]
    if device not in ("cpu", "cuda", "meta"):
        raise ValueError(f"unknown device {device!r}")
    nbytes, offset = int(spec["nbytes"]), int(spec["offset"])
    expected = 0 if device == "meta" else math.prod(shape) * itemsize
    if nbytes != expected or offset < 0 or base + offset + nbytes > len(data):
        raise ValueError("tensor bytes do not match its shape")
    if device == "meta" or nbytes == 0:
        return torch.empty(shape, dtype=dtype, device=device)
    raw = bytearray(data[base + offset: base + offset + nbytes])
    tensor = torch.frombuffer(raw, dtype=torch.uint8).view(dtype).reshape(shape)
    return tensor.to(device) if device != "cpu" else tensor


def _rebuild(value, tensors):
    if isinstance(value, dict):
        if set(value) == {_TAG}:
            index = value[_TAG]
            if not isinstance(index, int) or not 0 <= index < len(tensors):
                raise WireError("bad tensor reference")
            return tensors[index]
        return {k: _rebuild(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebuild(v, tensors) for v in value]
    return value
