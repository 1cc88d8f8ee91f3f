"""Watch mode: re-grade an exercise whenever its file is saved, then point at the next one to do.

Polling file modification times is cheap (a stat per exercise every half second) and needs no
watcher library; one warm Grader serves every re-grade.
"""
from __future__ import annotations

import signal
import time
from pathlib import Path

from . import progress
from ..reports.text import exercise_lines


class Watcher:
    def __init__(self, grader, submission: Path, echo, colour: bool = False):
        self.grader = grader
        self.submission = Path(submission)
        self.folder = self.submission / grader.day.name
        self.echo = echo  # echo(text, **click style)
        self.colour = colour
        self.width = max(len(e.name) for e in grader.day.exercises)
        self.items = {}
        self.stamps = self._stamps()

    def _stamps(self) -> dict:
        stamps = {}
        for spec in self.grader.day.exercises:
            try:
                st = (self.folder / f"{spec.name}.py").stat()
                stamps[spec.name] = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamps[spec.name] = None
        return stamps

    def start(self) -> None:
        self._update(progress.survey(self.grader, self.submission))
        self._show_next()

    def changed(self) -> list[str]:
        now = self._stamps()
        names = [name for name, stamp in now.items() if stamp != self.stamps.get(name)]
        self.stamps = now
        return names

    def step(self) -> bool:
        """Re-grade what changed since the last step; True if anything did."""
        names = self.changed()
        if not names:
            return False
        fresh = progress.survey(self.grader, self.submission, names)
        self._update(fresh)
        for item in fresh:
            self.echo(f"\n{time.strftime('%H:%M:%S')} {item.name}.py changed:")
            self._show(item)
        self._show_next(skip=names)
        return True

    def _update(self, items) -> None:
        for item in items:
            self.items[item.name] = item

    def _show(self, item) -> None:
        if item.result is not None:
            for line in exercise_lines(item.result, self.width, self.colour):
                self.echo(line)
        else:
            self.echo(f"  {item.name}: {item.state}")

    def _show_next(self, skip=()) -> None:
        ordered = [self.items[s.name] for s in self.grader.day.exercises]
        done = sum(i.state == progress.PASSING for i in ordered)
        upcoming = progress.next_exercise(ordered)
        self.echo(f"\n{done}/{len(ordered)} exercises passing.", bold=True)
        if upcoming is None:
            self.echo("Every exercise passes. Well done! (Ctrl-C to stop watching)", fg="green")
            return
        if upcoming.name not in skip and upcoming.result is not None:
            self._show(upcoming)
        self.echo(f"Next: {self.folder / upcoming.name}.py ({upcoming.state}); "
                  f"save it to re-grade, `grade hint {self.grader.day.name} {upcoming.name}` for a hint. Ctrl-C stops.")

    def run(self, interval: float = 0.5) -> None:
        """Poll until Ctrl-C. A Ctrl-C during a re-grade lets that grade finish, then stops."""
        grading = {"busy": False, "stop": False}

        def interrupt(signum, frame):
            grading["stop"] = True
            if not grading["busy"]:
                raise KeyboardInterrupt

        previous = signal.signal(signal.SIGINT, interrupt)
        try:
            while not grading["stop"]:
                time.sleep(interval)
                grading["busy"] = True
                self.step()
                grading["busy"] = False
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGINT, previous)
