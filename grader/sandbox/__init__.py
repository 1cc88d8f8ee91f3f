"""Run untrusted code in restricted, forked worker processes.

Nothing here knows about losses: a task is a source file, a function name and a list of argument
sets; a job runs a list of tasks (one submission's exercises); the answer is the raw,
still-untrusted bytes of what each function returned.

Theory of operation
-------------------
Three kinds of process, and every pipe between them:

- **grader** (trusted: the CLI, the engine, pytest judging). Holds a :class:`WorkerPool` of
  :class:`Worker` handles, one per zygote. It never imports, unpickles or reads back anything
  a job wrote: answers arrive as bytes and are rebuilt by :mod:`.wire` into plain tensors.
- **zygote** (:func:`grader.sandbox.zygote.main` in ``python -I``, one per worker; trusted code, but it
  holds nothing secret). Started with a minimal environment, cwd ``/``, its own session, stdin
  and stdout as the two ends of the protocol, stderr to /dev/null. It imports torch and the
  modules learners may use, warms autograd up, installs the guard's traps (:mod:`.guard`),
  computes what the lock-down can compute once (:func:`.confine.prepare`), and becomes the
  child subreaper of everything below it. It then forks one throwaway *probe* that locks itself
  down like a job and reports which layers held: that is the sandbox level.
- **job** (untrusted from the moment it has locked down). One fork of the zygote per
  submission: forking costs a few milliseconds of page tables and exit per process, which a
  fork per exercise paid 21 times. It runs the named steps of :mod:`.confine` (detach, stdio,
  fds, output cap, private /tmp, network, rlimits, credentials, parent death, environment,
  Landlock, seccomp), then, task after task, loads the source and calls the function on every
  argument set (:mod:`.child`), each task with a fresh output allowance. The zygote gives each task its
  own timeout; a task that hangs or crashes ends the fork, and the tasks after it go on in a
  new one, so it costs that task alone. Tasks of one job share a process, as they share an
  author: between tasks the job puts back torch's namespaces and global switches (grad mode,
  default dtype and device), so a slip in one file does not cost the next, but a file that
  means to can still change what another computes; never what the grader expects. A job may be left running threads or children: at the end the zygote kills its
  process group, every process left under it as subreaper (where /proc cannot list them and it
  is root: every process of the job's uid), and removes its folder.

Pipes:

- grader -> zygote (zygote's stdin): per job, a JSON request frame (limits, device, the time
  budget of the whole job, and per task the learner's source, file and function name and the
  hash of its argument sets), then a frame encoded by :mod:`.wire` for each set of arguments
  this zygote has not been sent yet. The zygote keeps them decoded, so every job of a batch
  inherits them instead of receiving and decoding them again.
- zygote -> grader (zygote's stdout): first a hello frame, ``{"ready", "trapped", "pid",
  "sandbox": level}``; then per task, as soon as it ends, a JSON reply (status, return code or
  signal, elapsed time, the captured output capped at ``output_bytes``, truncation flags, the
  guard's violations, the number of answer frames) followed by those answer frames, each at
  most ``result_bytes``. The last reply of a job follows its clean-up.
  Frames are length-prefixed (:mod:`.protocol`); the grader reads each with a limit and a
  timeout, and a worker that breaks the protocol is killed and replaced.
- job -> zygote, *result* pipe: answer frames (:mod:`.wire`), an empty frame after each task,
  drained by a zygote thread up to ``result_bytes`` per task (each frame counted with what
  keeping it costs, its JSON header 64 times over: what decoding it may cost the grader) and no
  more empty frames than tasks; past either the job is ended and the task reported crashed.
- job -> zygote, *report* pipe: names of forbidden calls the guard trapped, one per line, and
  after each task a line ``=<offset>`` saying where its output ended; read a bounded amount
  at a time.
- job -> zygote, *output*: the job's fds 1 and 2 are an unlinked temporary file of the zygote's;
  it keeps the first ``output_bytes`` + 1 bytes of each task (the extra byte marks truncation).
  What a job says of its own tasks (markers, offsets) can only misfile its own output and its
  own reports of trapped calls (code past the scan can also close the pipe: the trap still
  raises, so no forbidden result ever comes of it), or move time from its later tasks to an
  earlier one, never lift a limit: each task's timeout runs from the previous end marker, and a
  job ends after as many markers as it has tasks. Nothing of it reaches another job.
- probe -> zygote, once: a JSON list of the layers the probe could not apply.

Nothing flows from the zygote or the grader to a job after the fork: its request and cases are
in its memory when it is created, and its stdin is /dev/null.
"""
from .limits import Limits
from .pool import JobResult, Task, Worker, WorkerPool

__all__ = ["Limits", "JobResult", "Task", "Worker", "WorkerPool"]
