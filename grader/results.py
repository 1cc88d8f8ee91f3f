"""What grading produced: plain data that every report format renders."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal, get_args

# The closed list of what can become of an exercise; every report renders each one.
Status = Literal["passed", "failed", "error", "timeout", "crashed", "missing", "forbidden"]
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass
class CaseResult:
    id: str
    name: str  # e.g. "weight with zeros (reduction='sum', float32)"
    kind: str
    public: bool
    passed: bool
    score: float
    max_score: float
    params: dict = field(default_factory=dict)
    dtype: str = ""
    message: str = ""  # what differed, in learner terms; never hidden expected numbers
    problem: str = ""  # machine-readable failure kind: values, dtype, shape, missing, error, ...
    what: str = ""  # 'value' or 'gradient w.r.t. <input>'
    call: str = ""  # the call as the learner would write it (inputs shown for public cases)
    hint: str = ""  # a recognised common mistake, if any
    example: str = ""  # public cases only: the inputs, the call, and your output vs expected
    output: str = ""  # what the learner's code printed while running this case (bounded)


@dataclass
class ExerciseResult:
    name: str
    status: Status
    score: float
    max_score: float
    feedback: str = ""
    cases: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # "case: reason" for cases this torch cannot run
    output: str = ""  # what the learner's code printed (truncated)
    elapsed: float = 0.0
    visibility: str = "visible"  # from the manifest: visible | hidden | after_due_date (Gradescope's terms)

    @property
    def passed_cases(self) -> int:
        return sum(c.passed for c in self.cases)


@dataclass
class DayResult:
    day: str
    title: str
    submission: str
    device: str
    exercises: list
    quiz: dict | None = None
    elapsed: float = 0.0
    sandbox: dict | None = None  # the job sandbox's level (grader.sandbox.confine.level)

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises) + (self.quiz or {}).get("score", 0.0), 4)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises) + (self.quiz or {}).get("max_score", 0.0), 4)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def to_dict(self) -> dict:
        return {
            "day": self.day,
            "score": self.score,
            "max_score": self.max_score,
            "submission": self.submission,
            "device": self.device,
            "elapsed": round(self.elapsed, 3),
            "exercises": [
                {
                    "name": e.name,
                    "score": round(e.score, 4),
                    "max_score": e.max_score,
                    "status": e.status,
                    "feedback": e.feedback,
                    "cases": [_case_dict(c) for c in e.cases],
                    "skipped": e.skipped,
                    "output": e.output,
                    "visibility": e.visibility,
                }
                for e in self.exercises
            ],
            "quiz": self.quiz,
            "sandbox": self.sandbox,
        }


def _case_dict(case: CaseResult) -> dict:
    # Not dataclasses.asdict: its deep copies were a tenth of a batch's time per student.
    data = {name: getattr(case, name) for name in _CASE_FIELDS}
    data["score"], data["max_score"] = round(data["score"], 6), round(data["max_score"], 6)  # alike: a passed case reads score == max_score
    return data


_CASE_FIELDS = tuple(f.name for f in fields(CaseResult))
