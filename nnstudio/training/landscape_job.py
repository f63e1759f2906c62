"""One landscape computation as the Landscape panel asks for it: build the problem, run
the chosen optimizer paths, then the loss grid row by row. ``run_job`` is a generator so
a worker thread can report progress and stop between rows (no Qt here).

    for item in run_job(job):
        if isinstance(item, LandscapeResult): ...     # the last item
        else: stage, done, total = item               # progress
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from nnstudio.graph.model.project import Project
from nnstudio.training.explain_data import SAMPLE_LIMIT, training_data
from nnstudio.training.landscape import (
    PATHS_BY_KEY,
    LandscapeError,
    OptimizerPath,
    PathSettings,
    Problem,
    bounds_around,
    centred_bounds,
    compute_path,
    grid_axes,
)
from nnstudio.training.landscape_network import (
    NetworkSlice,
    Plane,
    ScalarParam,
    parameter_plane,
    random_plane,
)
from nnstudio.training.landscape_surfaces import SURFACES_BY_KEY, SurfaceProblem

MIN_HALF_WIDTH = 0.5
MAX_HALF_WIDTH = 100.0
MAX_HALF_WIDTH_RANDOM = 50.0
Progress = tuple[str, int, int]


@dataclass(frozen=True)
class SurfaceSource:
    """A built-in surface by key (``landscape_surfaces.SURFACES``)."""

    key: str


@dataclass(frozen=True)
class NetworkSource:
    """A project (a snapshot) sliced through two of its parameters (``axes``) or two random
    filter-normalised directions (``seed``) over ±``half_width``."""

    project: Project
    base_dir: Path | None
    mode: Literal["parameters", "random"]
    axes: tuple[ScalarParam, ScalarParam] | None = None
    seed: int = 0
    half_width: float = 1.0


@dataclass(frozen=True)
class LandscapeJob:
    """What to compute; ``start``: where the paths begin (None: the current weights, or
    the surface's start)."""

    source: SurfaceSource | NetworkSource
    paths: tuple[str, ...]
    settings: PathSettings
    resolution: int = 41
    start: tuple[float, float] | None = None


@dataclass(frozen=True)
class LandscapeResult:
    """grid: ``(len(ys), len(xs))``, row i at v = ys[i]; current: the network's weights
    (None for a built-in surface); note: one sentence about the data used."""

    title: str
    axis_labels: tuple[str, str]
    xs: np.ndarray
    ys: np.ndarray
    grid: np.ndarray
    paths: tuple[OptimizerPath, ...]
    start: tuple[float, float]
    current: tuple[float, float] | None
    lesson: str
    note: str


def _network_problem(source: NetworkSource) -> tuple[NetworkSlice, str]:
    data = training_data(source.project, source.base_dir)
    plane: Plane
    if source.mode == "parameters":
        if source.axes is None:
            raise LandscapeError("Choose the two parameters for the axes.")
        first, second = source.axes
        for p in (first, second):
            array = data.plan.params.get(p.key)
            if array is None or not 0 <= p.index < array.size:
                raise LandscapeError(f"The parameter {p.label} is no longer in the network.")
        plane = parameter_plane(data.plan, first, second)
        title = "Loss over two parameters"
    else:
        if not 0 < source.half_width <= MAX_HALF_WIDTH_RANDOM:
            raise LandscapeError(f"The range must lie in (0, {MAX_HALF_WIDTH_RANDOM:g}], "
                                 f"not {source.half_width}.")
        plane = random_plane(data.plan, source.project.graph, source.seed)
        title = "Loss along two random directions"
    used = len(data.x)
    note = (f"Loss on the {used} training samples of {data.dataset_name}"
            if used == data.n_train else
            f"Loss on the first {used} of {data.n_train} training samples of "
            f"{data.dataset_name} (at most {SAMPLE_LIMIT})")
    note += ", penalties included, without dropout (evaluation mode)."
    return NetworkSlice(data, plane, title), note


def run_job(job: LandscapeJob) -> Iterator[Progress | LandscapeResult]:
    """Progress ``(stage, done, total)`` items, then one LandscapeResult.

    Raises LandscapeError or ExplainError (one sentence) for what cannot be computed.
    """
    settings = job.settings.checked()
    unknown = [k for k in job.paths if k not in PATHS_BY_KEY]
    if unknown:
        raise LandscapeError(f"Unknown optimizer path {unknown[0]!r}.")
    grid_axes((0.0, 1.0, 0.0, 1.0), job.resolution)  # validates the resolution
    total = 1 + len(job.paths) + job.resolution
    yield ("Preparing the data", 0, total)
    problem: Problem
    current: tuple[float, float] | None
    if isinstance(job.source, SurfaceSource):
        surface = SURFACES_BY_KEY.get(job.source.key)
        if surface is None:
            raise LandscapeError(f"Unknown surface {job.source.key!r}.")
        problem, current, lesson, note = SurfaceProblem(surface), None, surface.lesson, ""
        start = job.start or surface.start
    else:
        network, note = _network_problem(job.source)
        problem, current, lesson = network, network.plane.current, ""
        start = job.start or network.plane.current
    paths = []
    for k, key in enumerate(job.paths):
        yield (f"Optimizer path {k + 1} of {len(job.paths)}", 1 + k, total)
        paths.append(compute_path(problem, PATHS_BY_KEY[key], settings, start))
    bounds = _bounds(job, problem, paths, start)
    xs, ys = grid_axes(bounds, job.resolution)
    grid = np.empty((len(ys), len(xs)))
    for i, v in enumerate(ys):
        yield (f"Loss grid row {i + 1} of {len(ys)}", 1 + len(paths) + i, total)
        grid[i] = problem.loss_at(np.column_stack([xs, np.full_like(xs, v)]))
    yield LandscapeResult(problem.title, problem.axis_labels, xs, ys, grid, tuple(paths),
                          (float(start[0]), float(start[1])), current, lesson, note)


def _bounds(job: LandscapeJob, problem: Problem, paths: list[OptimizerPath],
            start: tuple[float, float]) -> tuple[float, float, float, float]:
    source = job.source
    if isinstance(source, SurfaceSource):
        return SURFACES_BY_KEY[source.key].bounds
    if source.mode == "random":
        return centred_bounds((0.0, 0.0), source.half_width)
    assert isinstance(problem, NetworkSlice)
    return bounds_around([p.points for p in paths] + [np.array([start])],
                         problem.plane.current, MIN_HALF_WIDTH, MAX_HALF_WIDTH)
