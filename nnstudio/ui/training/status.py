"""The status-bar section: state, epoch, step, samples per second, time left, or why
the network cannot train. The plot headers repeat it (``changed``)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from nnstudio.training.remote import ProgressBatch

MAX_STATUS_CHARS = 110
"""Longer sentences are shortened in the status bar (the tooltip has all of it)."""


def format_duration(seconds: float) -> str:
    """12.3 -> '0:12'; 3725 -> '1:02:05'."""
    seconds = max(round(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StatusSection(QLabel):
    """One line, e.g. 'Training · epoch 12 of 100 · step 340 · 12,300 samples/s · 0:12 left'.

    ``changed(text, tone)`` after every change; tone "error" (cannot train, diverged,
    failed), "warning" (paused, stopped) or "" (all else)."""

    changed = Signal(str, str)

    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("training_status")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.blocked: str | None = None
        self.headline = ""
        self.tone = ""
        self.state = "idle"
        self.epoch = 0
        self.step = 0
        self.speed = 0.0
        self.first_epoch = 0
        self.last_epoch = 0
        self.outcome = ""
        """How the last run ended, as the status names it ("" = still running / none)."""
        self._started = time.perf_counter()

    def set_state(self, state: str) -> None:
        self.state = state
        self._render()

    def set_blocked(self, reason: str | None) -> None:
        """Why no run can start now (None: it can); shown while no run goes on."""
        if reason != self.blocked:
            self.blocked = reason
            self._render()

    def start_run(self, epochs: int, first_epoch: int) -> None:
        self.first_epoch = first_epoch
        self.last_epoch = first_epoch + epochs
        self.epoch = first_epoch
        self.outcome = ""
        self._started = time.perf_counter()
        self._render()

    def add_batch(self, batch: ProgressBatch) -> None:
        for step in batch.steps:
            self.step = step.step
            self.speed = step.samples_per_s
            self.epoch = max(self.epoch, step.epoch - 1)
        for record in batch.epochs:
            self.epoch = record.epoch
            self.step = record.step
        self._render()

    def finish(self, reason: str, epoch: int, message: str) -> None:
        """The run ended for ``reason`` (Finished.reason) in or after ``epoch``; the status
        names the outcome ("Diverged at epoch 3"), the tooltip holds the message."""
        self.outcome = {"completed": "Finished", "stopped": "Stopped",
                        "early_stopped": f"Early stopping after epoch {epoch}",
                        "diverged": f"Diverged at epoch {epoch}",
                        "error": "Failed"}.get(reason, "Finished")
        self._render(message)

    def time_left(self) -> float | None:
        done = self.epoch - self.first_epoch
        if done <= 0 or self.last_epoch <= self.epoch:
            return None
        per_epoch = (time.perf_counter() - self._started) / done
        return per_epoch * (self.last_epoch - self.epoch)

    def _render(self, note: str = "") -> None:
        names = {"idle": "Ready to train", "running": "Training", "paused": "Paused",
                 "finished": "Finished"}
        name = names.get(self.state, self.state)
        if self.state == "finished" and self.outcome:
            name = self.outcome
        parts = [name]
        ended = self.outcome if self.state == "finished" else ""
        tone = "warning" if self.state == "paused" or ended.startswith("Stopped") \
            else "error" if ended.startswith(("Diverged", "Failed")) else ""
        if self.state != "idle":
            if not (self.state == "finished" and "epoch" in self.outcome):
                parts.append(f"epoch {self.epoch} of {self.last_epoch}")
            parts.append(f"step {self.step:,}")
            if self.state == "running" and self.speed > 0:
                parts.append(f"{self.speed:,.0f} samples/s")
                left = self.time_left()
                if left is not None:
                    parts.append(f"{format_duration(left)} left")
        elif self.blocked:
            parts, tone = [f"Cannot train: {self.blocked}"], "error"
            note = parts[0]
        text = " · ".join(parts)
        self.headline, self.tone = text, tone
        shown = text if len(text) <= MAX_STATUS_CHARS else text[:MAX_STATUS_CHARS - 1] + "…"
        self.setText(shown)
        self.setToolTip(note)
        self.setStyleSheet("color: #b3261e; font-weight: 600;" if tone == "error" else "")
        self.changed.emit(text, tone)
