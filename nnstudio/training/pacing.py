"""When a live view is due: the snapshots (map, filters, weights) and the confusion
matrices a run sends to the window, each paced by one ``Pacer``."""

from __future__ import annotations

import time

LIVE_VIEW_SHARE = 0.2
"""Live views take at most about this share of a run's time: after one that took t seconds
the next waits at least 4t (50 bagging members over the 100×100 map of a wide network take
seconds each, which at 4 a second left training at 6 samples/s)."""


class Pacer:
    """Due every ``interval_s`` seconds, and never sooner than (1 / LIVE_VIEW_SHARE − 1)
    times the last view's own cost after it (times in ``time.perf_counter`` seconds)."""

    def __init__(self, interval_s: float, last: float = float("-inf")) -> None:
        self.interval_s = interval_s
        self.last = last    # when the last view was finished
        self.cost = 0.0     # how long it took

    def due(self, now: float | None = None) -> bool:
        now = time.perf_counter() if now is None else now
        wait = max(self.interval_s, self.cost * (1 / LIVE_VIEW_SHARE - 1))
        return now - self.last >= wait

    def done(self, started: float) -> None:
        """A view begun at ``started`` is finished now."""
        self.last = time.perf_counter()
        self.cost = self.last - started
