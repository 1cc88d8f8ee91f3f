"""Resource limits for one job (one exercise of one submission)."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # wall-clock seconds for the whole job
    memory_mb: int = 2048  # address space on top of the worker's own (torch alone maps ~0.7 GB)
    cpu_seconds: int = 30
    open_files: int = 64
    processes: int = 32  # only enforced when the worker can switch to its own uid
    output_bytes: int = 8192  # captured stdout/stderr kept for the report
    output_file_bytes: int = 1 << 20  # largest file the job may write (RLIMIT_FSIZE)
    result_bytes: int = 64 << 20  # largest answer accepted from the job

    def to_dict(self) -> dict:
        return asdict(self)
