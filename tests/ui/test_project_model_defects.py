"""Regression tests for the six defects of issue 11 (the project as a model)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from training_helpers import EXAMPLES, training_window, wait_state

from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.graph.model.edits import SetParam
from nnstudio.graph.model.project import Project
from nnstudio.training.new_project import new_project_from_data
from nnstudio.training.prepared import data_signature
from nnstudio.ui.canvas import inline_edit
from nnstudio.ui.palette import NODE_TYPE_MIME
from nnstudio.ui.training.controller import FINISHED, IDLE


def _press(window, keys: QKeySequence | Qt.Key) -> None:  # type: ignore[no-untyped-def]
    """The key (or key sequence) as the canvas receives it."""
    view = window.view
    view.setFocus()
    if isinstance(keys, Qt.Key):
        QTest.keyClick(view, keys)
        return
    combo = keys[0]
    QTest.keyClick(view, combo.key(), combo.keyboardModifiers())


def test_1_no_gesture_edits_the_network_during_a_run(qtbot, tmp_path, monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    doc = window.project.graph
    neuron = next(n.id for n in doc.nodes.values() if n.type_id == "neuron.neuron")
    weighted = next(e for e in doc.edges.values() if e.target.node_id == neuron)
    window.scene.select_nodes([neuron])
    window.scene.copy_selection()
    depth = window.undo_stack.count()
    window.project.training["epochs"] = 100_000
    assert ui.controller.train() and window.session.locked
    before = doc.copy()
    window.scene.select_nodes([neuron])
    for keys in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, QKeySequence("Ctrl+X"),
                 QKeySequence("Ctrl+V"), QKeySequence("Ctrl+Z"), QKeySequence("Ctrl+Y"),
                 QKeySequence("Ctrl+D")):
        _press(window, keys)
        assert doc.same_as(before), f"{keys} changed the network during a run"
    for name in ("delete", "cut", "paste", "duplicate", "undo", "redo"):
        window.action(name).trigger()
        assert doc.same_as(before), f"{name} changed the network during a run"
    # a drop from the palette
    mime = QMimeData()
    mime.setData(NODE_TYPE_MIME, b"layer.dense")
    where = window.view.mapFromScene(QPointF(50, 50))
    QApplication.sendEvent(window.view.viewport(), QDragEnterEvent(
        where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(window.view.viewport(), QDropEvent(
        QPointF(where), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier))
    window.scene.add_node_at("layer.dense", QPointF(0, 0))  # past the banner's filter too
    assert doc.same_as(before)
    # the inspector (its widgets are disabled; a programmatic change is refused too)
    window.inspector.show_selection([neuron], [])
    window.inspector.title_edit.setText("Renamed")  # type: ignore[union-attr]
    window.inspector.title_edit.editingFinished.emit()  # type: ignore[union-attr]
    assert doc.same_as(before)
    # an inline edit of an edge weight
    editor = inline_edit.edit_edge(window.scene, window.scene.edge_items[weighted.id])
    assert editor is not None
    editor.setText("3.5")  # type: ignore[attr-defined]
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert doc.same_as(before)
    assert window.undo_stack.count() == depth
    ui.controller.stop()
    wait_state(qtbot, ui, FINISHED)
    assert not window.session.locked


def _csv_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    with (folder / "data.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "label"])
        for _ in range(60):
            a, b = rng.normal(size=2)
            writer.writerow([f"{a:.4f}", f"{b:.4f}", int(a + b > 0)])
    project = new_project_from_data(folder / "data.csv", target="label", hidden=[4],
                                    project_dir=folder)
    path = folder / "p.nnstudio"
    save_project(project, path)
    assert project.dataset["path"] == "data.csv"
    return path


def test_2_save_as_into_another_folder_keeps_the_data(qtbot, tmp_path, monkeypatch) -> None:
    window, _ui = training_window(qtbot, tmp_path, monkeypatch)
    path = _csv_project(tmp_path / "a")
    assert window.files.open_path(path)
    target = tmp_path / "b" / "moved.nnstudio"
    target.parent.mkdir()
    window.files.ask_save_path = lambda: target  # type: ignore[method-assign]
    assert window.files.save_as()
    reopened = load_project(target)
    assert reopened.dataset["path"] == "../a/data.csv"
    signature, reason = data_signature(reopened, target.parent)
    assert signature is not None, reason
    # the window keeps working on the data after Save As, and Save again writes the same
    window.session.wait_for_signature()
    assert window.data_signature is not None
    assert window.files.save()
    assert load_project(target).dataset == reopened.dataset


def test_3_nothing_of_the_old_project_stays_after_open_or_new(qtbot, tmp_path,
                                                             monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "chocolate_happiness")
    ui.gradient_overlay.setChecked(True)
    window.project.training["epochs"] = 20
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    ui.refresh_all()
    assert any("∇" in item.label for item in window.scene.edge_items.values())
    assert ui.gradients.curves and ui.weights.curves
    assert window.files.open_path(EXAMPLES / "xor.nnstudio")
    assert not any("∇" in item.label for item in window.scene.edge_items.values())
    assert not ui.gradients.curves and not ui.weights.curves
    assert ui.loss.epochs == [] and ui.boundary.info is None
    x_range = ui.weights.norm_plot.getPlotItem().getViewBox().viewRange()[0]
    assert x_range[1] <= 1.0 + 1e-9  # not the old run's 0…20 epoch axis
    assert window.files.new_project()
    assert not ui.gradients.curves and ui.confusion.evaluation is None
    assert ui.controller.state == IDLE


def test_4_continue_after_a_shape_change_asks_and_starts_a_new_run(qtbot, tmp_path,
                                                                  monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "digits_cnn")
    window.project.training["epochs"] = 1
    assert ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    project = window.project
    first = project.active
    assert first is not None and first.epochs == 1 and first.fingerprint
    conv = next(n for n in project.graph.nodes.values() if n.type_id == "layer.conv2d")
    assert conv.values["weight"].shape[0] == 8
    window.push_edit(SetParam(conv.id, "out_channels", 4))
    asked: list[tuple[str, str]] = []
    ui.controller.ask_new_run = lambda old, new: asked.append((old, new)) or False  # type: ignore[method-assign]
    assert not ui.controller.train()  # cancelled: nothing starts, nothing changes
    assert asked and ui.controller.state != "running" and project.runs == [first]
    ui.controller.ask_new_run = lambda old, new: True  # type: ignore[method-assign]
    assert ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    assert [r.id for r in project.runs] == [first.id, "r2"]
    second = project.active
    assert second is not None and second.id == "r2" and second.parent == first.id
    assert [h["epoch"] for h in second.history] == [1]  # its own history, from epoch 1
    assert project.run(first.id).history == first.history  # the old run is untouched
    assert conv.values["weight"].shape[0] == 4
    assert second.fingerprint != first.fingerprint
    window.inspector.show_selection([conv.id], [])
    assert "Learned weight: 4×1×3×3" in window.inspector.info_label.text()  # type: ignore[union-attr]
    assert ui.loss.epochs == [1]


def test_5_reset_keeps_the_runs_and_each_run_keeps_its_settings(qtbot, tmp_path,
                                                               monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    project = window.project
    project.training.update(epochs=3, lr=0.05)
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    ui.controller.reset_weights()
    assert project.active_run is None and len(project.runs) == 1
    assert ui.actions["train"].text() == "Train"
    project.training.update(epochs=2, lr=0.2)
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    first, second = project.runs
    assert first.settings["lr"] == 0.05 and second.settings["lr"] == 0.2
    assert (first.epochs, second.epochs) == (3, 2) and project.active_run == second.id


def test_6_new_from_an_image_npz_connects_its_flatten(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.random((40, 1, 6, 6)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.int64)
    np.savez(tmp_path / "images.npz", x=x, y=y)
    out = tmp_path / "images.nnstudio"
    run = [sys.executable, "-m", "nnstudio"]
    done = subprocess.run([*run, "new", "--data", str(tmp_path / "images.npz"), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    checked = subprocess.run([*run, "check", str(out)], capture_output=True, text=True,
                             timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    trained = subprocess.run([*run, "train", str(out), "--epochs", "1"], capture_output=True,
                             text=True, timeout=120)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    project: Project = load_project(out)
    flatten = next(n for n in project.graph.nodes.values() if n.type_id == "layer.flatten")
    assert project.graph.incoming(flatten.id)
