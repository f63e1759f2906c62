"""Crash recovery: unsaved work is written to a recovery folder, and offered back on start.

Each running window owns one session: ``<session>.nnstudio`` (the project bytes),
``<session>.json`` (where it came from) and ``<session>.lock`` (a ``QLockFile`` held while
the session lives). A session whose lock can be taken belongs to a process that is gone:
its project is offered for recovery. Sessions of other running windows are left alone.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

RECOVERY_ENV = "NNSTUDIO_RECOVERY_DIR"


def recovery_dir() -> Path:
    """The recovery folder: ``$NNSTUDIO_RECOVERY_DIR`` or ``<AppDataLocation>/recovery``."""
    override = os.environ.get(RECOVERY_ENV)
    if override:
        return Path(override)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "recovery"


@dataclass(frozen=True)
class RecoveredFile:
    """A project left behind by a session that ended without saving."""

    project_path: Path  # the recovery copy (``*.nnstudio``)
    original_path: Path | None  # the file the user was editing, None if untitled
    saved_at: float  # seconds since the epoch

    def remove(self) -> None:
        """Delete the recovery copy and its note."""
        for path in (self.project_path, self.project_path.with_suffix(".json"),
                     self.project_path.with_suffix(".tmp")):
            path.unlink(missing_ok=True)
        self.project_path.with_suffix(".lock").unlink(missing_ok=True)


class RecoverySession:
    """The recovery files of one running window."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else recovery_dir()
        self.session_id = f"session-{uuid.uuid4().hex[:12]}"
        self._lock: QLockFile | None = None

    @property
    def project_path(self) -> Path:
        return self.folder / f"{self.session_id}.nnstudio"

    def _ensure_lock(self) -> None:
        if self._lock is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = QLockFile(str(self.folder / f"{self.session_id}.lock"))
            lock.setStaleLockTime(0)
            lock.tryLock(0)
            self._lock = lock

    def write(self, data: bytes, original_path: Path | None) -> Path:
        """Store the project bytes (atomically) and where they came from."""
        self._ensure_lock()
        tmp = self.project_path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, self.project_path)
        note = {"original_path": str(original_path) if original_path else None,
                "saved_at": time.time()}
        self.project_path.with_suffix(".json").write_text(json.dumps(note), encoding="utf-8")
        return self.project_path

    def has_file(self) -> bool:
        return self.project_path.exists()

    def clear(self) -> None:
        """Remove this session's recovery copy (after a clean save or close)."""
        for suffix in (".nnstudio", ".json", ".tmp"):
            self.project_path.with_suffix(suffix).unlink(missing_ok=True)

    def close(self) -> None:
        """Remove everything of this session, including its lock."""
        self.clear()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def orphans(self) -> list[RecoveredFile]:
        """Recovery copies of sessions that are no longer running, newest first."""
        if not self.folder.is_dir():
            return []
        found: list[RecoveredFile] = []
        for path in self.folder.glob("session-*.nnstudio"):
            if path.stem == self.session_id or not _is_abandoned(path.with_suffix(".lock")):
                continue
            original: Path | None = None
            saved_at = path.stat().st_mtime
            try:
                note = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
                original = Path(note["original_path"]) if note.get("original_path") else None
                saved_at = float(note.get("saved_at", saved_at))
            except (OSError, ValueError, KeyError, TypeError):
                pass
            found.append(RecoveredFile(path, original, saved_at))
        found.sort(key=lambda f: f.saved_at, reverse=True)
        return found


def _is_abandoned(lock_path: Path) -> bool:
    """True if no living process holds the lock (or there is no lock at all)."""
    if not lock_path.exists():
        return True
    lock = QLockFile(str(lock_path))
    lock.setStaleLockTime(0)
    if lock.tryLock(0):
        lock.unlock()
        return True
    return False
