"""Redraw scheduling: panels only store incoming data; a timer redraws ONE stale view per
tick (round robin), so no event-loop turn redraws every plot."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QTimer, Slot

from nnstudio.training.records import Snapshot
from nnstudio.ui.training.plots.common import LivePanel

REFRESH_MS = 40
"""One stale view is redrawn per tick (at most 25 redraws a second in all); with 9 views
each redraws two to three times a second while everything changes."""


class RefreshScheduler(QObject):
    """Round-robin redraws of ``panels`` and of the canvas overlays (``show_overlays``
    draws the newest pending snapshot)."""

    def __init__(self, panels: Mapping[str, LivePanel],
                 show_overlays: Callable[[Snapshot], None], parent: QObject) -> None:
        super().__init__(parent)
        self.panels = panels
        self.show_overlays = show_overlays
        self.pending_snapshot: Snapshot | None = None
        self.seconds: dict[str, float] = {}  # GUI time spent per view (benchmarks)
        self.count = 0
        self.longest_s = 0.0
        self._index = 0
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._next)

    def note(self, name: str, start: float) -> None:
        """Count the time since ``start`` (perf_counter) against view ``name``."""
        spent = time.perf_counter() - start
        self.seconds[name] = self.seconds.get(name, 0.0) + spent
        self.count += 1
        self.longest_s = max(self.longest_s, spent)

    def wake(self) -> None:
        """Something became stale: make sure the timer runs."""
        if not self.timer.isActive():
            self.timer.start()

    @Slot()
    def _next(self) -> None:
        views = [*self.panels, "overlays"]
        for _ in range(len(views)):
            self._index = (self._index + 1) % len(views)
            name = views[self._index]
            start = time.perf_counter()
            if name == "overlays":
                snap, self.pending_snapshot = self.pending_snapshot, None
                if snap is None:
                    continue
                self.show_overlays(snap)
            elif not self.panels[name].refresh():
                continue
            self.note(name, start)
            return
        self.timer.stop()  # nothing stale any more

    def refresh_all(self) -> None:
        """Redraw every stale view now (end of a run, screenshots)."""
        for panel in self.panels.values():
            panel.refresh()
        snap, self.pending_snapshot = self.pending_snapshot, None
        if snap is not None:
            self.show_overlays(snap)

    def clear(self) -> None:
        """Forget the pending snapshot (another project opened)."""
        self.pending_snapshot = None
