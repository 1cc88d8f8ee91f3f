"""Run untrusted code in restricted, forked worker processes.

Nothing here knows about losses: a job is a source file, a function name and a list of argument
sets; the answer is the raw, still-untrusted bytes of what that function returned.

Theory of operation
-------------------
Three kinds of process, and every pipe between them:

- **grader** (trusted: the CLI, the engine, pytest judging). Holds a :class:`WorkerPool` of
  :class:`Worker` handles, one per zygote. It never imports, unpickles or reads back anything
  a job wrote: answers arrive as bytes and are rebuilt by :mod:`.wire` into plain tensors.
- **zygote** (``python -I -m grader.sandbox.zygote``, one per worker; trusted code, but it
  holds nothing secret). Started with a minimal environment, cwd ``/``, its own session, stdin
  and stdout as the two ends of the protocol, stderr to /dev/null. It imports torch and the
  modules learners may use, warms autograd up, installs the guard's traps (:mod:`.guard`),
  computes what the lock-down can compute once (:func:`.confine.prepare`), and becomes the
  child subreaper of everything below it. It then forks one throwaway *probe* that locks itself
  down like a job and reports which layers held: that is the sandbox level.
- **job** (untrusted from the moment it has locked down). One fork of the zygote per exercise
  of a submission. It runs the named steps of :mod:`.confine` (detach, stdio, fds, output cap,
  private /tmp, network, rlimits, credentials, environment, Landlock, seccomp), then loads the
  source and calls the function on every argument set (:mod:`.child`). It may be left running
  threads or children: at the end the zygote kills its process group, every process left under
  it as subreaper (where /proc cannot list them and it is root: every process of the job's
  uid), and removes its folder.

Pipes:

- grader -> zygote (zygote's stdin): per job, a JSON request frame (limits, device, the
  learner's source, file and function name) and one frame of cases encoded by :mod:`.wire`.
- zygote -> grader (zygote's stdout): first a hello frame, ``{"ready", "trapped", "pid",
  "sandbox": level}``; then per job a JSON reply (status, return code or signal, elapsed time,
  the captured output capped at ``output_bytes``, truncation flags, the guard's violations, the
  number of answer frames) followed by those answer frames, each at most ``result_bytes``.
  Frames are length-prefixed (:mod:`.protocol`); the grader reads each with a limit and a
  timeout, and a worker that breaks the protocol is killed and replaced.
- job -> zygote, *result* pipe: answer frames (:mod:`.wire`), drained by a zygote thread up to
  ``result_bytes`` in all; the excess is discarded and the job is reported crashed.
- job -> zygote, *report* pipe: names of forbidden calls the guard trapped, one per line; read
  once the job is over.
- job -> zygote, *output*: the job's fds 1 and 2 are an unlinked temporary file of the zygote's;
  it keeps the first ``output_bytes`` + 1 bytes (the extra byte marks truncation).
- probe -> zygote, once: a JSON list of the layers the probe could not apply.

Nothing flows from the zygote or the grader to a job after the fork: its request and cases are
in its memory when it is created, and its stdin is /dev/null.
"""
from .limits import Limits
from .pool import JobResult, Worker, WorkerPool

__all__ = ["Limits", "JobResult", "Worker", "WorkerPool"]
