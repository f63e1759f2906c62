"""Built-in 2-parameter loss surfaces: the lecture's "problems with gradient descent".

Each surface is a formula f(u, v) with its exact gradient, a view range, a start point
and learning rates at which the optimizers show the problem. A surface has no data: its
stochastic and mini-batch paths add Gaussian noise of standard deviation
``noise / √batch`` to the exact gradient, as sampling a batch from ``VIRTUAL_SAMPLES``
would.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnstudio.training.landscape import PathSettings

VIRTUAL_SAMPLES = 64
Formula = Callable[[np.ndarray, np.ndarray], np.ndarray]
Gradient = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Surface:
    """f and ∇f take arrays u, v of one shape; bounds = (u_min, u_max, v_min, v_max)."""

    key: str
    title: str
    formula: str
    f: Formula
    grad: Gradient
    bounds: tuple[float, float, float, float]
    start: tuple[float, float]
    settings: PathSettings
    noise: float
    lesson: str
    paths: tuple[str, ...]
    """The optimizer paths shown first (the ones the lesson is about)."""


class SurfaceProblem:
    """A built-in surface as a landscape Problem."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.title = surface.title
        self.axis_labels = ("u", "v")
        self.n_samples = VIRTUAL_SAMPLES

    def loss_at(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64)
        return np.asarray(self.surface.f(p[:, 0], p[:, 1]), dtype=np.float64)

    def gradient(self, point: np.ndarray, rows: np.ndarray | None,
                 rng: np.random.Generator) -> np.ndarray:
        u, v = np.float64(point[0]), np.float64(point[1])
        gu, gv = self.surface.grad(np.array(u), np.array(v))
        g = np.array([float(gu), float(gv)])
        if rows is not None:
            g += rng.normal(0.0, self.surface.noise / math.sqrt(len(rows)), size=2)
        return g


def _valley(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return 0.02 * u**2 + 2.0 * v**2


def _valley_grad(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 0.04 * u, 4.0 * v


def _saddle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u**2 + 0.25 * v**4 - 0.5 * v**2


def _saddle_grad(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return 2.0 * u, v**3 - v


def _plateau(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return 1.0 - np.exp(-0.5 * (u**2 + v**2))


def _plateau_grad(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = np.exp(-0.5 * (u**2 + v**2))
    return u * e, v * e


def _local(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return 0.25 * u**4 - u**2 + 0.3 * u + 0.5 * v**2


def _local_grad(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return u**3 - 2.0 * u + 0.3, v


SURFACES: tuple[Surface, ...] = (
    Surface(
        "valley", "Narrow valley", "f(u, v) = 0.02·u² + 2·v²", _valley, _valley_grad,
        (-11.0, 11.0, -3.0, 3.0), (-10.0, 2.5),
        PathSettings(lr=0.33, lr_adaptive=0.3, steps=100), noise=0.3,
        lesson=("A valley 100 times steeper across (v) than along (u). Plain gradient descent "
                "zig-zags from wall to wall and crawls along the floor; a larger learning "
                "rate would make it diverge across. Momentum builds up speed along the "
                "floor, and RMSprop and Adam scale each direction by its own gradient size."),
        paths=("batch", "momentum", "adam"),
    ),
    Surface(
        "saddle", "Saddle point", "f(u, v) = u² + v⁴/4 − v²/2", _saddle, _saddle_grad,
        (-2.2, 2.2, -1.6, 1.6), (-2.0, 1e-8),
        PathSettings(lr=0.1, lr_adaptive=0.1, steps=150), noise=1.5,
        lesson=("The gradient is zero at (0, 0), a saddle: downhill along v, uphill along u; "
                "the minima are at v = ±1. Starting almost exactly on the ridge, batch "
                "gradient descent walks into the saddle and waits there, because the "
                "push along v is tiny. The noise of stochastic and mini-batch steps kicks "
                "them off the ridge; Adam's normalised steps escape fastest."),
        paths=("batch", "stochastic", "minibatch", "adam"),
    ),
    Surface(
        "plateau", "Plateau", "f(u, v) = 1 − exp(−(u² + v²)/2)", _plateau, _plateau_grad,
        (-4.5, 4.5, -4.5, 4.5), (3.6, 2.6),
        PathSettings(lr=0.5, lr_adaptive=0.1, steps=120), noise=0.05,
        lesson=("Far from the centre the surface is almost flat: the gradient is about "
                "0.001, so gradient descent with any reasonable learning rate barely moves "
                "in 120 steps. Momentum adds up the small pushes and moves ten times "
                "further, still slowly; RMSprop and Adam divide by the gradient's own size "
                "and cross the plateau at full speed."),
        paths=("batch", "momentum", "rmsprop", "adam"),
    ),
    Surface(
        "local", "Local minimum", "f(u, v) = u⁴/4 − u² + 0.3·u + v²/2", _local, _local_grad,
        (-2.4, 2.8, -2.2, 2.2), (2.5, 2.0),
        PathSettings(lr=0.05, lr_adaptive=0.05, steps=150), noise=1.0,
        lesson=("Two valleys: a shallow one at u ≈ 1.3 and the deepest at u ≈ −1.5. "
                "Gradient descent from the right rolls into the nearer, shallow valley and "
                "stays there, since every direction is uphill; so do RMSprop and Adam. "
                "Momentum carries enough speed to roll over the hump into the deeper "
                "minimum."),
        paths=("batch", "momentum", "nesterov", "adam"),
    ),
)
SURFACES_BY_KEY = {s.key: s for s in SURFACES}
