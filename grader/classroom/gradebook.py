"""From per-student result files to a class's gradebook CSV, summary and per-exercise picture.

Reads the files one at a time and keeps only scores and counts, so memory does not grow with
the size of each report. Exercise columns follow the order of the first result read. Rules: every
row has a quiz column and a percent; every total is out of the same maximum (a student who could
not be graded still carries the quiz's max_score); the case statistics count only students who
started the exercise, and every ranking breaks ties by name, so the summary is the same each run.
The CSV's text cells start with a quote where a spreadsheet would otherwise run them as a formula.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .run import STUDENTS_DIR

GRADEBOOK = "gradebook.csv"
SUMMARY_JSON = "summary.json"
SUMMARY_MD = "summary.md"
HISTOGRAM = "histogram.png"
EXERCISES_PNG = "exercises.png"
TOP_FAILURES = 3
NO_PLOT = "no plots: matplotlib is not installed (pip install 'torch-loss-grader[plot]')"


@dataclass
class ExerciseStats:
    max_score: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    failing_kinds: Counter = field(default_factory=Counter)  # case kind -> students who started and fail it
    started: int = 0
    score_sum: float = 0.0
    skipped: Counter = field(default_factory=Counter)  # why -> cases this torch could not run (alike for all)


@dataclass
class Book:
    exercises: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # dict per student, in student order
    stats: dict = field(default_factory=dict)  # exercise -> ExerciseStats
    quiz_max: float = 0.0


def student_files(out: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((out / STUDENTS_DIR).glob("*.json"))}


def read(files: dict[str, Path]) -> Book:
    book = Book()
    for student in sorted(files):
        data = json.loads(files[student].read_text(encoding="utf-8"))
        row = {"student": student}
        for ex in data["exercises"]:
            if ex["name"] not in book.stats:
                book.exercises.append(ex["name"])
                book.stats[ex["name"]] = ExerciseStats(max_score=ex["max_score"])
            _tally(book.stats[ex["name"]], ex)
            row[ex["name"]] = ex["score"]
        quiz = data.get("quiz") or {}
        book.quiz_max = max(book.quiz_max, quiz.get("max_score", 0.0))
        row.update(quiz=quiz.get("score", 0.0), total=data["score"], max_score=data["max_score"],
                   note=_note(data["exercises"]))
        book.rows.append(row)
    for row in book.rows:
        row["percent"] = round(100 * row["total"] / row["max_score"], 2) if row["max_score"] else 0.0
    return book


def not_started(ex: dict) -> bool:
    return ex["status"] == "missing" or ex.get("feedback", "").startswith("not started")


def _tally(stats: ExerciseStats, ex: dict) -> None:
    stats.statuses[ex["status"]] += 1
    if ex.get("skipped") and not stats.skipped:  # "case: why", the same cases for every student
        stats.skipped.update(entry.rsplit(": ", 1)[-1] for entry in ex["skipped"])
    stats.score_sum += ex["score"]
    if not_started(ex):
        return
    stats.started += 1
    if ex["status"] == "failed":  # a timeout or crash fails every case, whatever its kind
        stats.failing_kinds.update({c["kind"] for c in ex["cases"] if not c["passed"]})


def _note(exercises: list) -> str:
    """Why a student got nothing at all, when the whole submission failed the same way."""
    statuses = {ex["status"] for ex in exercises}
    if len(statuses) == 1 and statuses & {"timeout", "error", "missing"} and not any(ex["score"] for ex in exercises):
        return exercises[0]["feedback"].splitlines()[0][:200] if exercises else ""
    return ""


def write(book: Book, out: Path, say=lambda _line: None) -> list[Path]:
    """Write the gradebook, the summary and (with matplotlib) the plots into ``out``; returns the
    files written. ``say`` gets a one-line note when the plots are skipped."""
    written = [_write_csv(book, out / GRADEBOOK)]
    summary = summarise(book)
    (out / SUMMARY_JSON).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (out / SUMMARY_MD).write_text(markdown(summary), encoding="utf-8")
    written += [out / SUMMARY_JSON, out / SUMMARY_MD]
    for line in skipped_cases(summary):
        say(f"warning: {line.replace('`', '')}: no student is graded on them (see {SUMMARY_MD}, and run "
            "`grade check-course` on the pack)")
    try:
        written += _plots(book, summary, out)
    except ImportError:
        say(NO_PLOT)
    return written


def _write_csv(book: Book, path: Path) -> Path:
    columns = ["student", *book.exercises, "quiz", "total", "max_score", "percent", "note"]
    # A folder name that is not UTF-8 (the OS hands it over as surrogates) is written escaped.
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows({**row, "student": spreadsheet_text(row["student"]), "note": spreadsheet_text(row["note"])}
                         for row in book.rows)
    return path


# What a spreadsheet reads as the start of a formula, and the quote that marks text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_text(text: str) -> str:
    """``text`` for a CSV cell that Excel or Sheets never runs as a formula (student folder names are
    the students' choice): a leading quote, also before one already there, so
    :func:`from_spreadsheet` gives back exactly ``text``."""
    return "'" + text if text[:1] in _FORMULA_START else text


def from_spreadsheet(text: str) -> str:
    return text[1:] if text[:1] == "'" else text


def _ranked(counter: Counter, top: int) -> list:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top]


def summarise(book: Book) -> dict:
    count = len(book.rows)
    totals = [row["total"] for row in book.rows]
    return {
        "students": count,
        "max_score": max((row["max_score"] for row in book.rows), default=0.0),
        "quiz_max_score": book.quiz_max,
        "mean_score": round(sum(totals) / count, 4) if count else 0.0,
        "mean_quiz": round(sum(row["quiz"] for row in book.rows) / count, 4) if count else 0.0,
        "exercises": {
            name: {
                "pass_rate": round(stats.statuses["passed"] / count, 4) if count else 0.0,
                "started": stats.started,
                "pass_rate_of_started": round(stats.statuses["passed"] / stats.started, 4) if stats.started else 0.0,
                "mean_score": round(stats.score_sum / count, 4) if count else 0.0,
                "max_score": stats.max_score,
                "statuses": dict(_ranked(stats.statuses, len(stats.statuses))),
                "most_failed_kinds": [{"kind": kind, "students": n}
                                      for kind, n in _ranked(stats.failing_kinds, TOP_FAILURES)],
                "skipped_cases": dict(sorted(stats.skipped.items())),
            }
            for name, stats in book.stats.items()
        },
    }


def markdown(summary: dict) -> str:
    lines = [f"# Class summary: {summary['students']} students, mean {summary['mean_score']:g} / {summary['max_score']:g}",
             "", "Pass rates count every student; the failing case kinds count only students who started "
             "the exercise.", "",
             "| Exercise | Pass rate | Started | Passed of started | Mean | Statuses | Most failed case kinds |",
             "|---|---:|---:|---:|---:|---|---|"]
    for name, ex in summary["exercises"].items():
        statuses = ", ".join(f"{s} {n}" for s, n in ex["statuses"].items())
        kinds = "; ".join(f"{_cell(k['kind'])} ({k['students']})" for k in ex["most_failed_kinds"])
        lines.append(f"| `{name}` | {100 * ex['pass_rate']:.0f}% | {ex['started']} | "
                     f"{100 * ex['pass_rate_of_started']:.0f}% | {ex['mean_score']:.2f} / {ex['max_score']:g} "
                     f"| {statuses} | {kinds} |")
    if summary["quiz_max_score"]:
        lines += ["", f"Quiz: mean {summary['mean_quiz']:g} / {summary['quiz_max_score']:g}"]
    skipped = skipped_cases(summary)
    if skipped:
        lines += ["", "## Cases not graded", "", "This torch could not run these cases, so no student's score counts "
                  "them. A misspelled parameter in the course pack looks the same as one only a newer torch has: "
                  "`grade check-course` tells them apart.", "", *(f"- {line}" for line in skipped)]
    return "\n".join(lines) + "\n"


def skipped_cases(summary: dict) -> list[str]:
    """One line per exercise and reason: cases that no student was graded on."""
    return [f"`{name}`: {count} case(s): {_cell(why)}" for name, ex in summary["exercises"].items()
            for why, count in ex.get("skipped_cases", {}).items()]


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a '|' would end the cell (a case kind such as 'slope of |x| at 0')."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _plots(book: Book, summary: dict, out: Path) -> list[Path]:
    """A score histogram and the per-exercise picture (needs ``pip install 'torch-loss-grader[plot]'``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3.5))
    max_score = summary["max_score"]
    axes.hist([row["total"] for row in book.rows], bins=min(20, max(5, len(book.rows) // 3)),
              range=(0, max_score or 1), color="#4477aa")
    axes.set_xlabel(f"total score (out of {max_score:g})")
    axes.set_ylabel("students")
    figure.tight_layout()
    figure.savefig(out / HISTOGRAM, dpi=100)
    plt.close(figure)
    return [out / HISTOGRAM, _exercise_plot(plt, summary, out / EXERCISES_PNG)]


def _exercise_plot(plt, summary: dict, path: Path) -> Path:
    """One bar per exercise: passed / started but not passed / not started, with the most failed kind."""
    names = list(summary["exercises"])[::-1]  # matplotlib draws the first bar at the bottom
    students = summary["students"] or 1
    passed = [summary["exercises"][n]["statuses"].get("passed", 0) / students for n in names]
    started = [summary["exercises"][n]["started"] / students for n in names]
    figure, axes = plt.subplots(figsize=(9, 0.35 * len(names) + 1.2))
    axes.barh(names, passed, color="#228833", label="passed")
    axes.barh(names, [s - p for s, p in zip(started, passed)], left=passed, color="#ee6677", label="started, not passed")
    axes.barh(names, [1 - s for s in started], left=started, color="#bbbbbb", label="not started")
    for y, name in enumerate(names):
        kinds = summary["exercises"][name]["most_failed_kinds"]
        if kinds:
            axes.text(1.01, y, f"{kinds[0]['kind']} ({kinds[0]['students']})", va="center", fontsize=7)
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of students (right: the case kind most students who started fail)")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
