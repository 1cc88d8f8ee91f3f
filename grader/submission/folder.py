"""A folder submission: ``ROOT/DAY/<exercise>.py``, one file per exercise.

The root is the path the user named (it may be a link: they chose it). The day folder and each
exercise file inside it are learner-controlled and are never followed through a link
(:mod:`.files`).
"""
from __future__ import annotations

import os
from pathlib import Path

from .. import misnamed
from ..errors import UsageError
from . import MAX_SOURCE_BYTES, Source, Unreadable, files, text_of


class Folder:
    def __init__(self, root: Path, day: str):
        self.root = Path(root)
        self.day = day
        self.folder = self.root / day
        self.quiz_root = self.root
        if not self.folder.is_dir() and not self.folder.is_symlink():
            raise UsageError(f"submission folder not found: {self.folder}{misnamed.suggestion(self.root, day, True)}")
        self._open()  # a linked day folder is refused here, once, for the whole day

    def __str__(self) -> str:
        return str(self.root)

    def _open(self) -> int:
        try:
            return files.open_folder(self.folder, str(self.folder))
        except files.Refused as exc:
            raise UsageError(str(exc)) from None

    def source(self, name: str) -> Source:
        shown = f"{name}.py"
        folder_fd = self._open()
        try:
            raw = files.read_bytes(shown, MAX_SOURCE_BYTES, folder_fd)
        except FileNotFoundError:
            raise Unreadable("missing", f"{self.folder / shown} not found{misnamed.suggestion(self.folder, shown)}: "
                                        f"create it and define {name}()") from None
        except files.Refused as exc:
            raise Unreadable("error", str(exc)) from None
        finally:
            os.close(folder_fd)
        return Source(text_of(raw, shown), f"{self.day}/{shown}", shown)

    def notes(self, name: str) -> list[str]:
        return []
