"""Grade a submission for one day: the orchestration between course, sandbox, pytest and results.

A :class:`Grader` is built once per day and device and can grade many submissions: it expands
cases and computes references once, and keeps its sandboxed workers warm between submissions.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .course import quiz
from .cachedir import cache_root
from .judging import feedback, refcache, untrusted
from . import scan, workers
from .judging.compare import tolerance_for
from .course.manifest import Day, ExerciseSpec
from .judging.diagnose import diagnose
from .errors import UsageError
from .judging.judge import decode, judge
from .results import CaseResult, DayResult, ExerciseResult
from .sandbox import JobResult, Limits, Task, WorkerPool, wire
from .sandbox.child import ANSWERS_FRAME, IMPORT_FRAME
from .submission import Unreadable, open_submission

# pytest.main keeps process-wide state (config, plugins, sys.modules), so submissions graded from
# several threads of one Grader (``grade batch --jobs``) judge one at a time; their jobs still
# overlap. (In a batch a submission's jobs have all ended before its judging takes the lock.)
_JUDGING = threading.Lock()


_SETTINGS = threading.Lock()
_settings_held = {"users": 0, "saved": None}
_YOUNG_OBJECTS = 10_000  # allocations between collections of the youngest generation (Python's default: 700)


@contextlib.contextmanager
def grading_settings():
    """This process's settings while it grades; the caller's (a notebook's, say) come back when
    the last grading thread is done.

    - torch on one intra-op thread: its tensors are tiny, so intra-op threads only cost, and while
      the sandbox's jobs keep the other cores busy, OpenMP's waiting threads made expanding a
      day's cases ten times slower (0.06 -> 0.6 s).
    - the cyclic collector on, but collecting young objects every 10,000 allocations: at
      Python's 700, each submission's thousands of cases set off about 40 collections and every
      third submission a full one (0.3 s with torch loaded), tens of milliseconds of the grading
      process's CPU per submission (``grade`` itself starts with the collector off, for its
      imports)."""
    import torch

    with _SETTINGS:
        if not _settings_held["users"]:
            _settings_held["saved"] = torch.get_num_threads(), gc.isenabled(), gc.get_threshold()
            torch.set_num_threads(1)
            young, *older = gc.get_threshold()
            gc.set_threshold(max(young, _YOUNG_OBJECTS), *older)
            gc.enable()
        _settings_held["users"] += 1
    try:
        yield
    finally:
        with _SETTINGS:
            _settings_held["users"] -= 1
            if not _settings_held["users"]:
                threads, enabled, threshold = _settings_held["saved"]
                torch.set_num_threads(threads)
                gc.set_threshold(*threshold)
                if not enabled:
                    gc.disable()


@dataclass
class Prepared:
    """An exercise's cases with their references, computed once per grader."""

    spec: ExerciseSpec
    cases: list
    expected: dict  # case id -> reference.Expected
    skipped: list
    payload: bytes  # the cases as the worker receives them


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda was asked for, but no CUDA GPU is available here")
    if device not in ("cpu", "cuda"):
        raise UsageError(f"unknown device '{device}' (use cpu, cuda or auto)")
    return device


