"""Learner-controlled text on its way into a report: bounded, and unable to drive a terminal.

Every string that comes from a job (error messages, type names, printed output, import errors,
trap reports) or from a learner's own files (quiz answers) passes through :func:`text` where the
grader first puts it into a message: it is cut to a length, then every character that is not
plain text is written as a ``\\xNN``/``\\uNNNN``/``\\UNNNNNNNN`` escape: controls other than
newline and tab (ESC and the rest of C0 and C1), format characters (bidirectional marks and
overrides, zero-width characters, the tag block that can carry hidden text), line and paragraph
separators, and lone surrogates (no UTF-8 stream can write one: the report would fail).
Reports then render it as they would any text. With the course fixing how many cases an
exercise has, this bounds an exercise's share of any report whatever the job produced.
"""
from __future__ import annotations

import re
import unicodedata

MESSAGE_CHARS = 2000  # an error message: room for a traceback line and a shape or two
OUTPUT_CHARS = 16_000  # printed output; the sandbox already cuts it to its byte limit
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# Unicode's controls, format characters, surrogates and line and paragraph separators.
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def text(value, limit: int = MESSAGE_CHARS) -> str:
    """``value`` as report-safe text of at most about ``limit`` characters (before escaping)."""
    value = value if isinstance(value, str) else str(value)
    if len(value) > limit:
        value = f"{value[:limit]}... [{len(value) - limit} more characters cut]"
    if value.isascii():  # nearly every message: one pass in C
        return _ASCII_CONTROL.sub(lambda match: _escape(match.group()), value)
    return "".join(_escape(ch) if ch not in "\n\t" and unicodedata.category(ch) in _HIDDEN else ch for ch in value)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

