"""Which files of a course pack the grader may execute or treat as secret.

A pack's ``conftest.py`` runs inside the grader's own process and its ``secret`` keys every
hidden case, so either is honoured only when nobody but the grading user (or root) can have
written it: the file and the folder holding it are owned by that user or by root, neither is
group- or world-writable, and the file is a regular file, not a symbolic link. Anything else is
refused with a one-line :class:`CourseError`, never silently used or silently skipped.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import CourseError


def _problem(st: os.stat_result) -> str | None:
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if st.st_uid not in (0, os.geteuid()):
        return f"is owned by uid {st.st_uid}, not by the grading user or root"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "is group- or world-writable"
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return None
    return "is not a regular file"


def trusted_file(path: Path, role: str) -> bool:
    """Whether ``path`` exists; raises CourseError when it exists but others could have written it
    (or its folder). ``role`` says what the file is for, e.g. "pytest hooks"."""
    try:
        st, folder = os.lstat(path), os.stat(path.parent)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CourseError(f"{path}: cannot check who may write it: {exc.strerror}") from None
    for where, info in ((path.parent, folder), (path, st)):
        problem = _problem(info)
        if problem:
            raise CourseError(f"{path}: not used as the pack's {role}: {where} {problem} "
                              "(make it owned by the grading user and not writable by others)")
    return True