class Grader:
    def __init__(self, day: Day, device: str = "cpu", limits: Limits | None = None, jobs: int = 1,
                 pool: WorkerPool | None = None, cache: bool = True):
        """``pool``: workers already started with :func:`grader.workers.start` (the grader then owns
        them); by default the grader starts ``jobs`` of its own. ``cache``: keep references on disk
        (:mod:`grader.judging.refcache`) between runs."""
        self.day = day
        self.device = resolve_device(device)
        self.limits = limits or Limits()
        self._prepared: dict[str, Prepared] = {}
        self._references = refcache.References(day, self.device, cache_root() if cache else None)
        self._pool = pool or workers.start(day, jobs)

    def close(self):
        self._pool.close()
        if "_quiz_thread" in self.__dict__:  # started by a whole-day grade
            self._quiz_thread.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @functools.cached_property
    def _quiz_thread(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader-quiz")

    @functools.cached_property
    def day_quiz(self):
        """The day's quiz, loaded on the first whole-day grade (grading exercises needs none)."""
        return quiz.for_day(self.day)

    @grading_settings()
    def prepare(self, spec: ExerciseSpec) -> Prepared:
        if spec.name not in self._prepared:
            cases, expected, skipped = self._references.for_exercise(spec)
            self._prepared[spec.name] = Prepared(spec, cases, expected, skipped, job_cases(cases))
        return self._prepared[spec.name]

    def _job_input(self, spec: ExerciseSpec) -> bytes:
        """An exercise's encoded cases for its job, kept on disk beside its references, so that a
        run's jobs start before it has expanded cases and read references (checked after)."""
        if spec.name in self._prepared:
            return self._prepared[spec.name].payload
        kept = self._references.kept(spec, "job")
        if kept is not None:
            return kept
        payload = self.prepare(spec).payload
        self._references.keep(spec, "job", payload)
        return payload

    @grading_settings()
    def grade(self, submission: Path, exercises=None) -> DayResult:
        """``submission``: a folder, a notebook, or an object from grader.submission."""
        started = time.monotonic()
        files = open_submission(submission, self.day.name)  # a folder or a notebook
        specs = [self.day.exercise(n) for n in exercises] if exercises else list(self.day.exercises)
        results, runnable = {}, []
        for spec in specs:
            early, source = self._precheck(spec, files)
            if early:
                results[spec.name] = early
            else:
                runnable.append(Task(source.text, source.filename, spec.name, self._job_input(spec)))
        started_jobs = self._start_jobs(runnable)
        for name, early in results.items():  # its cases are listed all the same, so every report has the same tests
            prepared = self.prepare(self.day.exercise(name))
            early.cases = [_not_run(prepared, case, early) for case in prepared.cases]
        # The quiz counts towards the whole day, not towards one exercise. Its keys are stretched
        # hashes, which let go of the GIL: scored on a thread of its own while cases are judged.
        quiz_section = None if exercises else self._quiz_thread.submit(quiz.section_for, self.day_quiz, self.day.name,
                                                                       files.quiz_root)
        if started_jobs:
            from .judging.pytest_plugin import run_cases

            # pytest judges each exercise as soon as its task ends, while later ones still run.
            runs = {prepared.spec.name: (prepared, _Answers(future)) for prepared, future in started_jobs}
            with _JUDGING:
                judged = run_cases(self.day, runs, self._judge_case)
            for name, (prepared, answers) in runs.items():
                results[name] = _exercise_result(prepared, answers.job, judged[name], answers.by_id, answers.import_error)
        ordered = [results[s.name] for s in specs]
        for spec, result in zip(specs, ordered):
            result.visibility = spec.visibility
            notes = files.notes(spec.name) if result.status != "passed" else []
            if notes:
                result.feedback = "\n".join([result.feedback, *notes]).strip()
        return DayResult(self.day.name, self.day.title, str(files), self.device, ordered,
                         quiz=quiz_section and quiz_section.result(), elapsed=time.monotonic() - started,
                         sandbox=self._pool.sandbox)

    def _start_jobs(self, tasks: list) -> list:
        """(Prepared, future) per task. The jobs start at once, from the inputs kept on disk;
        each input is then checked against the cases judged, and one that differs (a cache
        written by another version of this code) runs again with the right one."""
        if not tasks:
            return []
        futures = self._pool.submit_all(tasks, self.device, self.limits)
        prepared = [self.prepare(self.day.exercise(task.function)) for task in tasks]
        stale = [i for i, (p, task) in enumerate(zip(prepared, tasks)) if p.payload != task.cases]
        if stale:
            again = self._pool.submit_all([dataclasses.replace(tasks[i], cases=prepared[i].payload) for i in stale],
                                          self.device, self.limits)
            for i, future in zip(stale, again):
                futures[i] = future
                self._references.keep(prepared[i].spec, "job", prepared[i].payload)
        return list(zip(prepared, futures))

    def _precheck(self, spec: ExerciseSpec, files):
        """(result, source): a result when the exercise's source cannot be run at all."""
        def early(status, feedback):
            return ExerciseResult(spec.name, status, 0.0, spec.points, feedback=feedback), None

        try:
            source = files.source(spec.name)
        except Unreadable as exc:
            return early(exc.status, str(exc))
        try:
            tree = scan.parse(source.text, source.filename)
            findings = scan.scan(tree, self.day.forbidden_calls)
        except scan.SyntaxProblem as exc:
            return early("error", f"{source.at(exc.line)}: {str(exc).partition(': ')[2]}")
        if findings:
            return early("forbidden", "; ".join(f"{source.at(f.line)}: {f.message}" for f in findings))
        if not scan.defines(tree, spec.name):
            return early("missing", f"{source.shown} does not define a function named {spec.name}()")
        return None, source

    def _judge_case(self, prepared: Prepared, case, answer) -> CaseResult:
        expected = prepared.expected[case.id]
        mismatch = judge(case, expected, answer, tolerance_for(case.dtype, prepared.spec.tolerance))
        weight = prepared.spec.points / len(prepared.cases)
        result = CaseResult(case.id, case.label, case.kind, case.public, mismatch is None,
                            weight if mismatch is None else 0.0, weight, case.params, case.dtype,
                            call=case.call, output=feedback.printed(answer))
        if mismatch:
            result.message = mismatch.describe(case.public)
            result.problem, result.what = mismatch.problem, mismatch.what
            try:  # explanations are extras: an answer they cannot handle (e.g. a meta tensor) must not fail the run
                result.hint = diagnose(prepared.spec.reference, case, expected, answer or {}, mismatch)
                if case.public:
                    result.example = feedback.example(case, expected, answer or {}, mismatch)
            except Exception:  # noqa: BLE001 - hostile answers can break them in many ways
                result.hint = result.example = ""
        return result


class _Answers:
    """An exercise's decoded answers, waited for and decoded the first time a case asks."""

    def __init__(self, future):
        self._future = future

    @functools.cached_property
    def job(self) -> JobResult:
        return self._future.result()

    @functools.cached_property
    def _decoded(self) -> tuple[dict, str | None]:
        decoded = answers_by_id(self.job)
        # The answers hold a copy of what they need: the raw frames (up to a task's 64 MB
        # allowance) go now, not when the whole submission is done.
        self.job.frames.clear()
        return decoded

    @property
    def by_id(self) -> dict:
        return self._decoded[0]

    @property
    def import_error(self) -> str | None:
        return self._decoded[1]

    def get(self, case_id: str):
        return self.by_id.get(case_id)


def job_cases(cases: list) -> bytes:
    """What a worker gets for an exercise, encoded once: each case's inputs and upstream
    gradient, nothing expected (references never leave the grader's process)."""
    return wire.encode([{"id": c.id, "args": c.args, "upstream": c.upstream} for c in cases])


def answers_by_id(job: JobResult) -> tuple[dict, str | None]:
    """Decoded answers keyed by case id, and the import error if the file failed to load."""
    answers, import_error = {}, None
    for frame in job.frames:
        data = decode(frame)
        if data is None:
            continue
        if data["id"] == IMPORT_FRAME:
            import_error = untrusted.text(data.get("error"), 500)
        elif data["id"] == ANSWERS_FRAME and isinstance(data.get("answers"), list):
            for answer in data["answers"]:
                if isinstance(answer, dict) and isinstance(answer.get("id"), str):
                    answers[answer["id"]] = answer
    return answers, import_error


def _exercise_result(prepared: Prepared, job: JobResult, cases: list, answers: dict, import_error) -> ExerciseResult:
    spec = prepared.spec
    result = ExerciseResult(spec.name, "failed", 0.0, spec.points, cases=cases, skipped=prepared.skipped,
                            output=untrusted.text(job.output, untrusted.OUTPUT_CHARS)
                            + ("\n[output truncated]" if job.output_truncated else ""), elapsed=job.elapsed)
    if job.violations:
        result.status = "forbidden"
        called = untrusted.text(", ".join(job.violations), 500)  # names the job's own pipe carried
        result.feedback = f"your code called {called}: implement the loss with elementary tensor operations"
    elif job.status == "timeout":
        result.status = "timeout"
        result.feedback = (f"took longer than {job.elapsed:.1f} s and was stopped: it kept running out of memory "
                           "(allocations past the per-exercise memory cap failed)" if _out_of_memory(job, answers)
                           else f"took longer than {job.elapsed:.1f} s and was stopped (an infinite loop, or a very slow Python loop?)")
    elif import_error:
        result.status = "error"
        result.feedback = import_error
    elif job.status == "crashed" or len(answers) < len(prepared.cases):
        result.status = "crashed"
        code = f" (exit code {job.returncode})" if job.returncode else f" (signal {job.signal})" if job.signal else ""
        result.feedback = (f"ran out of memory{code}: the per-exercise memory cap was reached" if _out_of_memory(job, answers)
                           else f"the worker running your code ended early{code}: sys.exit, os._exit, a crash or running out of memory")
    else:
        result.score = spec.points * sum(c.passed for c in cases) / len(cases) if cases else 0.0
        result.status = "passed" if all(c.passed for c in cases) else "failed"
        shown = feedback.shown_case(cases)
        if cases and all("raised NotImplementedError" in c.message for c in cases):
            result.feedback = f"not started: {spec.name}() still raises NotImplementedError"
        elif shown is not None:
            result.feedback = feedback.case_text(shown)
    return result


def _not_run(prepared: Prepared, case, early: ExerciseResult) -> CaseResult:
    return CaseResult(case.id, case.label, case.kind, case.public, False, 0.0,
                      prepared.spec.points / len(prepared.cases), case.params, case.dtype,
                      message=f"not run: {(early.feedback.splitlines() or [early.status])[0][:200]}", problem=early.status, call=case.call)


def _out_of_memory(job: JobResult, answers: dict) -> bool:
    """Whether the job's end shows the memory cap: failed allocations in its answers or output
    (RLIMIT_AS makes them raise MemoryError or torch's allocator RuntimeError), or SIGKILL."""
    said = [str(a.get("error", "")) for a in answers.values()] + [job.output]
    return job.signal == signal.SIGKILL and job.status == "crashed" or any(
        "MemoryError" in text or "can't allocate memory" in text or "DefaultCPUAllocator" in text for text in said)

