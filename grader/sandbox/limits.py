"""Resource limits for one task (one exercise of one submission) of a job."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # wall-clock seconds for each task
    # RLIMIT_AS on top of what the zygote has already mapped when it forks the job. Measured
    # (torch 2.13 CPU, Linux x86-64): the zygote maps ~690 MiB (VmSize; ~265 MiB resident) after
    # importing torch and warming autograd; the mse_loss solution passes every case with 0 MB
    # on top, because day-3 cases are tiny. The headroom is for learners' intermediates and for
    # glibc, which reserves 64 MiB of address space per thread arena. A 30 GB allocation fails
    # with a RuntimeError inside the job at this cap. CUDA maps tens of GB, so on cuda the cap
    # is not applied at all (see isolation.apply_rlimits).
    memory_mb: int = 2048
    cpu_seconds: int = 30  # per task: a job of n tasks gets n times this (RLIMIT_CPU is per process)
    open_files: int = 64
    processes: int = 32  # only enforced when the worker can switch to its own uid
    output_bytes: int = 8192  # captured stdout/stderr kept for the report
    output_file_bytes: int = 1 << 20  # largest file the job may write (RLIMIT_FSIZE)
    scratch_bytes: int = 16 << 20  # size of each private tmpfs (/tmp, /var/tmp, /dev/shm) of a job
    result_bytes: int = 64 << 20  # largest answer accepted from one task (JSON counted 64 times: see zygote)

    def to_dict(self) -> dict:
        return asdict(self)
