"""From per-student result files to a class's gradebook CSV and summary.

Reads the files one at a time and keeps only scores and counts, so memory does not grow with
the size of each report. Exercise columns follow the order of the first result read.
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
TOP_FAILURES = 3


@dataclass
class ExerciseStats:
    max_score: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    failing_kinds: Counter = field(default_factory=Counter)  # case kind -> students failing it
    score_sum: float = 0.0


@dataclass
class Book:
    exercises: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # dict per student, in student order
    stats: dict = field(default_factory=dict)  # exercise -> ExerciseStats
    has_quiz: bool = False


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
        if data.get("quiz"):
            book.has_quiz = True
            row["quiz"] = data["quiz"].get("score", 0.0)
        row.update(total=data["score"], max_score=data["max_score"], note=_note(data["exercises"]))
        book.rows.append(row)
    return book


def _tally(stats: ExerciseStats, ex: dict) -> None:
    stats.statuses[ex["status"]] += 1
    stats.score_sum += ex["score"]
    if ex["status"] == "failed":  # a timeout or crash fails every case, whatever its kind
        stats.failing_kinds.update({c["kind"] for c in ex["cases"] if not c["passed"]})


def _note(exercises: list) -> str:
    """Why a student got nothing at all, when the whole submission failed the same way."""
    statuses = {ex["status"] for ex in exercises}
    if len(statuses) == 1 and statuses & {"timeout", "error", "missing"} and not any(ex["cases"] for ex in exercises):
        return exercises[0]["feedback"].splitlines()[0][:200] if exercises else ""
    return ""


def write(book: Book, out: Path) -> list[Path]:
    """Write the gradebook and the summary into ``out``; returns the files written."""
    written = [_write_csv(book, out / GRADEBOOK)]
    summary = summarise(book)
    (out / SUMMARY_JSON).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (out / SUMMARY_MD).write_text(_markdown(summary), encoding="utf-8")
    written += [out / SUMMARY_JSON, out / SUMMARY_MD]
    if _histogram([row["total"] for row in book.rows], summary["max_score"], out / HISTOGRAM):
        written.append(out / HISTOGRAM)
    return written


def _write_csv(book: Book, path: Path) -> Path:
    columns = ["student", *book.exercises, *(["quiz"] if book.has_quiz else []), "total", "max_score", "note"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(book.rows)
    return path


def summarise(book: Book) -> dict:
    count = len(book.rows)
    totals = [row["total"] for row in book.rows]
    return {
        "students": count,
        "max_score": max((row["max_score"] for row in book.rows), default=0.0),
        "mean_score": round(sum(totals) / count, 4) if count else 0.0,
        "exercises": {
            name: {
                "pass_rate": round(stats.statuses["passed"] / count, 4) if count else 0.0,
                "mean_score": round(stats.score_sum / count, 4) if count else 0.0,
                "max_score": stats.max_score,
                "statuses": dict(stats.statuses.most_common()),
                "most_failed_kinds": [{"kind": kind, "students": n}
                                      for kind, n in stats.failing_kinds.most_common(TOP_FAILURES)],
            }
            for name, stats in book.stats.items()
        },
    }


def _markdown(summary: dict) -> str:
    lines = [f"# Class summary: {summary['students']} students, mean {summary['mean_score']:g} / {summary['max_score']:g}",
             "", "| Exercise | Pass rate | Mean | Statuses | Most failed case kinds |", "|---|---:|---:|---|---|"]
    for name, ex in summary["exercises"].items():
        statuses = ", ".join(f"{s} {n}" for s, n in ex["statuses"].items())
        kinds = "; ".join(f"{k['kind']} ({k['students']})" for k in ex["most_failed_kinds"])
        lines.append(f"| `{name}` | {100 * ex['pass_rate']:.0f}% | {ex['mean_score']:.2f} / {ex['max_score']:g} "
                     f"| {statuses} | {kinds} |")
    return "\n".join(lines) + "\n"


def _histogram(totals: list, max_score: float, path: Path) -> bool:
    """A score histogram when matplotlib is installed (``pip install 'grader[plot]'``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.hist(totals, bins=min(20, max(5, len(totals) // 3)), range=(0, max_score or 1), color="#4477aa")
    axes.set_xlabel(f"total score (out of {max_score:g})")
    axes.set_ylabel("students")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True
