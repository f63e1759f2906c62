"""After a run: undo/redo of results and reset, the run controls, divergence, reopening."""

from __future__ import annotations

import numpy as np
import pytest
from training_helpers import training_window, wait_state

from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.training.predictor import make_predictor
from nnstudio.ui.training.controller import FINISHED, IDLE, PAUSED


def learned(window) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    return {e.id: e.weight for e in window.project.graph.edges.values()}


def test_undo_and_redo_of_training_results_and_reset_restore_history_and_curves(
        qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    project = window.project
    project.training["epochs"] = 6
    before = learned(window)
    assert project.history == [] and len(ui.loss.epochs) == 0
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    trained = learned(window)
    history = [dict(h) for h in project.history]
    assert len(history) == 6 and project.optimizer_state and project.preprocessing
    stack = window.undo_stack
    assert stack.undoText() == "Training results"

    stack.undo()  # weights AND history, optimizer state, preprocessing go back
    assert learned(window) == before
    assert project.history == [] and project.optimizer_state == {}
    assert project.preprocessing == {}
    assert len(ui.loss.epochs) == 0 and len(ui.metrics.epochs) == 0
    assert ui.actions["train"].text() == "Train" and ui.controller.state == IDLE
    stack.redo()
    assert learned(window) == trained and project.history == history
    assert ui.loss.epochs == [h["epoch"] for h in history]
    assert ui.actions["train"].text() == "Continue training"

    ui.controller.reset_weights()
    assert stack.undoText() == "Reset weights"
    assert project.history == [] and len(ui.loss.epochs) == 0
    assert all(w is None for w in learned(window).values())
    stack.undo()  # the curves come back with the weights
    assert learned(window) == trained and project.history == history
    assert len(ui.loss.epochs) == 6 and ui.loss.train[-1] == pytest.approx(
        history[-1]["train_loss"])
    assert project.optimizer_state and project.preprocessing
    # the next run continues from the restored state
    project.training["epochs"] = 2
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    assert [h["epoch"] for h in project.history] == list(range(1, 9))


def test_pause_controls_banner_and_layout(qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    c = ui.controller
    window.project.training["epochs"] = 100_000
    c.train()
    banner = ui.lock.banner
    assert banner.isVisible() and "running" in banner.text()
    viewport = window.view.viewport()
    # a slim bar along the bottom edge of the canvas, not over the top row of nodes (the
    # Train workspace comes in first and resizes the canvas)
    qtbot.waitUntil(lambda: banner.geometry().bottom() == viewport.geometry().bottom())
    assert banner.y() > viewport.height() // 2 and banner.height() < 80
    qtbot.waitUntil(lambda: len(ui.loss.epochs) >= 1, timeout=10_000)
    c.pause()
    assert c.state == PAUSED
    assert ui.actions["pause"].text() == "Resume"
    assert ui.actions["train"].text() != "Resume" and not ui.actions["train"].isEnabled()
    assert "paused" in banner.text() and "running" not in banner.text()
    c.toggle_pause()  # the Pause button resumes
    assert ui.actions["pause"].text() == "Pause" and "running" in banner.text()
    c.stop()
    wait_state(qtbot, ui, FINISHED)
    assert ui.status.text().startswith("Stopped")
    # the Train workspace: the curves in one tab group (Loss in front), the pictures in
    # another beside it (Boundary in front), below the canvas
    assert window.workspaces.current == "train"
    curves = set(window.tabifiedDockWidgets(ui.docks["loss"]))
    assert {ui.docks[n] for n in ("metrics", "gradients", "weights")} <= curves
    pictures = set(window.tabifiedDockWidgets(ui.docks["boundary"]))
    assert {ui.docks[n] for n in ("confusion", "filters", "draw_pad")} <= pictures
    assert not ui.loss.visibleRegion().isEmpty() and not ui.boundary.visibleRegion().isEmpty()
    assert ui.docks["boundary"].x() > ui.docks["loss"].x()
    assert ui.docks["loss"].y() > window.view.geometry().bottom()
    assert ui.loss.width() >= window.width() // 3


def test_a_diverged_run_keeps_finite_weights_and_says_so_once(
        qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "linear_regression")
    window.project.training.update(optimizer="sgd", lr=50.0, momentum=0.9, epochs=50)
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    assert ui.controller.last_outcome.reason == "diverged"
    message = ui.panel.message.text()
    assert message.lower().count("diverged") == 1 and message.count("Training") == 1
    epoch = ui.controller.epoch + 1
    assert ui.status.text().startswith(f"Diverged at epoch {epoch}")
    assert f"at epoch {epoch}," in message
    weights = [w for w in learned(window).values() if w is not None]
    assert weights and all(np.isfinite(weights))
    for node in window.project.graph.nodes.values():
        assert all(np.all(np.isfinite(v)) for v in node.values.values())
    arrays = window.project.optimizer_state.get("arrays", {})
    assert all(np.all(np.isfinite(a)) for a in arrays.values())


def test_a_reopened_project_shows_its_fitted_curve_and_map(qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "chocolate_happiness")
    window.project.training["epochs"] = 30
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    path = tmp_path / "chocolate.nnstudio"
    save_project(window.project, path)
    window.set_project(load_project(path), path)
    qtbot.waitUntil(lambda: ui.boundary._pending is not None
                    or ui.boundary.shown_snapshot is not None, timeout=5000)
    ui.docks["boundary"].raise_()
    qtbot.waitUntil(lambda: ui.boundary.shown_snapshot is not None, timeout=5000)
    xs, ys = ui.boundary.curve.getData()
    assert xs is not None and len(xs) == 200 and np.all(np.isfinite(ys))
    # the curve is the saved model's: predictions of the reopened project's weights
    predictor = make_predictor(window.project, window.data_signature)
    assert predictor is not None
    expected = predictor.predict(np.asarray(xs, dtype=np.float32)[:, None])[:, 0]
    assert ys == pytest.approx(expected, abs=1e-5)
    assert ui.boundary.train_points.data.size > 0
