"""Where the grader keeps its caches (references, learners' results, hint progress): one folder
on the trusted side, never inside a submission. ``$GRADER_CACHE_DIR`` wins; else the XDG cache
folder (``$XDG_CACHE_HOME``, ignored when relative, as the XDG spec says), else ``~/.cache``."""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

CACHE_ENV = "GRADER_CACHE_DIR"
FOLDER = "torch-loss-grader"


def cache_root() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / FOLDER


def read(path: Path, root: Path) -> bytes | None:
    """The entry's bytes, if only this user can have written them: the file and every folder from
    the cache root down to it belong to this user and no one else (no group) may write there. A digest is no
    defence against a forger, who can compute one: a cache put where others may write (say
    GRADER_CACHE_DIR=/tmp/cache on a shared lab machine) is never read, so it is recomputed, and
    another user cannot fake a learner's progress or results there."""
    try:
        if not _private_folders(path.parent, root):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            return f.read() if _private(os.fstat(f.fileno())) else None
    except OSError:
        return None


def write(path: Path, root: Path, data: bytes) -> None:
    """Atomically (a new file of mode 0600, then a rename, which replaces a link rather than
    writing through it), and only into folders no one else may write; a cache that cannot be
    written only costs time."""
    try:
        _make_private_dirs(path.parent)
        if not _private_folders(path.parent, root):
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def _private_folders(folder: Path, root: Path) -> bool:
    """``folder`` and every folder above it up to ``root`` (which ``folder`` lies under) are private."""
    while True:
        if not _private(os.stat(folder)):
            return False
        if folder == root:
            return True
        folder = folder.parent


def _private(st: os.stat_result) -> bool:
    """Owned by this user, and writable by no one else: neither by others nor by a group, not even
    the user's own primary group, which some systems share among all users (SUSE's ``users``).
    The folders and files made here are 0700 and 0600 whatever the umask."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWOTH | stat.S_IWGRP)


def _make_private_dirs(folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=0o700, exist_ok=True)
        os.chmod(new, 0o700)  # mkdir's mode is filtered by the umask
