"""Landlock (Linux 5.13+, unprivileged): confine this process to a few paths, no TCP, no signals out.

The rule: once :func:`restrict` returns, this thread and everything it later starts may use the
filesystem only beneath the paths it was given (``read`` for reading, ``write`` for everything
but executing), may neither bind nor connect a TCP socket (ABI 4+), and may neither signal nor
reach through an abstract unix socket any process outside its own Landlock domain (ABI 6+):
the zygote and the grader are outside. Access rights the running kernel does not know are left
out, so each ABI gets what it can enforce; :func:`abi` says which one that is (0: none). Files
opened before the call stay usable. Restricting can never be undone, only narrowed further.
"""
from __future__ import annotations

import ctypes
import functools
import os
import platform
import stat

# Syscall numbers are the same on every architecture (added after the tables were unified).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

# Filesystem access rights and the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1
READ = READ_FILE | READ_DIR

_PR_SET_NO_NEW_PRIVS = 38


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@functools.lru_cache(maxsize=None)
def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")
    return result


@functools.lru_cache(maxsize=None)
def abi() -> int:
    """The Landlock ABI version of the running kernel; 0 where there is none (not Linux, too old,
    or Landlock not enabled at boot)."""
    if platform.system() != "Linux":  # elsewhere the same syscall number is some other call
        return 0
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def fs_rights(version: int) -> int:
    """Every filesystem right the ABI ``version`` can deny."""
    rights = _FS_ABI1
    if version >= 2:
        rights |= _REFER
    if version >= 3:
        rights |= _TRUNCATE
    if version >= 5:
        rights |= _IOCTL_DEV
    return rights


def restrict(read=(), write=()) -> int:
    """Confine this process as the module docstring says; returns the ABI enforced.

    ``read``/``write``: paths (files or directories; a directory covers what is beneath it). A
    path that does not exist is skipped. Raises OSError where Landlock is missing or fails."""
    version = abi()
    if version < 1:
        raise OSError("Landlock is not available in this kernel")
    libc = _libc()
    handled = fs_rights(version)
    attr = _RulesetAttr(handled, (_NET_BIND_TCP | _NET_CONNECT_TCP) if version >= 4 else 0,
                        (_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if version >= 6 else 0)
    ruleset = _check(libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                                  ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for paths, rights in ((read, READ), (write, handled & ~EXECUTE)):
            for path in paths:
                _allow(libc, ruleset, path, rights)
        # Without no_new_privs only a process with CAP_SYS_ADMIN may restrict itself.
        _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return version


def _allow(libc, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):  # directory-only rights are refused on a file
            rights &= WRITE_FILE | READ_FILE | EXECUTE | _TRUNCATE | _IOCTL_DEV
        rule = _PathBeneathAttr(rights, fd)
        _check(libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0)),
               f"landlock_add_rule({path})")
    finally:
        os.close(fd)
