"""What a forked job does: lock itself down, then for each task (one exercise of a submission)
load the untrusted source and run every argument set.

Runs only in the forked child. Each answer frame is a plain dict in the format of
:mod:`grader.sandbox.wire`; the grader treats it as untrusted.
"""
from __future__ import annotations

import json
import linecache
import operator
import os
import sys
import time
import types

import torch

from ..judging import invoke
from . import confine, guard, wire
from .protocol import write_frame

IMPORT_FRAME = "__import__"
ANSWERS_FRAME = "__answers__"
FLUSH_SECONDS = 0.05


def run(tasks: list, device: str, box: confine.Box, result_fd: int, report_fd: int, level: dict) -> None:
    """Run each task in turn, ending each with an empty frame on ``result_fd`` and a line
    ``=<output offset>`` on ``report_fd`` (see the zygote). Never returns: exits the child
    process. ``level``: what the zygote's probe found, so a layer that held there and does not
    hold here stops the job."""
    try:
        weaker = set(confine.lock_down(box)) - set(level["missing"])
        if weaker:
            raise RuntimeError(f"sandbox layers failed for this job: {', '.join(sorted(weaker))}")
        guard.set_report_fd(report_fd)
        # Landlock keeps torch's source files from the job; the lines the zygote's own warnings
        # and tracebacks cached (torch/nn/functional.py among them) must not hand it the text.
        linecache.clearcache()
        torch.set_num_threads(1)
        pristine = [(namespace, dict(vars(namespace))) for namespace in _RESTORED]
        for task in tasks:
            # Each task starts as if it had the process to itself: its own output allowance, and
            # torch as the last task's file found it, so that a slip in one file (grad mode off,
            # float64 by default, a patched function) does not cost the exercises after it.
            sys.stdout = sys.stderr = confine.CappedOutput(1, box.limits["output_bytes"] + 1)
            invoke.start_task()
            _restore(pristine)
            _run_task(task, device, result_fd)
            _end_task(result_fd, report_fd)
    except BaseException as exc:  # noqa: BLE001 - report whatever happened, then exit
        try:
            _send(result_fd, {"id": IMPORT_FRAME, "error": f"worker error: {type(exc).__name__}: {exc}"[:500]})
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(0)


# What learner files commonly change by mistake. A file that means to reach the next one still
# can: tasks of a job share a process, as they share an author, and the grader's verdict
# depends only on the answers.
_RESTORED = (torch, torch.Tensor, torch.nn.functional)


def _restore(pristine: list) -> None:
    for namespace, saved in pristine:
        current = vars(namespace)
        # The usual case, nothing to put back, checked in C by identity (an object the file put
        # there could answer == as it likes).
        if (len(current) == len(saved) and all(map(operator.is_, current, saved))
                and all(map(operator.is_, current.values(), saved.values()))):
            continue
        for name in [name for name in current if name not in saved]:
            delattr(namespace, name)
        for name, value in saved.items():
            if current.get(name) is not value:
                setattr(namespace, name, value)
    torch.set_grad_enabled(True)
    torch.set_default_dtype(torch.float32)
    torch.set_default_device(None)
    torch.autograd.set_detect_anomaly(False)


def _end_task(result_fd: int, report_fd: int) -> None:
    try:
        written = os.lseek(1, 0, os.SEEK_CUR)
    except OSError:  # the learner closed or replaced fd 1: the zygote falls back on the file's size
        written = ""
    try:
        os.write(report_fd, f"={written}\n".encode())
    except OSError:  # closed by the learner: their violations and output may go to the next task
        pass
    write_frame(result_fd, b"")


def probe(box: confine.Box, report_fd: int) -> None:
    """Never returns: lock down as a job would, write what was missing to ``report_fd``, exit."""
    try:
        os.write(report_fd, json.dumps(confine.lock_down(box)).encode())
    finally:
        os._exit(0)


def _send(fd: int, frame: dict) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the learner may have replaced or closed it
            pass
    write_frame(fd, wire.encode(frame))


def _load_function(job: dict):
    module = types.ModuleType("submission")
    module.__file__ = job["filename"]
    try:
        source = job["source"].decode("utf-8", "surrogatepass")
        exec(compile(source, job["filename"], "exec"), module.__dict__)  # noqa: S102 - sandboxed
    except BaseException as exc:  # noqa: BLE001
        return None, f"importing your file raised {type(exc).__name__}: {exc}"[:500]
    fn = module.__dict__.get(job["function"])
    if not callable(fn):
        return None, f"your file does not define a function named {job['function']}"
    return fn, None


def _run_task(job: dict, device: str, result_fd: int) -> None:
    fn, error = _load_function(job)
    if error:
        _send(result_fd, {"id": IMPORT_FRAME, "error": error})
        return
    pending, last_flush = [], time.monotonic()
    for case in job["cases"]:
        pending.append({"id": case["id"], **invoke.invoke_capturing(fn, case["args"], device, case["upstream"])})
        # Answers go out in batches: one frame per case costs the grader a decode each, but
        # a frame every few milliseconds still shows how far a job got if it is killed.
        if time.monotonic() - last_flush > FLUSH_SECONDS:
            _send_answers(result_fd, pending)
            pending, last_flush = [], time.monotonic()
    _send_answers(result_fd, pending)


def _send_answers(fd: int, answers: list) -> None:
    if not answers:
        return
    try:
        _send(fd, {"id": ANSWERS_FRAME, "answers": answers})
    except Exception:  # noqa: BLE001 - e.g. an output that cannot be encoded: find which
        for answer in answers:
            try:
                _send(fd, {"id": ANSWERS_FRAME, "answers": [answer]})
            except Exception as exc:  # noqa: BLE001
                _send(fd, {"id": ANSWERS_FRAME, "answers": [
                    {"id": answer["id"], "error": f"returned a result that could not be sent back ({type(exc).__name__})"}]})
