"""Length-prefixed frames between the grader, the zygote and its children."""
from __future__ import annotations

import json
import os
import struct

_LEN = struct.Struct("<Q")


class ProtocolError(Exception):
    pass


def write_frame(fd: int, data: bytes) -> None:
    write_frames(fd, [data])


def write_frames(fd: int, frames: list) -> None:
    """Several frames in one write: a thread that must win the GIL back after each blocking
    write waits up to the switch interval each time a busy thread holds it."""
    _write_all(fd, b"".join(_LEN.pack(len(data)) + data for data in frames))


def write_json(fd: int, obj) -> None:
    write_frame(fd, json.dumps(obj).encode())


def read_frame(fd: int, limit: int | None = None) -> bytes | None:
    """One frame, or None at a clean end of stream."""
    head = _read_exact(fd, _LEN.size)
    if head is None:
        return None
    (size,) = _LEN.unpack(head)
    if limit is not None and size > limit:
        raise ProtocolError(f"frame of {size} bytes exceeds the {limit}-byte limit")
    data = _read_exact(fd, size)
    if data is None:
        raise ProtocolError("stream ended inside a frame")
    return data


def read_frame_into(fd: int) -> bytearray | None:
    """One frame, read straight into a bytearray of its own (no other copy of it is made here),
    which the caller can wipe once done with it; None at a clean end of stream."""
    head = _read_exact(fd, _LEN.size)
    if head is None:
        return None
    (size,) = _LEN.unpack(head)
    data = bytearray(size)
    view, done = memoryview(data), 0
    while done < size:
        got = os.readv(fd, [view[done:done + (1 << 20)]])
        if not got:
            raise ProtocolError("stream ended inside a frame")
        done += got
    return data


def read_json(fd: int):
    data = read_frame(fd)
    return None if data is None else json.loads(data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes; None if the stream ends before the first byte."""
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            if chunks:
                raise ProtocolError("stream ended inside a frame")
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
