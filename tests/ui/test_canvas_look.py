"""How the canvas looks: readable zoom after "fit all", node cards sized to their texts,
edge labels that overlap neither nodes nor each other, and the palette's descriptions."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFontMetrics, QPainterPathStroker
from PySide6.QtWidgets import QApplication

from nnstudio.graph.checks.validation import Problem
from nnstudio.graph.model.document import Document
from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.edge_item import EdgeLabelItem, wire_path
from nnstudio.ui.canvas.label_layout import NODE_MARGIN
from nnstudio.ui.canvas.node_item import wrap_title
from nnstudio.ui.canvas.view import FIT_MIN_ZOOM
from nnstudio.ui.palette import wrap_lines
from nnstudio.ui.problems import problem_text
from tests.ui.canvas_helpers import make_canvas


def xor_doc(weights: bool) -> Document:
    """2 inputs + bias -> 6 hidden neurons -> 1 neuron (+ bias), laid out as the example."""
    doc = Document()
    rng = np.random.default_rng(3)
    sources = [doc.add_node("neuron.input_feature", (0.0, -110.0), {"column": 0}),
               doc.add_node("neuron.input_feature", (0.0, 110.0), {"column": 1}),
               doc.add_node("neuron.bias", (0.0, 330.0))]
    z = doc.add_node("neuron.neuron", (600.0, 0.0), title="z (output neuron)")
    for i in range(6):
        y = -275.0 + 110.0 * i
        h = doc.add_node("neuron.neuron", (200.0, y), title=f"h{i + 1}")
        act = doc.add_node("activation", (400.0, y), {"function": "tanh"})
        for source in sources:
            doc.connect(source, "out", h, "in",
                        weight=float(rng.normal()) if weights else None)
        doc.connect(h, "out", act, "in")
        doc.connect(act, "out", z, "in", weight=float(rng.normal()) if weights else None)
    bias = doc.add_node("neuron.bias", (600.0, 330.0))
    doc.connect(bias, "out", z, "in", weight=-0.5 if weights else None)
    out = doc.add_node("neuron.output", (800.0, 0.0), title="class (sigmoid + BCE)")
    doc.connect(z, "out", out, "in")
    return doc


def visible_labels(scene) -> list[QRectF]:
    return [e.label_rect() for e in scene.edge_items.values() if not e.label_rect().isEmpty()]


def test_untrained_weights_have_no_label_but_a_tooltip(qtbot):
    scene, _ = make_canvas(qtbot, xor_doc(weights=False))
    neuron_edges = [e for e in scene.edge_items.values() if e.dashed]
    assert len(neuron_edges) == 25
    assert all(e.label == "" and e.label_rect().isEmpty() for e in neuron_edges)
    assert all("not initialised" in e.toolTip() for e in neuron_edges)


def test_weight_labels_cover_no_node_and_no_other_label(qtbot):
    """Issue 13, item 3: every label shown sits on its own wire, where no other wire runs
    through its number; the others show on hover and for a selected node."""
    scene, _ = make_canvas(qtbot, xor_doc(weights=True))
    labels = visible_labels(scene)
    assert labels
    for a, b in itertools.combinations(labels, 2):
        assert not a.intersects(b)
    for node in scene.node_items.values():
        card = node.sceneBoundingRect()
        assert not any(card.intersects(label) for label in labels)
    for edge in scene.edge_items.values():
        rect = edge.label_rect()
        if rect.isEmpty():
            continue
        assert edge.path().intersects(rect.adjusted(-1, -1, 1, 1))  # on its own wire
        middle = rect.adjusted(rect.width() * 0.15, rect.height() * 0.2,
                               -rect.width() * 0.15, -rect.height() * 0.2)
        for other in scene.edge_items.values():
            if other is not edge and other.weighted:
                thin = QPainterPathStroker()
                thin.setWidth(2.0)
                assert not thin.createStroke(other.path()).intersects(middle), edge.label
    # a hidden label shows while its edge is hovered
    hidden = [e for e in scene.edge_items.values() if e.label and e.label_rect().isEmpty()]
    assert len(hidden) >= 10  # the crowded first column is read on demand
    for edge in hidden:
        edge.set_hovered(True)
        assert not edge.label_rect().isEmpty()
        edge.set_hovered(False)
        assert edge.label_rect().isEmpty()
    # selecting a neuron shows all its weights, above everything else
    h3 = next(n for n, item in scene.node_items.items() if item.title == "h3")
    scene.select_nodes([h3])
    scene.place_labels_now()
    mine = [e for e in scene.edge_items.values() if h3 in (e.source.node_id, e.target.node_id)
            and e.label]
    assert len(mine) == 3 and all(not e.label_rect().isEmpty() and e.featured for e in mine)
    scene.select_nodes([])
    scene.place_labels_now()
    assert not any(e.featured for e in scene.edge_items.values())


def test_chocolate_network_shows_all_four_weights_near_their_neuron(qtbot):
    doc = Document()
    x = doc.add_node("neuron.input_feature", (0.0, 0.0), title="x (chocolate)")
    b1 = doc.add_node("neuron.bias", (0.0, 160.0), title="b1 (bias)")
    h = doc.add_node("neuron.neuron", (200.0, 0.0), title="h = w1·x + b1")
    b2 = doc.add_node("neuron.bias", (200.0, 160.0), title="b2 (bias)")
    g = doc.add_node("neuron.neuron", (400.0, 0.0), title="g = w2·h + b2")
    y = doc.add_node("neuron.output", (600.0, 0.0), title="happiness (MSE)")
    weighted = [doc.connect(x, "out", h, "in", weight=0.52),
                doc.connect(b1, "out", h, "in", weight=1.23),
                doc.connect(h, "out", g, "in", weight=0.5),
                doc.connect(b2, "out", g, "in", weight=-1.95)]
    doc.connect(g, "out", y, "in")
    scene, _ = make_canvas(qtbot, doc)
    for edge_id in weighted:
        item = scene.edge_items[edge_id]
        rect = item.label_rect()
        assert not rect.isEmpty(), item.label
        target_x = item.target.anchor().x()
        source_x = item.source.anchor().x()
        assert abs(rect.center().x() - target_x) <= abs(rect.center().x() - source_x) + 1
    assert scene.edge_items[weighted[3]].label == "-1.95"


def test_labels_are_drawn_above_wires_and_leave_with_their_edge(qtbot):
    doc = xor_doc(weights=True)
    scene, _ = make_canvas(qtbot, doc)
    edge = next(e for e in scene.edge_items.values() if e.label)
    assert edge.label_item.scene() is scene
    assert edge.zValue() < edge.label_item.zValue() < 0  # above wires, below nodes
    scene.select_nodes([edge.source.node_id])
    scene.delete_selection()
    assert edge.label_item.scene() is None
    assert not any(isinstance(i, EdgeLabelItem) and i.edge.edge_id not in scene.edge_items
                   for i in scene.items())


def test_labels_move_out_of_the_way_after_a_node_moves(qtbot):
    scene, _ = make_canvas(qtbot, xor_doc(weights=True))
    node_id = next(n for n, item in scene.node_items.items() if item.title == "h3")
    scene.document.move_node(node_id, (60.0, -20.0))  # onto the labels of the first column
    qtbot.waitUntil(lambda: not scene._labels_timer.isActive())
    card = scene.node_items[node_id].sceneBoundingRect()
    assert not any(card.intersects(label) for label in visible_labels(scene))


def test_nodes_grow_to_fit_their_title_and_wrap_long_ones(qtbot):
    doc = Document()
    short = doc.add_node("neuron.neuron", (0, 0), title="h")
    medium = doc.add_node("neuron.neuron", (0, 200), title="class (sigmoid + BCE)")
    long = doc.add_node("neuron.neuron", (0, 400),
                        title="a very long title that a student typed for this neuron")
    scene, _ = make_canvas(qtbot, doc)
    assert scene.node_items[short].width == style.NEURON_WIDTH
    item = scene.node_items[medium]
    assert style.NEURON_WIDTH < item.width <= style.NEURON_WIDTH + style.MAX_NODE_WIDTH_EXTRA
    assert item.title_lines == ["class (sigmoid + BCE)"]
    item = scene.node_items[long]
    assert item.width == style.NEURON_WIDTH + style.MAX_NODE_WIDTH_EXTRA
    assert len(item.title_lines) == 2 and item.title_lines[0].startswith("a very long")
    assert item.header_height > style.HEADER_HEIGHT
    port = item.port("in", False)
    assert port is not None and port.pos().y() > item.header_height


def test_wrap_title_keeps_words_and_elides_the_rest(qtbot):
    assert wrap_title("h1", 100) == ["h1"]
    lines = wrap_title("one two three four five six seven eight nine ten", 80)
    assert len(lines) == 2 and lines[0].startswith("one") and lines[1].endswith("…")


def test_fit_all_keeps_text_readable_and_shows_the_start_of_a_wide_graph(qtbot):
    doc = Document()
    ids = [doc.add_node("layer.dense", (260.0 * i, 0.0)) for i in range(20)]
    for a, b in itertools.pairwise(ids):
        doc.connect(a, "out", b, "in")
    scene, view = make_canvas(qtbot, doc)
    view.fit_all()
    assert view.zoom() >= FIT_MIN_ZOOM
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert seen.contains(scene.node_items[ids[0]].sceneBoundingRect())
    assert not seen.contains(scene.node_items[ids[-1]].sceneBoundingRect())
    small = Document()
    a = small.add_node("layer.dense", (0.0, 0.0))
    b = small.add_node("layer.dense", (300.0, 100.0))
    scene.set_document(small)
    view.fit_all()
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert FIT_MIN_ZOOM <= view.zoom() <= 1.0
    assert all(seen.contains(scene.node_items[n].sceneBoundingRect()) for n in (a, b))


def test_a_wire_back_to_the_left_runs_between_the_rows(qtbot):
    start, end = QPointF(800.0, 0.0), QPointF(0.0, 200.0)
    path = wire_path(start, end)
    assert abs(path.pointAtPercent(0.5).y() - 100.0) < 1.0
    assert path.boundingRect().right() <= start.x() + 60 + NODE_MARGIN


def test_palette_descriptions_wrap_to_two_lines():
    app = QApplication.instance()
    assert app is not None
    metrics = QFontMetrics(app.font())
    text = "One neuron: the weighted sum of its incoming connections, each with its own weight."
    width = metrics.horizontalAdvance("One neuron: the weighted sum")
    lines = wrap_lines(text, metrics, width, 2)
    assert len(lines) == 2 and lines[0] == "One neuron: the weighted sum"
    assert lines[1].startswith("of its incoming") and lines[1].endswith("…")
    assert all(metrics.horizontalAdvance(line) <= width for line in lines)
    assert wrap_lines("Short.", metrics, width, 2) == ["Short."]


def test_problem_rows_do_not_repeat_a_node_title_the_message_names():
    doc = Document()
    node = doc.add_node("layer.dense", (0, 0), title="Dense 1")
    named = Problem(node, "in", "'Dense 1' has no input connected.")
    plain = Problem(node, None, "Units must be positive.")
    assert problem_text(doc, named) == "'Dense 1' has no input connected."
    assert problem_text(doc, plain) == "Dense 1: Units must be positive."
