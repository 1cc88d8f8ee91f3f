"""Read a learner's file without trusting it: a regular file, never through a link, bounded in size.

A submission folder is learner-controlled, and the grader may run as root over a whole class. So
a file is opened with ``O_NOFOLLOW`` (a symlink to a root-only file or to ``/proc/self/mem`` is
refused, not followed) and ``O_NONBLOCK`` (opening a FIFO must not wait for a writer), then
``fstat``-ed: anything but a regular file is refused, and a file over the limit is refused before
a byte is read. The read itself stops at the limit too, whatever ``st_size`` said. Files are
opened relative to their folder's descriptor, and that folder itself is opened with
``O_NOFOLLOW``, so a day folder that is a link is refused rather than followed out of the
submission.
"""
from __future__ import annotations

import errno
import os
import stat

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class Refused(Exception):
    """The file cannot be used; the message names it and says what to submit instead."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_folder(path, shown: str) -> int:
    """A descriptor of the folder ``path``, refusing a symlink in its last component."""
    try:
        return os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise Refused(f"{shown} is a symbolic link: submit a real folder") from None
        if exc.errno == errno.ENOTDIR:
            raise Refused(f"{shown} is not a folder") from None
        raise Refused(f"{shown} cannot be opened: {exc.strerror}") from None


def read_bytes(name: str, limit: int, folder_fd: int | None = None, shown: str | None = None) -> bytes:
    """The content of the regular file ``name`` (relative to ``folder_fd`` when given), at most
    ``limit`` bytes; :class:`Refused` for a link, a non-regular file, a larger file, or a read error.
    FileNotFoundError propagates so callers can say "missing" in their own words."""
    shown = shown or os.path.basename(name)
    flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _NOCTTY
    try:
        fd = os.open(name, flags, dir_fd=folder_fd)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW's answer for a symlink
            raise Refused(f"{shown} is a symbolic link: submit a regular file") from None
        raise Refused(f"{shown} cannot be opened: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{shown} is {_kind(info.st_mode)}: submit a regular file")
        if info.st_size > limit:
            raise Refused(f"{shown} is larger than {limit} bytes")
        return _read_at_most(fd, limit, shown)
    finally:
        os.close(fd)


def _read_at_most(fd: int, limit: int, shown: str) -> bytes:
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise Refused(f"{shown} cannot be read: {exc.strerror}") from None
    if size > limit:  # it grew after fstat, or fstat's size was not the truth (/proc, /sys)
        raise Refused(f"{shown} is larger than {limit} bytes")
    return b"".join(chunks)
