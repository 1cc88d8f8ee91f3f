"""Errors the CLI turns into one-line messages instead of tracebacks."""


class GraderError(Exception):
    """A problem with what the user asked for or gave us (not a bug in the grader)."""


class CourseError(GraderError):
    """A course pack that cannot be used; the message names the file and line."""


class UsageError(GraderError):
    """Bad command-line input that click itself cannot detect (unknown day, missing folder...)."""
