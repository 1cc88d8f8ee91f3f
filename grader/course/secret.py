"""The course secret: what makes hidden cases and quiz keys worthless to copy.

A secret comes from the environment (``GRADER_SECRET``) or from a ``secret`` file at the root of
a private pack, trusted on the same terms as a pack's conftest.py (:mod:`.trust`). With one,
hidden cases draw their inputs from a seed keyed with it (HMAC-SHA256 of the case id), so no
table of torch's outputs can be built offline from the public pack, while public cases keep
their public seeds; the same secret always gives the same cases, hence the same grade. Quiz keys
built with a secret are keyed hashes too (see :mod:`.quiz`). The secret never reaches a job.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import zlib
from pathlib import Path

from . import trust
from ..errors import CourseError

SECRET_ENV = "GRADER_SECRET"
SECRET_FILE = "secret"
_MAX_BYTES = 4096


def load(root: Path) -> bytes | None:
    """The secret for the pack at ``root``: the environment's, else the pack's file, else None."""
    given = os.environ.get(SECRET_ENV, "")
    if given:
        return given.encode()
    path = root / SECRET_FILE
    if not trust.trusted_file(path, "secret"):
        return None
    if os.stat(path).st_mode & 0o077:  # as ssh does for a key: a job under another uid could read it
        raise CourseError(f"{path}: a secret must be readable by its owner alone (chmod 600 {path})")
    with open(path, "rb") as fh:
        value = fh.read(_MAX_BYTES + 1).strip()
    if not value or len(value) > _MAX_BYTES:
        raise CourseError(f"{path}: a secret must be 1 to {_MAX_BYTES} bytes")
    return value


def case_seed(case_id: str, secret: bytes | None) -> int:
    """The generator seed of a case: public from its id, or keyed with ``secret`` when given."""
    if secret is None:
        return zlib.crc32(case_id.encode())
    return int.from_bytes(hmac.new(secret, case_id.encode(), hashlib.sha256).digest()[:8], "big")


def keyed(secret: bytes | None, digest: bytes) -> bytes:
    """``digest`` unchanged without a secret, else its HMAC under the secret."""
    return digest if secret is None else hmac.new(secret, digest, hashlib.sha256).digest()
