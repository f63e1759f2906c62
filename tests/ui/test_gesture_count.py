"""Acceptance (issue 13): building and training the chocolate network from File › New takes
no more gestures than it did before the workspaces came (15, measured on a98a1a5).

Every gesture is a real input event sent to the widget a user would touch: keys with
``QTest.keyClick``, clicks with ``QTest.mouseClick`` on the toolbar button or the combo
box's popup, wires with ``QTest`` press / move / release on the canvas viewport, and
palette drags as the drag-and-drop events Qt sends to the canvas (QTest cannot run a real
drag loop). The counter counts one per key press, click, wire or drop.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox
from test_gestures_chocolate import drop_from_palette, port_point
from window_helpers import make_window

from nnstudio.ui.main_window import MainWindow

BASELINE_GESTURES = 15
"""Ctrl+N, six palette drops, five wires, two clicks to pick the dataset, one Train."""
LEFT = Qt.MouseButton.LeftButton


class Gestures:
    """Sends real input events and counts the gestures they make."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.count = 0

    def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
            ) -> None:
        QTest.keyClick(self.window, key, modifier)
        self.count += 1

    def drop(self, type_id: str, at: QPoint) -> str:
        self.count += 1
        return drop_from_palette(self.window, type_id, at)

    def wire(self, src: str, dst: str) -> None:
        viewport = self.window.view.viewport()
        start = port_point(self.window, src, "out", True).toPoint()
        end = port_point(self.window, dst, "in", False).toPoint()
        QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, start)
        for t in (0.25, 0.5, 0.75, 1.0):
            QTest.mouseMove(viewport, start + (end - start) * t)
        QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, end)
        self.count += 1

    def click(self, widget, pos: QPoint | None = None) -> None:  # type: ignore[no-untyped-def]
        QTest.mouseClick(widget, LEFT, Qt.KeyboardModifier.NoModifier,
                         pos if pos is not None else widget.rect().center())
        self.count += 1

    def pick(self, combo: QComboBox, data: object, qtbot) -> None:  # type: ignore[no-untyped-def]
        """Open the combo box's list with a click, then click the item holding ``data``."""
        self.click(combo)
        view = combo.view()
        qtbot.waitUntil(view.isVisible)
        qtbot.wait(QApplication.doubleClickInterval() + 50)  # a popup ignores releases
        # that come sooner (the one that opened it)
        index = combo.model().index(combo.findData(data), 0)
        view.scrollTo(index)
        self.click(view.viewport(), view.visualRect(index).center())


@pytest.mark.slow
def test_chocolate_from_file_new_to_trained_in_no_more_gestures_than_before(
        qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    g = Gestures(window)
    g.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # File › New
    doc = window.project.graph
    assert not doc.nodes
    x = g.drop("neuron.input_feature", QPoint(120, 120))
    b1 = g.drop("neuron.bias", QPoint(120, 260))
    h = g.drop("neuron.neuron", QPoint(330, 180))
    b2 = g.drop("neuron.bias", QPoint(330, 340))
    out = g.drop("neuron.neuron", QPoint(540, 200))
    y = g.drop("neuron.output", QPoint(750, 200))
    qtbot.wait(1)
    for src, dst in ((x, h), (b1, h), (h, out), (b2, out), (out, y)):
        g.wire(src, dst)
    assert len(doc.edges) == 5
    panel = window.training_ui.panel
    window.training_ui.settings_dock.show()
    window.training_ui.settings_dock.raise_()
    qtbot.waitUntil(panel.dataset_combo.isVisible)
    g.pick(panel.dataset_combo, "chocolate", qtbot)
    assert window.project.dataset.get("name") == "chocolate"
    train = window.training_ui.actions["train"]
    qtbot.waitUntil(train.isEnabled)
    g.click(window.toolbar.widgetForAction(train))
    qtbot.waitUntil(lambda: window.project.active_run is not None, timeout=60_000)
    assert window.project.history, "the run stored its curves"
    assert g.count <= BASELINE_GESTURES, f"{g.count} gestures (before: {BASELINE_GESTURES})"
