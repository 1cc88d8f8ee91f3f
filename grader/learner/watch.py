"""Watch mode: re-grade an exercise (or the quiz) whenever its file is saved, then point at the next
thing to do. It opens on the current failure, from the result cache when nothing changed.

Polling file modification times is cheap (a stat per exercise every half second) and needs no
watcher library; one warm Grader serves every re-grade.
"""
from __future__ import annotations

import signal
import time
from pathlib import Path

from . import progress
from ..errors import UsageError
from ..reports.text import exercise_lines, quiz_lines
from ..submission import open_submission, quiz_root


class Watcher:
    def __init__(self, grader, submission: Path, echo, colour: bool = False, cache=None, options: str = ""):
        day = grader.day
        self.grader = grader
        self.outline = progress.Outline(day.name, day.title, day.folder, tuple(e.name for e in day.exercises))
        self.submission = Path(submission)
        self.folder = self.submission / day.name
        self.echo = echo  # echo(text, **click style)
        self.colour = colour
        self.cache = cache
        self.options = options  # repeated in the commands suggested
        self.width = max(len(n) for n in self.outline.exercises)
        self.items = {}
        self._notebook = (None, {})  # a notebook's (mtime, size) and its exercises' texts then
        self.stamps = self._stamps()

    def _stamps(self) -> dict:
        """What tells a save: each file's (mtime, size); in a notebook, each exercise's source
        text, so saving the notebook re-grades only the functions whose cells changed."""
        files = {} if self.submission.is_file() else \
            {name: self.folder / f"{name}.py" for name in self.outline.exercises}
        if self.outline.has_quiz:
            files[progress.QUIZ] = Path(quiz_root(self.submission)) / self.outline.name / "quiz_answers.yaml"
        stamps = {name: _stat(path) for name, path in files.items()}
        if self.submission.is_file():
            stamps.update(self._notebook_stamps())
        return stamps

    def _notebook_stamps(self) -> dict:
        notebook = _stat(self.submission)
        if self._notebook[0] != notebook:
            try:
                opened = open_submission(self.submission, self.outline.name)
                texts = {name: progress.source_text(opened, name) for name in self.outline.exercises}
            except UsageError:  # saved half-written: wait for the next save
                texts = {}
            self._notebook = (notebook, texts)
        return self._notebook[1]

    def _grade(self, names):
        return self.grader.grade(self.submission, names).exercises

    def _survey(self, names=None) -> list:
        exercises = [n for n in (names or self.outline.exercises) if n != progress.QUIZ]
        fresh = progress.survey(self.outline, self.submission, self._grade, self.cache, exercises) if exercises else []
        if (names is None or progress.QUIZ in names) and self.outline.has_quiz:
            fresh.append(progress.quiz_progress(self.outline, self.submission, self.cache))
        for item in fresh:
            self.items[item.name] = item
        return fresh

    def start(self) -> None:
        """Open on where the learner stands: the current failure, explained, and what is next."""
        self._survey()
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
        for item in self._survey(names):
            shown = "quiz_answers.yaml" if item.name == progress.QUIZ else \
                f"{item.name}()" if self.submission.is_file() else f"{item.name}.py"
            self.echo(f"\n{time.strftime('%H:%M:%S')} {shown} changed:")
            self._show(item)
        self._show_next(skip=names)
        return True

    def _show(self, item) -> None:
        if item.name == progress.QUIZ:
            for line in quiz_lines(item.result, self.outline.name, self.width, self.colour, self.options):
                self.echo(line)
        elif item.result is not None:
            for line in exercise_lines(item.result, self.width, self.colour):
                self.echo(line)
        else:
            self.echo(f"  {item.name}: {item.state}")

    def _show_next(self, skip=()) -> None:
        names = [*self.outline.exercises, *([progress.QUIZ] if self.outline.has_quiz else [])]
        ordered = [self.items[n] for n in names]
        exercises = [i for i in ordered if i.name != progress.QUIZ]
        done = sum(i.state == progress.PASSING for i in exercises)
        upcoming = progress.next_item(ordered)
        quiz = self.items.get(progress.QUIZ)
        quiz_state = f", quiz {quiz.state}" if quiz else ""
        self.echo(f"\n{done}/{len(exercises)} exercises passing{quiz_state}.", bold=True)
        if upcoming is None:
            self.echo(f"{self.outline.title} complete: everything passes. Well done! (Ctrl-C to stop watching)", fg="green")
            return
        if upcoming.name not in skip and upcoming.result is not None:
            self._show(upcoming)
        step = progress.next_step(self.outline.name, upcoming, self.submission, self.options)
        self.echo(f"{step}\nSave a file to re-grade it; Ctrl-C stops.")

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


def _stat(path: Path):
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return None
