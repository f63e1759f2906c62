"""Issue 13, the Training panel and the numbers a student reads (items 4, 10 and 12):
settings that do not apply are off with the reason, regularization for the whole network
in one step, per-node values shown as overriding, the lecture's chocolate scaling, the
dataset description never cut, the backprop table's raw and scaled inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_backprop_ui import chocolate_project
from test_issue13_canvas import choose_dataset
from training_helpers import EXAMPLES
from window_helpers import make_window

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.files.project_file import load_project
from nnstudio.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # type: ignore[no-untyped-def]
    return make_window(qtbot, tmp_path, monkeypatch)


def open_example(window: MainWindow, name: str) -> None:
    path = EXAMPLES / f"{name}.nnstudio"
    window.set_project(load_project(path), path)


def field(window: MainWindow, name: str):  # type: ignore[no-untyped-def]
    return window.training_ui.panel._fields[("training", name)]


def test_settings_that_do_not_apply_are_off_with_the_reason(window: MainWindow) -> None:
    panel = window.training_ui.panel
    method = field(window, "optimizer")
    method.setCurrentIndex(method.findData("adam"))
    assert not field(window, "momentum").isEnabled()
    assert "Adam" in field(window, "momentum").toolTip()
    assert not field(window, "nesterov").isEnabled()
    assert not panel._captions[field(window, "momentum")].isEnabled()
    method.setCurrentIndex(method.findData("sgd"))
    assert field(window, "momentum").isEnabled() and field(window, "nesterov").isEnabled()
    stopping = field(window, "early_stopping")
    stopping.setChecked(False)
    for name in ("patience", "restore_best"):
        assert not field(window, name).isEnabled()
        assert "early stopping" in field(window, name).toolTip()
    stopping.setChecked(True)
    assert field(window, "patience").isEnabled()
    schedule = field(window, "schedule")
    schedule.setCurrentIndex(schedule.findData("constant"))
    assert not field(window, "step_size").isEnabled() and not field(window, "gamma").isEnabled()
    assert "constant" in field(window, "gamma").toolTip()
    schedule.setCurrentIndex(schedule.findData("exponential"))
    assert field(window, "gamma").isEnabled() and not field(window, "step_size").isEnabled()
    window.session.undo()  # each change was one step; undo re-reads the panel
    assert not field(window, "gamma").isEnabled()


def test_switching_regularization_off_for_the_spiral_is_one_gesture(window: MainWindow,
                                                                    qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "spiral_regularization")
    group = window.training_ui.panel.regularization
    doc = window.project.graph
    dense = [n for n in doc.nodes.values() if n.type_id == "layer.dense"]
    assert group.penalty.currentData() == "l2" and group.strength.value() == 0.0001
    steps = window.undo_stack.count()
    group.penalty.setCurrentIndex(group.penalty.findData("none"))  # one pick
    assert window.undo_stack.count() == steps + 1
    assert window.undo_stack.undoText() == "Set no penalty for all layers"
    assert all(n.params["penalty"] == "none" and n.params["l2"] == 0.0 for n in dense)
    qtbot.waitUntil(lambda: not [p for p in window.problems.problems
                                 if p.code.startswith("penalty")])
    assert not group.strength.isEnabled()  # nothing to set without a penalty
    drops = [n for n in doc.nodes.values() if n.type_id == "layer.dropout"]
    group.dropout.click()  # one click: every Dropout off, p kept
    assert all(not n.params["active"] and n.params["p"] > 0 for n in drops)
    assert window.undo_stack.count() == steps + 2
    window.session.undo()
    window.session.undo()
    assert all(n.params["penalty"] == "l2" and n.params["l2"] == 0.0001 for n in dense)
    assert all(n.params["active"] for n in drops)
    assert group.penalty.currentData() == "l2" and group.dropout.isChecked()


def test_a_node_of_its_own_is_shown_as_overriding(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "spiral_regularization")
    group = window.training_ui.panel.regularization
    group.strength.setValue(0.001)  # L2 0.001 for all layers
    dense = next(n for n in window.project.graph.nodes.values() if n.type_id == "layer.dense")
    window.scene.select_nodes([dense.id])
    window.inspector.editors["l2"].setValue(0.01)  # this one differs
    qtbot.waitUntil(lambda: "overrides" in window.inspector.info_label.text())
    assert "L2 0.001 for all layers" in window.inspector.info_label.text()
    assert group.note.isVisible() and group.note.text().startswith("1 of 3 layers")
    new = window.add_node_at_center("layer.dense")  # a new layer takes the choice
    assert window.project.graph.nodes[new].params["l2"] == 0.001


def test_chocolate_from_file_new_keeps_the_lectures_x(window: MainWindow) -> None:
    window.new_action.trigger()
    choose_dataset(window.training_ui.panel, "chocolate")
    assert window.project.training["scaling"] == "none"
    assert field(window, "scaling").currentData() == "none"


@pytest.mark.parametrize("name", ["spiral", "digits", "chocolate", "xor"])
def test_the_dataset_description_is_never_cut(window: MainWindow, qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    window.resize(1280, 720)
    window.workspaces.switch("train")
    choose_dataset(window.training_ui.panel, name)
    note = window.training_ui.panel.dataset_note
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()))
    assert note.text() and note.height() >= note.heightForWidth(note.width())


def test_the_backprop_table_labels_raw_and_scaled_inputs(window: MainWindow) -> None:
    project, _ids = chocolate_project()
    project.training["scaling"] = "standardize"
    window.set_project(project, None)
    ui = window.backprop_ui
    ui.show()
    ui.forward()
    table = ui.panel.samples
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[1:3] == ["raw x", "scaled x (standardize)"]
    assert ui.batch is not None
    raw = float(ui.batch.raw_x[0, 0])
    scaled = float(ui.batch.x[0, 0])
    assert table.item(0, 1).text() == f"{raw:.4g}".replace("-", "−")
    assert table.item(0, 2).text() == f"{scaled:.4g}".replace("-", "−")
    assert not np.isclose(raw, scaled)
    project2, _ = chocolate_project()  # the lecture's own: one input column, the raw x
    window.set_project(project2, None)
    ui.forward()
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[:3] == ["i", "input x", "target"]
    assert validate(window.project.graph) == []
