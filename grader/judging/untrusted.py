"""Learner-controlled text on its way into a report: bounded, and unable to drive a terminal.

Every string that comes from a job (error messages, type names, printed output, import errors,
trap reports) or from a learner's own files (quiz answers) passes through :func:`text` where the
grader first puts it into a message: it is cut to a length, then every control character other than
newline and tab (ESC and the rest of C0 and C1, line and paragraph separators, bidirectional
overrides) and every lone surrogate (no UTF-8 stream can write one: the report would fail) is
written as a ``\\xNN``/``\\uNNNN`` escape. Reports then render it as they would any text. With
the course fixing how many cases an exercise has, this bounds an exercise's share of any report
whatever the job produced.
"""
from __future__ import annotations

import re

MESSAGE_CHARS = 2000  # an error message: room for a traceback line and a shape or two
OUTPUT_CHARS = 16_000  # printed output; the sandbox already cuts it to its byte limit
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def text(value, limit: int = MESSAGE_CHARS) -> str:
    """``value`` as report-safe text of at most about ``limit`` characters (before escaping)."""
    value = value if isinstance(value, str) else str(value)
    if len(value) > limit:
        value = f"{value[:limit]}... [{len(value) - limit} more characters cut]"
    return _CONTROL.sub(_escape, value)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

