"""Compare runs: the spiral with and without regularization, side by side."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from training_helpers import training_window, wait_state

from nnstudio.graph.model.edits import Compound, SetParam
from nnstudio.ui.training.controller import FINISHED


def test_spiral_with_and_without_regularization_side_by_side(qtbot, tmp_path: Path,
                                                            monkeypatch) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "spiral_regularization")
    project = window.project
    project.training["epochs"] = 6
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    ui.controller.reset_weights()
    doc = project.graph
    off = [SetParam(n.id, "p", 0.0) for n in doc.nodes.values() if n.type_id == "layer.dropout"]
    off += [SetParam(n.id, "penalty", "none") for n in doc.nodes.values()
            if n.params.get("penalty") == "l2"]
    window.push_edit(Compound(tuple(off), "No regularization"))
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)

    panel = window.runs_ui.panel
    assert panel.table.rowCount() == 2
    assert panel.table.item(0, 0).text().startswith("Run 1 · Adam 0.01 · dropout 0.1 · L2")
    assert panel.table.item(1, 0).text() == "Run 2 · Adam 0.01"
    panel.tick(["r1", "r2"])
    rows = dict(panel.comparison_rows())
    differing = [label for label, _ in panel.comparison_rows() if label not in (
        "final validation loss", "best validation loss", "final validation accuracy",
        "epochs")]
    assert sorted(differing) == sorted([
        "L2 on Dense 64 (L2) (n2)", "L2 on Dense 64 (L2) (n5)", "L2 on Dense 2 (logits)",
        "dropout p on Dropout 10 % (n4)", "dropout p on Dropout 10 % (n7)"])
    assert rows["dropout p on Dropout 10 % (n4)"] == ["0.1", "0"]
    assert rows["L2 on Dense 2 (logits)"] == ["0.0001", "—"]
    assert rows["epochs"] == ["6", "6"]
    # both runs' curves are overlaid in the loss and accuracy plots, named in the legends
    names = [run.name for run in project.runs]
    assert len(ui.loss.compared.curves) == 2 and len(ui.metrics.compared.curves) == 2
    legend = [label.text for _, label in ui.loss.legend.items]
    assert all(name in legend for name in names)
    x, y = ui.loss.compared.data[0]
    assert list(x) == [1, 2, 3, 4, 5, 6]
    assert list(y) == [h["val_loss"] for h in project.runs[0].history]

    shot = tmp_path / "runs.png"
    window.runs_ui.show()
    qtbot.wait(50)
    window.grab().save(str(shot))

    # rename, restore and delete are undo steps; the CSV holds both tables
    panel.rename("r1", "With regularization")
    assert project.run("r1").name == "With regularization"
    panel.select("r1")
    assert panel.restore_selected() and project.active_run == "r1"
    panel.select("r2")
    assert panel.delete_selected() and [r.id for r in project.runs] == ["r1"]
    window.undo_stack.undo()
    assert [r.id for r in project.runs] == ["r1", "r2"]
    panel.tick(["r1", "r2"])
    panel.ask_csv_path = lambda: tmp_path / "runs.csv"  # type: ignore[method-assign]
    panel.export_button.click()
    with (tmp_path / "runs.csv").open() as handle:
        table = list(csv.reader(handle))
    assert table[0][0] == "Run" and table[1][0] == "With regularization"
    assert ["dropout p on Dropout 10 % (n4)", "0.1", "0"] in table


def test_a_narrow_panel_stacks_the_comparison_under_the_list(qtbot, tmp_path: Path,
                                                             monkeypatch) -> None:
    window, _ui = training_window(qtbot, tmp_path, monkeypatch, "spiral_regularization")
    panel = window.runs_ui.panel
    panel.setParent(None)  # out of its dock, to size it freely
    qtbot.addWidget(panel)
    panel.show()
    for width, orientation in ((520, Qt.Orientation.Vertical), (1000, Qt.Orientation.Horizontal),
                               (600, Qt.Orientation.Vertical)):
        panel.resize(width, 420)
        qtbot.waitUntil(lambda w=width: panel.width() == w)
        assert panel.splitter.orientation() == orientation
        buttons = (panel.restore_button, panel.rename_button, panel.delete_button,
                   panel.export_button)
        assert all(b.width() >= b.sizeHint().width() for b in buttons)  # no clipped text
