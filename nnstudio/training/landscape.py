"""Loss landscapes: a loss over a 2-D plane, and the paths optimizers take across it.

A *problem* is anything with a loss at points ``(u, v)`` of a plane and a gradient there:
a built-in surface (``landscape_surfaces``) or a slice through a network's weights
(``landscape_network``). Paths are computed by the engine's own optimizers
(``nnstudio.engine.optimizers``) updating the two coordinates ``c = (u, v)`` from the
gradient the problem returns, so every path moves on the surface that is drawn.

    xs, ys = grid_axes(bounds, 41)
    for row, losses in iter_grid(problem, xs, ys): ...      # (len(xs),) per row of ys
    path = compute_path(problem, OPTIMIZER_PATHS[0], PathSettings(), start)
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from nnstudio.engine.optimizers import Optimizer, make_optimizer

MAX_STEPS = 5000
MAX_RESOLUTION = 201
DIVERGED_ABOVE = 1e6
"""A path stops (diverged) once a coordinate leaves [−1e6, 1e6] or is not finite."""


class LandscapeError(Exception):
    """One sentence: why a landscape cannot be computed."""


class Problem(Protocol):
    """A loss over the plane ``(u, v)``.

    ``n_samples``: the training samples a batch is drawn from (a built-in surface has a
    virtual set, so stochastic and mini-batch paths are drawn the same way);
    ``loss_at(points: (K, 2)) -> (K,)``; ``gradient(point: (2,), rows)`` -> ∂L/∂(u, v)
    ``(2,)`` on the samples ``rows`` (None: all of them).
    """

    title: str
    axis_labels: tuple[str, str]
    n_samples: int

    def loss_at(self, points: np.ndarray) -> np.ndarray: ...

    def gradient(self, point: np.ndarray, rows: np.ndarray | None,
                 rng: np.random.Generator) -> np.ndarray: ...


@dataclass(frozen=True)
class PathSpec:
    """One optimizer path: engine optimizer name and settings, and its batch size
    (0: all samples, the lecture's batch gradient descent)."""

    key: str
    label: str
    optimizer: str
    settings: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 0
    adaptive: bool = False

    def describe(self, settings: PathSettings) -> str:
        """The legend entry, e.g. "momentum 0.9 (lr 0.1)"."""
        lr = settings.lr_adaptive if self.adaptive else settings.lr
        batch = ""
        if self.batch_size < 0:
            batch = f", batch {settings.minibatch_size}"
        return f"{self.label} (lr {lr:g}{batch})"


MINIBATCH = -1
"""``PathSpec.batch_size`` placeholder: the settings' mini-batch size."""

OPTIMIZER_PATHS: tuple[PathSpec, ...] = (
    PathSpec("batch", "batch GD", "sgd"),
    PathSpec("stochastic", "stochastic GD", "sgd", batch_size=1),
    PathSpec("minibatch", "mini-batch GD", "sgd", batch_size=MINIBATCH),
    PathSpec("momentum", "momentum 0.9", "sgd", {"momentum": 0.9}),
    PathSpec("nesterov", "Nesterov 0.9", "sgd", {"momentum": 0.9, "nesterov": True}),
    PathSpec("rmsprop", "RMSprop", "rmsprop", adaptive=True),
    PathSpec("adam", "Adam", "adam", adaptive=True),
)
PATHS_BY_KEY = {spec.key: spec for spec in OPTIMIZER_PATHS}


@dataclass(frozen=True)
class PathSettings:
    """lr: learning rate of the gradient-descent family; lr_adaptive: of RMSprop and Adam
    (their steps are about lr long whatever the gradient); the learning rate of step t is
    lr / (1 + decay·t); minibatch_size: samples per mini-batch; seed: shuffling."""

    lr: float = 0.1
    lr_adaptive: float = 0.05
    steps: int = 100
    decay: float = 0.0
    minibatch_size: int = 16
    seed: int = 0

    def checked(self) -> PathSettings:
        """Self, or LandscapeError naming the first bad field."""
        for name in ("lr", "lr_adaptive", "decay"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 <= value <= 1e3):
                raise LandscapeError(f"The {name.replace('_', ' ')} must lie in [0, 1000], "
                                     f"not {value}.")
        if not 1 <= self.steps <= MAX_STEPS:
            raise LandscapeError(f"Steps must lie between 1 and {MAX_STEPS}, not {self.steps}.")
        if self.minibatch_size < 1:
            raise LandscapeError(f"The mini-batch size must be at least 1, not "
                                 f"{self.minibatch_size}.")
        return self


@dataclass(frozen=True)
class OptimizerPath:
    """points: ``(k + 1, 2)`` the start and the position after each of k steps; losses:
    ``(k + 1,)`` the full loss at each point; diverged_at: the step at which it left the
    finite range (the path ends before it), or None."""

    spec: PathSpec
    label: str
    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None = None


def make_path_optimizer(spec: PathSpec, settings: PathSettings) -> Optimizer:
    """The engine optimizer of ``spec`` with the settings' learning rate."""
    lr = settings.lr_adaptive if spec.adaptive else settings.lr
    return make_optimizer(spec.optimizer, lr=lr, **spec.settings)


def batches(n_samples: int, batch_size: int, rng: np.random.Generator
            ) -> Iterator[np.ndarray | None]:
    """Endless batches as the trainer draws them: a new permutation each epoch, then
    consecutive slices of ``batch_size``; None (every sample) for batch size 0 or ≥ N."""
    if batch_size <= 0 or batch_size >= n_samples:
        while True:
            yield None
    while True:
        order = rng.permutation(n_samples)
        for i in range(0, n_samples, batch_size):
            yield order[i:i + batch_size]


def compute_path(problem: Problem, spec: PathSpec, settings: PathSettings,
                 start: tuple[float, float] | np.ndarray) -> OptimizerPath:
    """Run ``settings.steps`` updates of ``spec``'s optimizer from ``start``."""
    settings = settings.checked()
    coords = np.array(start, dtype=np.float64).reshape(2)
    if not np.all(np.isfinite(coords)):
        raise LandscapeError("The start point must be finite.")
    optimizer = make_path_optimizer(spec, settings)
    base_lr = optimizer.lr
    size = settings.minibatch_size if spec.batch_size == MINIBATCH else spec.batch_size
    rng = np.random.default_rng([settings.seed, zlib.crc32(spec.key.encode())])
    stream = batches(problem.n_samples, size, rng)
    points = [coords.copy()]
    diverged: int | None = None
    params = {"c": coords}
    for t in range(settings.steps):
        grad = np.asarray(problem.gradient(coords, next(stream), rng), dtype=np.float64)
        if not np.all(np.isfinite(grad)):
            diverged = t + 1
            break
        optimizer.lr = base_lr / (1.0 + settings.decay * t)
        optimizer.step(params, {"c": grad})
        if not np.all(np.isfinite(coords)) or np.max(np.abs(coords)) > DIVERGED_ABOVE:
            diverged = t + 1
            break
        points.append(coords.copy())
    array = np.array(points)
    losses = np.asarray(problem.loss_at(array), dtype=np.float64)
    return OptimizerPath(spec, spec.describe(settings), array, losses, diverged)


def grid_axes(bounds: tuple[float, float, float, float], resolution: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """``bounds = (u_min, u_max, v_min, v_max)`` -> xs, ys, each ``(resolution,)``.

    An odd resolution puts the centre exactly on the middle sample.
    """
    if not 3 <= resolution <= MAX_RESOLUTION:
        raise LandscapeError(f"The resolution must lie between 3 and {MAX_RESOLUTION}, "
                             f"not {resolution}.")
    u0, u1, v0, v1 = (float(b) for b in bounds)
    if not all(math.isfinite(b) for b in (u0, u1, v0, v1)) or u1 <= u0 or v1 <= v0:
        raise LandscapeError(f"The range {bounds} is not a finite, non-empty rectangle.")
    return _axis(u0, u1, resolution), _axis(v0, v1, resolution)


def _axis(lo: float, hi: float, n: int) -> np.ndarray:
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    m = (n - 1) / 2
    return centre + half * (np.arange(n) - m) / m


def centred_bounds(centre: tuple[float, float], half_width: float
                   ) -> tuple[float, float, float, float]:
    """A square of ``2·half_width`` around ``centre``."""
    cu, cv = centre
    return (cu - half_width, cu + half_width, cv - half_width, cv + half_width)


def bounds_around(points: list[np.ndarray], centre: tuple[float, float],
                  min_half_width: float, max_half_width: float
                  ) -> tuple[float, float, float, float]:
    """The rectangle holding ``centre`` and every point (``(k, 2)`` arrays), 15 % wider
    each side, each half-side between ``min_half_width`` and ``max_half_width`` around
    its middle. Points farther than ``max_half_width`` from ``centre`` count as if at
    that distance, so a diverging path cannot pull the view away from the network."""
    middle = np.asarray(centre, dtype=np.float64).reshape(1, 2)
    stacked = np.concatenate([middle] + [np.asarray(p, dtype=np.float64).reshape(-1, 2)
                                         for p in points])
    stacked = stacked[np.all(np.isfinite(stacked), axis=1)]
    stacked = np.clip(stacked, middle - max_half_width, middle + max_half_width)
    lo, hi = stacked.min(axis=0), stacked.max(axis=0)
    mid, half = (lo + hi) / 2, (hi - lo) / 2 * 1.15
    half = np.clip(half, min_half_width, max_half_width)
    return (mid[0] - half[0], mid[0] + half[0], mid[1] - half[1], mid[1] + half[1])


def iter_grid(problem: Problem, xs: np.ndarray, ys: np.ndarray
              ) -> Iterator[tuple[int, np.ndarray]]:
    """The loss on the grid, one row at a time: ``(i, losses (len(xs),))`` at ``v = ys[i]``.

    The caller may stop between rows (cancel) and report progress.
    """
    for i, v in enumerate(ys):
        points = np.column_stack([xs, np.full_like(xs, v)])
        yield i, np.asarray(problem.loss_at(points), dtype=np.float64)


def loss_grid(problem: Problem, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The whole grid at once: ``(len(ys), len(xs))``, row i at ``v = ys[i]``."""
    grid = np.empty((len(ys), len(xs)))
    for i, row in iter_grid(problem, xs, ys):
        grid[i] = row
    return grid
