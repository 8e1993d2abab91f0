"""Uploads and results of the embedded job store: one file per job in a folder.

A file is written under a temporary name and renamed into place, so a reader (or
a process started after a crash) sees a whole file or none. Names are job ids,
which are checked hex strings: no path can be smuggled in through them.
"""

from __future__ import annotations

import os
from pathlib import Path


class BlobFolder:
    """Files named by job id."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def create(self) -> None:
        """Make the folder (and its parents)."""
        self.folder.mkdir(parents=True, exist_ok=True)

    def put(self, job_id: str, data: bytes) -> None:
        """Store ``data`` for ``job_id``, all or nothing."""
        temp = self.folder / f".{job_id}.part"
        temp.write_bytes(data)
        os.replace(temp, self.folder / job_id)

    def put_file(self, job_id: str, source: Path) -> None:
        """Move the file ``source`` (same file system) into place as ``job_id``'s."""
        os.replace(source, self.folder / job_id)

    def get(self, job_id: str) -> bytes | None:
        """The stored bytes, or None."""
        path = self.folder / job_id
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def path(self, job_id: str) -> Path | None:
        """The file of ``job_id`` if there is one."""
        path = self.folder / job_id
        return path if path.is_file() else None

    def drop(self, job_id: str) -> None:
        """Remove the file if there is one."""
        (self.folder / job_id).unlink(missing_ok=True)

    def drop_all_but(self, keep: set[str]) -> None:
        """Remove every file (half-written ones too) whose job is not in ``keep``."""
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
