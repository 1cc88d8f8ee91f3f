"""Errors the CLI turns into one-line messages instead of tracebacks."""


class GraderError(Exception):
    """A problem with what the user asked for or gave us (not a bug in the grader)."""


class CourseError(GraderError):
    """A course pack that cannot be used; the message names the file and line."""


class UsageError(GraderError):
    """Bad command-line input that click itself cannot detect (unknown day, missing folder...)."""


def did_you_mean(word: str, choices) -> str:
    """' (did you mean 'x'?)' for the closest of ``choices`` to a mistyped ``word``, else ''."""
    import difflib

    choices = list(choices)
    # A file name typed for its exercise ('mse_loss.py'), or the start of one name ('mse', 'kl').
    stem = word.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".py")
    starting = [c for c in choices if c.startswith(stem)] if stem else []
    close = [stem] if stem in choices else starting if len(starting) == 1 else \
        difflib.get_close_matches(word, choices, n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""
