"""Loss landscapes: paths by the engine's optimizers, network slices, built-in surfaces."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nnstudio.graph.files.project_file import load_project
from nnstudio.training.datasets import target_array
from nnstudio.training.explain_data import ExplainError, snapshot, training_data
from nnstudio.training.landscape import (
    OPTIMIZER_PATHS,
    PATHS_BY_KEY,
    LandscapeError,
    PathSettings,
    bounds_around,
    centred_bounds,
    compute_path,
    grid_axes,
    loss_grid,
)
from nnstudio.training.landscape_job import (
    LandscapeJob,
    LandscapeResult,
    NetworkSource,
    SurfaceSource,
    run_job,
)
from nnstudio.training.landscape_network import (
    NetworkSlice,
    free_masks,
    parameter_plane,
    random_plane,
    scalar_parameters,
    trainable_count,
)
from nnstudio.training.landscape_surfaces import SURFACES, SURFACES_BY_KEY, SurfaceProblem
from nnstudio.training.trainer import Trainer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _slice_of_two(name: str) -> tuple[NetworkSlice, np.ndarray, np.ndarray]:
    project = load_project(EXAMPLES / f"{name}.nnstudio")
    data = training_data(project)
    first, second = scalar_parameters(data.plan, project.graph)
    plane = parameter_plane(data.plan, first, second)
    return NetworkSlice(data, plane, name), data.x, data.y


def test_the_seven_paths_of_the_lecture() -> None:
    assert [s.key for s in OPTIMIZER_PATHS] == [
        "batch", "stochastic", "minibatch", "momentum", "nesterov", "rmsprop", "adam"]


def test_linear_regression_paths_end_at_the_least_squares_solution() -> None:
    problem, x, y = _slice_of_two("linear_regression")
    assert problem.axis_labels == ("x → ŷ = w·x + b", "bias → ŷ = w·x + b")
    design = np.column_stack([x[:, 0].astype(np.float64), np.ones(len(x))])
    solution = np.linalg.lstsq(design, y[:, 0].astype(np.float64), rcond=None)[0]
    assert abs(solution[0] - 2.0) < 0.1 and abs(solution[1] - 0.5) < 0.1  # the line's data
    start = problem.plane.current
    assert np.linalg.norm(np.subtract(start, solution)) > 1.5  # a real journey
    settings = PathSettings(lr=0.1, lr_adaptive=0.05, steps=300)
    for spec in OPTIMIZER_PATHS:
        path = compute_path(problem, spec, settings, start)
        assert path.diverged_at is None, spec.key
        assert len(path.points) == 301
        assert np.abs(path.points[-1] - solution).max() < 1e-2, spec.key
        assert path.losses[-1] < path.losses[0] / 20, spec.key


def test_a_network_with_two_parameters_draws_its_true_surface() -> None:
    """u and v are the weight and the bias: the grid equals the MSE computed by hand."""
    problem, x, y = _slice_of_two("linear_regression")
    xs, ys = grid_axes((-1.0, 3.0, -1.0, 2.0), 5)
    grid = loss_grid(problem, xs, ys)
    xd, yd = x[:, 0].astype(np.float64), y[:, 0].astype(np.float64)
    by_hand = np.array([[np.mean((w * xd + b - yd) ** 2) for w in xs] for b in ys])
    np.testing.assert_allclose(grid, by_hand, rtol=1e-5)


def test_digits_random_slice_is_centred_on_the_current_loss() -> None:
    project = load_project(EXAMPLES / "digits_mlp.nnstudio")
    trainer = Trainer(project)  # an independent way to the same weights and data
    trainer.plan.forward(trainer.split.train.x, training=False)
    current = trainer.plan.loss(target_array(trainer.split.train, "labels"))
    data = training_data(project)
    plane = random_plane(data.plan, project.graph, seed=3)
    problem = NetworkSlice(data, plane, "digits")
    xs, ys = grid_axes(centred_bounds(plane.current, 1.0), 9)
    grid = loss_grid(problem, xs, ys)
    assert abs(grid[4, 4] - current) < 1e-6
    assert grid.max() > current + 0.1  # the slice is not flat: directions are real


def test_filter_normalised_directions() -> None:
    project = load_project(EXAMPLES / "digits_cnn.nnstudio")
    data = training_data(project)
    plane = random_plane(data.plan, project.graph, seed=0)
    for key, theta in plane.origin.items():
        d = plane.d1[key]
        if theta.ndim == 1:
            assert not d.any(), key  # biases get no direction (Li et al. 2018)
            continue
        rows_d = np.linalg.norm(d.reshape(len(d), -1), axis=1)
        rows_t = np.linalg.norm(theta.reshape(len(theta), -1), axis=1)
        np.testing.assert_allclose(rows_d, rows_t, rtol=1e-9)
    assert not np.allclose(plane.d1[("n2", "weight")], plane.d2[("n2", "weight")])


def test_neuron_level_directions_leave_absent_connections_at_zero() -> None:
    project = load_project(EXAMPLES / "xor.nnstudio")
    data = training_data(project)
    masks = free_masks(data.plan, project.graph)
    edge_weights = sum(1 for e in project.graph.edges.values()
                       if project.graph.nodes[e.target.node_id].type_id == "neuron.neuron")
    assert trainable_count(data.plan, project.graph) == edge_weights
    plane = random_plane(data.plan, project.graph, seed=1)
    for key, mask in masks.items():
        assert not plane.d1[key][~mask].any()
        assert not plane.d2[key][~mask].any()


def test_scalar_parameters_are_named_and_distinct() -> None:
    project = load_project(EXAMPLES / "chocolate_happiness.nnstudio")
    data = training_data(project)
    params = scalar_parameters(data.plan, project.graph)
    assert len(params) == 4 == trainable_count(data.plan, project.graph)
    assert len({p.label for p in params}) == 4
    with pytest.raises(LandscapeError, match="two different"):
        parameter_plane(data.plan, params[0], params[0])


def test_path_gradient_matches_finite_differences_of_the_slice() -> None:
    project = load_project(EXAMPLES / "xor.nnstudio")
    data = training_data(project)
    data = replace(data, plan=data.plan.astype(np.float64), x=data.x.astype(np.float64))
    problem = NetworkSlice(data, random_plane(data.plan, project.graph, 2), "xor")
    point = np.array([0.3, -0.2])
    grad = problem.gradient(point, None, np.random.default_rng(0))
    h = 1e-6
    numeric = [(problem.loss_at(np.array([point + h * e]))[0]
                - problem.loss_at(np.array([point - h * e]))[0]) / (2 * h)
               for e in np.eye(2)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6)
    rows = np.arange(5)
    batch_grad = problem.gradient(point, rows, np.random.default_rng(0))
    assert not np.allclose(batch_grad, grad)  # a batch sees only its samples


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.key)
def test_surface_gradients_are_exact(surface) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    u0, u1, v0, v1 = surface.bounds
    for u, v in zip(rng.uniform(u0, u1, 5), rng.uniform(v0, v1, 5), strict=True):
        gu, gv = surface.grad(np.array(u), np.array(v))
        h = 1e-6
        nu = (surface.f(np.array(u + h), np.array(v)) - surface.f(np.array(u - h), np.array(v)))
        nv = (surface.f(np.array(u), np.array(v + h)) - surface.f(np.array(u), np.array(v - h)))
        np.testing.assert_allclose([gu, gv], [nu / (2 * h), nv / (2 * h)], rtol=1e-5, atol=1e-7)


def _ends(key: str) -> dict[str, np.ndarray]:
    surface = SURFACES_BY_KEY[key]
    problem = SurfaceProblem(surface)
    return {spec.key: compute_path(problem, spec, surface.settings, surface.start).points[-1]
            for spec in OPTIMIZER_PATHS}


def test_narrow_valley_momentum_beats_plain_descent() -> None:
    ends = _ends("valley")
    assert abs(ends["batch"][0]) > 1.5  # still crawling along the floor
    for key in ("momentum", "nesterov", "rmsprop", "adam"):
        assert np.linalg.norm(ends[key]) < 0.1, key


def test_saddle_point_holds_batch_descent_but_not_noise_or_adam() -> None:
    ends = _ends("saddle")
    assert np.linalg.norm(ends["batch"]) < 0.05  # sits in the saddle at (0, 0)
    for key in ("stochastic", "minibatch", "momentum", "adam"):
        assert abs(abs(ends[key][1]) - 1.0) < 0.3, key  # in one of the minima v = ±1


def test_plateau_stalls_gradient_descent_but_not_adaptive_steps() -> None:
    surface = SURFACES_BY_KEY["plateau"]
    ends = _ends("plateau")
    assert np.linalg.norm(ends["batch"] - surface.start) < 0.05
    for key in ("rmsprop", "adam"):
        assert np.linalg.norm(ends[key]) < 0.1, key


def test_local_minimum_traps_descent_momentum_rolls_on() -> None:
    ends = _ends("local")
    assert abs(ends["batch"][0] - 1.33) < 0.05  # the shallow valley
    assert abs(ends["momentum"][0] + 1.48) < 0.05  # the deepest one


def test_too_large_a_learning_rate_is_reported_as_divergence() -> None:
    problem = SurfaceProblem(SURFACES_BY_KEY["valley"])
    path = compute_path(problem, PATHS_BY_KEY["batch"], PathSettings(lr=5.0, steps=200),
                        (1.0, 1.0))
    assert path.diverged_at is not None and path.diverged_at < 200
    assert len(path.points) == path.diverged_at
    assert np.all(np.isfinite(path.points))


@pytest.mark.parametrize("changes, field", [
    ({"lr": -1.0}, "lr"), ({"lr_adaptive": float("nan")}, "lr adaptive"),
    ({"steps": 0}, "Steps"), ({"steps": 10**7}, "Steps"), ({"minibatch_size": 0}, "mini-batch"),
])
def test_bad_path_settings_are_named(changes, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LandscapeError, match=field):
        PathSettings(**changes).checked()


def test_grid_axes_put_the_centre_on_the_middle_sample() -> None:
    xs, ys = grid_axes(centred_bounds((0.1, -0.3), 0.7), 41)
    assert xs[20] == pytest.approx(0.1, abs=1e-15) and ys[20] == pytest.approx(-0.3, abs=1e-15)
    xs, _ = grid_axes(centred_bounds((0.0, 0.0), 1.0), 41)
    assert xs[20] == 0.0
    with pytest.raises(LandscapeError):
        grid_axes((0, 0, 0, 1), 11)
    with pytest.raises(LandscapeError):
        grid_axes((0, 1, 0, 1), 10**6)


def test_bounds_hold_the_centre_and_every_point() -> None:
    bounds = bounds_around([np.array([[0.0, 0.0], [4.0, 1.0]])], (2.0, -1.0), 0.5, 100.0)
    u0, u1, v0, v1 = bounds
    assert u0 < 0 and u1 > 4 and v0 < -1 and v1 > 1
    tight = bounds_around([], (0.0, 0.0), 0.5, 100.0)
    assert tight == (-0.5, 0.5, -0.5, 0.5)


def test_a_project_without_dataset_is_explained_in_one_sentence() -> None:
    project = load_project(EXAMPLES / "xor.nnstudio")
    project.dataset = {}
    with pytest.raises(ExplainError, match="no dataset"):
        training_data(project)


def test_a_job_reports_progress_then_one_result() -> None:
    job = LandscapeJob(SurfaceSource("local"), ("batch", "momentum"),
                       SURFACES_BY_KEY["local"].settings, resolution=11)
    items = list(run_job(job))
    progress, result = items[:-1], items[-1]
    assert isinstance(result, LandscapeResult)
    assert [done for _, done, _ in progress] == list(range(len(progress)))
    assert progress[-1][2] == 1 + 2 + 11
    assert result.grid.shape == (11, 11) and result.current is None
    assert result.start == SURFACES_BY_KEY["local"].start
    np.testing.assert_allclose(result.grid[5, 5], SURFACES_BY_KEY["local"].f(
        np.array(result.xs[5]), np.array(result.ys[5])))


def test_a_network_job_fits_its_view_to_the_paths() -> None:
    project = load_project(EXAMPLES / "linear_regression.nnstudio")
    data = training_data(project)
    axes = tuple(scalar_parameters(data.plan, project.graph))
    job = LandscapeJob(NetworkSource(snapshot(project), None, "parameters", axes),
                       ("batch", "adam"), PathSettings(steps=200), resolution=11)
    result = next(item for item in run_job(job) if isinstance(item, LandscapeResult))
    u0, u1, v0, v1 = result.xs[0], result.xs[-1], result.ys[0], result.ys[-1]
    for path in result.paths:
        assert np.all((path.points[:, 0] >= u0) & (path.points[:, 0] <= u1))
        assert np.all((path.points[:, 1] >= v0) & (path.points[:, 1] <= v1))
    assert "80 training samples" in result.note


@pytest.mark.parametrize("job, message", [
    (LandscapeJob(SurfaceSource("nope"), ("batch",), PathSettings()), "Unknown surface"),
    (LandscapeJob(SurfaceSource("valley"), ("sgd",), PathSettings()), "Unknown optimizer"),
    (LandscapeJob(SurfaceSource("valley"), (), PathSettings(), resolution=2), "resolution"),
])
def test_bad_jobs_are_one_sentence(job, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LandscapeError, match=message):
        list(run_job(job))
