"""Run untrusted code in restricted, forked worker processes.

Nothing here knows about losses: a job is a source file, a function name and a list of argument
sets; the answer is the raw, still-untrusted bytes of what that function returned.
"""
from .limits import Limits
from .pool import JobResult, Worker, WorkerPool

__all__ = ["Limits", "JobResult", "Worker", "WorkerPool"]
