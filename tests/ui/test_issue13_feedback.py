"""Issue 13, feedback that is never silent (items 1, 5 and 8): Train is off with the reason
on an invalid network and F5 shows the problem; every state of a run is in the status bar
and the plot headers; a stale "diverged" goes after a later edit; undo texts, the title,
and a toolbar that does not move."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from training_helpers import EXAMPLES, training_window, wait_state
from window_helpers import make_window

from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.edits import SetParam
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.training.controller import FINISHED, IDLE, PAUSED


def headers(window: MainWindow) -> set[str]:
    return {frame.header.toolTip() for frame in window.training_ui.views.frames.values()}


def broken_digits(window: MainWindow) -> str:
    """digits_cnn with MaxPool wired straight into Dense (no Flatten); returns the Dense."""
    path = EXAMPLES / "digits_cnn.nnstudio"
    window.set_project(load_project(path), path)
    doc = window.project.graph
    flatten = next(n for n in doc.nodes.values() if n.type_id == "layer.flatten")
    before = doc.incoming(flatten.id)[0].source
    after = doc.outgoing(flatten.id)[0].target
    window.scene.select_nodes([flatten.id])
    window.scene.delete_selection()
    window.project.graph.connect(before.node_id, before.port, after.node_id, after.port)
    return after.node_id


def test_train_on_an_invalid_network_is_off_and_f5_shows_why(qtbot, tmp_path: Path,
                                                             monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    dense = broken_digits(window)
    ui = window.training_ui
    train = ui.actions["train"]
    qtbot.waitUntil(lambda: "Flatten" in train.toolTip())
    assert "Cannot train" in train.toolTip() and "Flatten" in train.toolTip()
    assert not ui.actions["step_batch"].isEnabled()
    assert ui.status.text().startswith("Cannot train:")
    assert all(text.startswith("Cannot train:") for text in headers(window))
    window.scene.select_nodes([])
    window.workspaces.switch("train")
    window.inspector_dock.raise_()  # the Inspector tab in front, as in the report
    qtbot.wait(20)
    assert window.problems_dock.visibleRegion().isEmpty()
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert ui.controller.state == IDLE  # nothing started …
    assert not window.problems_dock.visibleRegion().isEmpty()  # … the problem in front
    assert window.scene.selected_node_ids() == [dense]
    assert window.statusBar().currentMessage().startswith("Cannot train:")
    assert "Flatten" in ui.panel.message.text()
    # the one-click fix in the Problems list mends it and Train comes back
    assert window.problems.fixes
    window.apply_fix(next(iter(window.problems.fixes.values()))[0])
    qtbot.waitUntil(train.isEnabled)
    assert train.toolTip().startswith("Train") and not ui.status.text().startswith("Cannot")
    assert ui.panel.message.text() == ""


def test_every_state_shows_in_the_status_bar_and_the_plot_headers(qtbot, tmp_path,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    assert headers(window) == {"Ready to train"} and ui.status.text() == "Ready to train"
    window.project.training["epochs"] = 100_000
    ui.controller.train()
    qtbot.waitUntil(lambda: ui.status.text().startswith("Training · epoch"))
    assert all(t.startswith("Training · epoch") for t in headers(window))
    ui.controller.pause()
    assert ui.controller.state == PAUSED
    assert ui.status.text().startswith("Paused") and all(
        t.startswith("Paused") for t in headers(window))
    ui.controller.stop()
    wait_state(qtbot, ui, FINISHED)
    assert ui.status.text().startswith("Stopped") and all(
        t.startswith("Stopped") for t in headers(window))


def test_a_diverged_run_says_so_everywhere_until_a_later_edit(qtbot, tmp_path,
                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "spiral_regularization")
    window.project.training.update(optimizer="sgd", lr=100.0, epochs=20)
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    assert ui.controller.last_outcome.reason == "diverged"
    assert ui.status.text().startswith("Diverged")
    assert all(t.startswith("Diverged") for t in headers(window))
    loss = ui.loss
    assert loss.summary.text().startswith("Diverged near epoch")  # not "No training yet."
    assert loss.diverged_line.isVisible() and loss.diverged_at is not None
    assert loss.diverged_point.data.size != 0
    x_range, _y_range = loss.plot.getPlotItem().getViewBox().viewRange()
    assert x_range[1] - x_range[0] >= 1.0  # one point: still a readable epoch axis
    assert x_range[0] <= loss.diverged_at <= x_range[1]
    assert "diverged" in ui.panel.message.text().lower()
    # a later edit: the message is history, the status is ready (or says what is wrong)
    dense = next(n for n in window.project.graph.nodes.values() if n.type_id == "layer.dense")
    window.session.push(SetParam(dense.id, "units", 32))
    qtbot.waitUntil(lambda: ui.controller.state == IDLE)
    assert ui.panel.message.text() == ""
    assert not ui.status.text().startswith("Diverged")


def test_undo_texts_name_the_change_and_the_toolbar_stays_put(qtbot, tmp_path,
                                                              monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    path = EXAMPLES / "spiral_regularization.nnstudio"
    window.set_project(load_project(path), path)
    doc = window.project.graph
    dense = next(n for n in doc.nodes.values() if n.type_id == "layer.dense")
    drop = next(n for n in doc.nodes.values() if n.type_id == "layer.dropout")
    before = {a.text(): window.toolbar.widgetForAction(a).geometry()
              for a in window.toolbar.actions() if not a.isSeparator()}
    window.scene.select_nodes([dense.id])
    window.inspector.editors["units"].setValue(32)  # through the inspector, as a student
    assert window.undo_action.text() == f"&Undo Change units of {dense.title}"
    window.scene.select_nodes([drop.id])
    window.inspector.editors["p"].setValue(0.3)
    assert window.undo_action.text() == f"&Undo Change drop probability of {drop.title}"
    assert window.undo_action.toolTip() == f"Undo Change drop probability of {drop.title}"
    after = {a.text(): window.toolbar.widgetForAction(a).geometry()
             for a in window.toolbar.actions() if not a.isSeparator()}
    assert list(before.values()) == list(after.values())  # no button moved


def test_the_title_names_the_file_after_save_as(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    window.add_node_at_center("layer.dense")
    target = tmp_path / "my_cnn.nnstudio"
    window.files.ask_save_path = lambda: target  # type: ignore[method-assign]
    window.save_as_action.trigger()
    assert window.windowTitle().startswith("my_cnn[*]")
    assert "Untitled" not in window.windowTitle() and window.display_name() == "my_cnn"


@pytest.mark.parametrize("count, correct, text", [(1, False, "1 misclassified sample"),
                                                  (3, False, "3 misclassified samples"),
                                                  (1, True, "1 correctly classified sample")])
def test_cell_counts_are_plural_only_when_more_than_one(count: int, correct: bool,
                                                        text: str) -> None:
    from nnstudio.ui.training.plots.confusion import cell_count_text

    assert cell_count_text(count, correct) == text


def test_an_export_after_save_as_is_named_after_the_file(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    project = load_project(EXAMPLES / "xor.nnstudio")
    project.name = "Untitled"
    window.set_project(project, None)
    target = tmp_path / "my_cnn.nnstudio"
    window.files.ask_save_path = lambda: target  # type: ignore[method-assign]
    window.save_as_action.trigger()
    export = window.export_actions
    export.ask_save_path = lambda *a: tmp_path / "net.py"  # type: ignore[method-assign]
    written = export.export_pytorch()
    code = written[0].read_text(encoding="utf-8")
    assert "my_cnn" in code and "Untitled" not in code
    assert window.project.name == "Untitled"  # the project itself is unchanged
