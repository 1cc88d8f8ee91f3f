"""Progress of a batch for logs (Slurm, CI) where no progress bar can redraw itself.

Rule: one plain line every ``every`` students (default: every 10 % of the batch), and at the
end, each with the count, the rate and the time left at that rate.
"""
from __future__ import annotations

import time


def lines(total: int, write, every: int | None = None, clock=time.monotonic):
    """A callable to call once per graded student; it calls ``write(line)`` when a line is due."""
    step = every or max(1, total // 10)
    started, done = clock(), 0

    def tick(_outcome=None):
        nonlocal done
        done += 1
        if done % step and done != total:
            return
        elapsed = max(clock() - started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate
        write(f"graded {done}/{total} ({100 * done // total}%), {60 * rate:.1f} students/min, "
              f"{_clock(elapsed)} elapsed, ETA {_clock(left)}")

    return tick


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
