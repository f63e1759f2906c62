"""Canvas speed: load a generated 300-node / 600-edge graph, then drag a node.

Prints the load time (scene + view built, fitted and painted once; target < 1 s) and the
median time per drag step (target < 16 ms) measured three ways: a real QTest mouse move
followed by processEvents (the view repaints only what changed), a full repaint of a
1280×800 view at 100 % into a QImage, and a full repaint with the whole graph in view.

Run: python bench/canvas.py   (offscreen by default)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPainter, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnstudio.graph.model.document import Document
from nnstudio.ui.canvas import CanvasScene, CanvasView

COLUMNS, ROWS = 30, 10  # 300 nodes


def generate(seed: int = 0) -> Document:
    """30 columns of 10 nodes: input features, then neurons each fed by ~2 of the column
    before (600 weighted edges), with a few activations to mix node kinds."""
    rng = np.random.default_rng(seed)
    doc = Document()
    columns: list[list[str]] = []
    for c in range(COLUMNS):
        column = []
        for r in range(ROWS):
            position = (c * 220.0, r * 120.0)
            if c == 0:
                node = doc.add_node("neuron.input_feature", position, {"column": r})
            elif c % 5 == 4:
                node = doc.add_node("activation", position, {"function": "tanh"})
            else:
                node = doc.add_node("neuron.neuron", position)
            column.append(node)
        columns.append(column)
    edges = 0
    target_edges = 600
    for c in range(1, COLUMNS):
        for r, node in enumerate(columns[c]):
            sources = [columns[c - 1][r]]
            if doc.nodes[node].type_id == "neuron.neuron":
                sources += [columns[c - 1][(r + k) % ROWS] for k in (1, 3)]
            for source in sources:
                if edges >= target_edges:
                    break
                weight = float(rng.normal()) if doc.nodes[node].type_id == "neuron.neuron" \
                    else None
                doc.connect(source, "out", node, "in", weight=weight)
                edges += 1
    return doc


def median_ms(samples: list[float]) -> float:
    return 1000.0 * statistics.median(samples)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    doc = generate()
    print(f"graph: {len(doc.nodes)} nodes, {len(doc.edges)} edges")

    start = time.perf_counter()
    stack = QUndoStack()
    scene = CanvasScene(doc, stack)
    view = CanvasView(scene)
    view.resize(1280, 800)
    view.show()
    view.fit_all()
    app.processEvents()
    load = time.perf_counter() - start
    print(f"load into scene+view (built, fitted, painted): {load * 1000:.0f} ms "
          f"(target < 1000 ms)")

    # a real drag at 100 % zoom: press on a node in the middle, move in small steps
    view.reset_zoom()
    node_id = list(doc.nodes)[len(doc.nodes) // 2 + 5]
    item = scene.node_items[node_id]
    view.center_on_node(node_id)
    app.processEvents()
    viewport = view.viewport()
    press = view.mapFromScene(item.pos() + QPointF(60, 10))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press)
    move_times: list[float] = []
    for step in range(1, 61):  # one grid cell per step, so every step moves the node
        point = press + QPoint(20 * (step % 12), 20 * (step % 7))
        t0 = time.perf_counter()
        QTest.mouseMove(viewport, point)
        app.processEvents()
        move_times.append(time.perf_counter() - t0)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       press + QPoint(40, 40))
    print(f"drag step, mouse move + processEvents (partial repaint): "
          f"{median_ms(move_times):.2f} ms median (target < 16 ms)")
    print(f"undo steps after the drag: {stack.count()} ({stack.undoText()!r})")

    def full_render_times(steps: int) -> list[float]:
        image = QImage(viewport.size(), QImage.Format.Format_ARGB32_Premultiplied)
        times = []
        origin = item.pos()
        for step in range(steps):
            t0 = time.perf_counter()
            item.setPos(origin + QPointF(20.0 * (step % 5), 20.0 * (step % 3)))
            painter = QPainter(image)
            view.render(painter)
            painter.end()
            times.append(time.perf_counter() - t0)
        item.setPos(origin)
        return times

    print(f"drag step, full repaint of a 1280×800 view at 100 %: "
          f"{median_ms(full_render_times(30)):.2f} ms median (target < 16 ms)")
    view.fit_all()
    app.processEvents()
    print(f"drag step, full repaint with all {len(doc.nodes)} nodes in view "
          f"(zoom {view.zoom():.2f}): {median_ms(full_render_times(15)):.2f} ms median")


if __name__ == "__main__":
    main()
