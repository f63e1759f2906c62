"""Training from the window: a run, pause/step/stop, divergence, closing mid-run, results."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtCore import QCoreApplication
from training_helpers import EXAMPLES, training_window, wait_state

from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.ui.training.controller import FINISHED, IDLE, PAUSED, RUNNING
from nnstudio.ui.training.transport import default_backend, process_pool


def test_the_default_backend_is_the_training_process(monkeypatch) -> None:
    monkeypatch.delenv("NNSTUDIO_TRAINING_BACKEND", raising=False)
    assert default_backend() == "process"
    monkeypatch.setenv("NNSTUDIO_TRAINING_BACKEND", "thread")
    assert default_backend() == "thread"


def test_train_xor_from_the_gui_reaches_98_percent(qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    assert ui.actions["train"].isEnabled() and not ui.actions["stop"].isEnabled()
    assert ui.controller.train()
    assert ui.lock.banner.isVisible() and ui.session.locked
    wait_state(qtbot, ui, FINISHED)
    last = window.project.history[-1]
    assert last["val_accuracy"] >= 0.98 and last["train_accuracy"] >= 0.98
    assert "completed" in ui.controller.message
    # weights went back into the document as ONE undo step; the plots show the curves
    assert window.undo_stack.undoText() == "Training results"
    assert all(e.weight is not None for e in window.project.graph.edges.values()
               if window.project.graph.nodes[e.target.node_id].type_id == "neuron.neuron")
    assert len(ui.loss.epochs) == len(window.project.history) == 200
    assert ui.confusion.evaluation is not None
    assert int(ui.confusion.evaluation.confusion.sum()) == len(ui.boundary.info.val_x)
    assert window.is_modified()
    assert ui.actions["train"].text() == "Continue training"
    # saving keeps them; reopening shows the curves; training continues from there
    path = tmp_path / "trained.nnstudio"
    save_project(window.project, path)
    window.set_project(load_project(path), path)
    assert len(ui.loss.epochs) == 200 and ui.loss.train[-1] == pytest.approx(last["train_loss"])
    window.project.training["epochs"] = 5
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    assert window.project.history[-1]["epoch"] == 205
    assert window.project.history[-1]["val_accuracy"] >= 0.98


@pytest.mark.parametrize("backend", [
    "process",
    pytest.param("thread", marks=pytest.mark.slow),  # the GIL makes it slow: 10-20 s
])
def test_pause_step_and_stop(qtbot, tmp_path, monkeypatch, backend: str) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    window.project.training["epochs"] = 100_000
    c = ui.controller
    c.backend = backend
    c.train()
    assert ui.lock.locked and ui.lock.banner.isVisible()
    assert not window.palette_dock.widget().isEnabled() and not window.inspector.isEnabled()
    assert not window.undo_action.isEnabled() and not window.delete_action.isEnabled()
    qtbot.waitUntil(lambda: len(ui.loss.epochs) >= 3, timeout=10_000)
    with qtbot.waitSignal(c.rested, timeout=10_000) as rest:  # everything before arrived
        c.pause()
        assert c.state == PAUSED and ui.actions["pause"].text() == "Resume"
    before = c.step
    assert rest.args[0][1] == before
    with qtbot.waitSignal(c.rested, timeout=10_000) as rest:
        c.step_batch()
    assert rest.args[0][1] == before + 1 == c.step  # exactly one batch, then at rest
    epoch = c.epoch
    with qtbot.waitSignal(c.rested, timeout=10_000):
        c.step_epoch()
    assert c.epoch == epoch + 1 and c.state == PAUSED
    c.train()  # resume
    assert c.state == RUNNING
    qtbot.waitUntil(lambda: c.epoch >= epoch + 3, timeout=10_000)
    c.stop()
    wait_state(qtbot, ui, FINISHED, timeout=30_000)
    assert c.last_stop_latency_s is not None  # (its size: bench/stop_latency.py)
    assert "stopped" in c.message.lower()
    assert not ui.lock.locked and window.palette_dock.widget().isEnabled()
    assert window.undo_action.isEnabled()  # "Training results" can be undone
    assert c.job is None
    assert window.project.history[-1]["epoch"] == c.epoch


def test_step_from_idle_runs_one_batch(qtbot, tmp_path, monkeypatch) -> None:
    _window, ui = training_window(qtbot, tmp_path, monkeypatch)
    ui.controller.step_batch()
    assert ui.controller.state == PAUSED
    qtbot.waitUntil(lambda: ui.controller.step == 1, timeout=5000)
    ui.controller.stop()
    wait_state(qtbot, ui, FINISHED, timeout=5000)
    assert ui.controller.step == 1 and ui.controller.epoch == 0
    assert len(_window.project.history) == 0


def test_diverging_run_shows_its_message_and_the_app_keeps_working(
        qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "linear_regression")
    window.project.training.update(optimizer="sgd", lr=50.0, momentum=0.0, epochs=50)
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    assert ui.controller.last_outcome.reason == "diverged"
    assert "diverged" in ui.panel.message.text()
    assert "smaller learning rate" in ui.panel.message.text()
    assert not ui.lock.locked
    window.project.training.update(lr=0.01, epochs=3)
    ui.controller.reset_weights()
    assert ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    assert ui.controller.last_outcome.reason == "completed"


def test_closing_the_window_mid_run_ends_the_thread(qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    window.project.training["epochs"] = 100_000
    ui.controller.train()
    qtbot.waitUntil(lambda: len(ui.loss.epochs) >= 2, timeout=10_000)
    job = ui.controller.job
    assert job is not None
    thread, process = job.thread, job.server
    assert thread.isRunning()
    window.close()
    assert not thread.isRunning() and ui.controller.job is None
    assert ui.controller.state == FINISHED
    if ui.controller.backend == "process":
        # the child stopped its run and waits, idle, for the next one; at exit the pool
        # ends it: asked to quit, it exits at once with status 0
        assert process in process_pool().idle["process"] and process.alive()
        process_pool().idle["process"].remove(process)
        assert process.close() == 0


def test_closing_while_the_child_does_not_answer_kills_it(qtbot, tmp_path,
                                                          monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    c = ui.controller
    c.backend = "process"
    window.project.training["epochs"] = 100_000
    c.train()
    qtbot.waitUntil(lambda: len(ui.loss.epochs) >= 1, timeout=10_000)
    process = c.job.server
    assert process.pid is not None
    os.kill(process.pid, signal.SIGSTOP)  # a child stuck in a batch: it cannot see Stop
    c.stop_wait_ms = 300  # how long closing waits for an answer before it kills the child
    window.close()
    assert not process.process.is_alive() and c.job is None
    assert c.state == FINISHED and "ended unexpectedly" in c.message
    assert process not in process_pool().idle["process"]


def test_opening_another_project_mid_run_stops_the_run_at_once(
        qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    c = ui.controller
    window.project.training["epochs"] = 100_000
    c.train()
    qtbot.waitUntil(lambda: len(ui.loss.epochs) >= 1, timeout=10_000)
    other = load_project(EXAMPLES / "linear_regression.nnstudio")
    window.set_project(other, None)
    assert c.state == IDLE and c.job is None and not ui.lock.locked
    assert window.project is other and other.history == []  # nothing leaked in
    QCoreApplication.processEvents()  # late signals of the old run (queued) change nothing
    assert c.state == IDLE and other.history == []
    assert c.train()
    wait_state(qtbot, ui, FINISHED)


def test_a_crashed_training_process_is_reported_and_replaced(
        qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    c = ui.controller
    c.backend = "process"
    window.project.training["epochs"] = 100_000
    c.train()
    qtbot.waitUntil(lambda: len(ui.loss.epochs) >= 1, timeout=10_000)
    process = c.job.server
    process.process.kill()
    wait_state(qtbot, ui, FINISHED, timeout=5000)
    assert c.last_outcome.reason == "error"
    assert "ended unexpectedly" in ui.panel.message.text()
    assert not ui.lock.locked and c.job is None
    assert window.undo_stack.undoText() != "Training results"  # nothing half-done stored
    assert process not in process_pool().idle["process"]
    window.project.training["epochs"] = 2
    assert c.train()
    wait_state(qtbot, ui, FINISHED)
    assert c.last_outcome.reason == "completed"


def test_settings_edits_are_undoable_and_locked_during_a_run(
        qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    box = ui.panel._fields[("training", "lr")]
    box.setValue(0.2)
    assert window.project.training["lr"] == pytest.approx(0.2)
    box.setValue(0.3)
    assert window.undo_stack.undoText() == "Set learning rate"
    window.undo_stack.undo()  # merged: one step back to the example's value
    assert window.project.training["lr"] == pytest.approx(0.05)
    assert box.value() == pytest.approx(0.05)
    batch = ui.panel._fields[("training", "batch_size")]
    batch.setValue(1)
    assert "stochastic" in ui.panel.descent_label.text()
    batch.setValue(0)
    assert "batch gradient descent" in ui.panel.descent_label.text()
    window.undo_stack.undo()
    assert "mini-batch" in ui.panel.descent_label.text()
    window.project.training["epochs"] = 100_000
    ui.controller.train()
    assert not ui.panel.body.isEnabled()
    ui.controller.stop()
    wait_state(qtbot, ui, FINISHED)
    assert ui.panel.body.isEnabled()


def test_pressing_train_builds_no_trainer_in_the_window(qtbot, tmp_path, monkeypatch) -> None:
    """The training process describes the run, trains it and shows the stored weights;
    the window's process builds no Trainer (and so never loads the data to train)."""
    from nnstudio.training import trainer as trainer_module

    built: list[object] = []
    original = trainer_module.Trainer.__init__

    def counting(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(trainer_module.Trainer, "__init__", counting)
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "digits_cnn")
    c = ui.controller
    c.backend = "process"
    window.project.training["epochs"] = 1
    assert c.train()
    wait_state(qtbot, ui, FINISHED)
    assert c.last_outcome.reason == "completed" and c.info is not None
    assert c.info.train_samples > 0 and ui.confusion.evaluation is not None
    # Continue and the stored weights' views after Reset + undo go through the child too
    assert c.train()
    wait_state(qtbot, ui, FINISHED)
    ui.controller.reset_weights()
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: c.preview is None, timeout=10_000)
    assert built == []
