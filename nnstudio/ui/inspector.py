"""The inspector: typed editors for the selected node's settings, or the selected edge's weight.

Editors are generated from the node type's ``ParamSpec``s. Every committed change is one
undoable edit handed to ``push_edit`` (the canvas scene's); the inspector never changes the
document itself, and ``refresh`` re-reads the document after any change (undo included).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.activations import make_activation
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document, Edge, Node, PortRef
from nnstudio.graph.model.edits import Edit, SetEdgeWeight, SetParam, SetTitle
from nnstudio.graph.model.registry import ParamSpec, node_type
from nnstudio.graph.model.regularization import (
    DEFAULT_STRENGTH,
    WEIGHTED_TYPES,
    overrides_penalty,
)
from nnstudio.graph.model.shapes import format_shape, infer_shapes
from nnstudio.ui.canvas.node_actions import NodeActions

INT_LIMIT = 2**31 - 1
FLOAT_LIMIT = 1e9


def activation_curves(function: str, negative_slope: float = 0.01,
                      lo: float = -4.0, hi: float = 4.0, n: int = 161
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, f(x) and f′(x) on ``n`` points, each (n,), from the engine's own activation layer."""
    kwargs: dict[str, Any] = {"negative_slope": negative_slope} if function == "leaky_relu" else {}
    layer = make_activation(function, **kwargs)
    x = np.linspace(lo, hi, n).reshape(n, 1)
    y = layer.forward(x, training=False)
    dy = layer.backward(np.ones_like(x))
    return x[:, 0], np.asarray(y)[:, 0], np.asarray(dy)[:, 0]


def make_param_editor(spec: ParamSpec, value: Any, commit: Callable[[Any], None]) -> QWidget:
    """A widget editing one setting; ``commit(value)`` is called once per finished change."""
    if spec.kind == "bool":
        box = QCheckBox()
        box.setChecked(bool(value))
        box.toggled.connect(commit)
        return box
    if spec.kind == "choice":
        combo = QComboBox()
        combo.addItems(list(spec.choices))
        combo.setCurrentText(str(value))
        combo.currentTextChanged.connect(commit)
        return combo
    if spec.kind == "int":
        spin = QSpinBox()
        spin.setRange(int(spec.minimum) if spec.minimum is not None else -INT_LIMIT,
                      int(spec.maximum) if spec.maximum is not None else INT_LIMIT)
        spin.setValue(int(value))
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(commit)
        return spin
    if spec.kind == "float":
        dspin = QDoubleSpinBox()
        dspin.setDecimals(spec.decimals if spec.decimals is not None else 4)
        dspin.setRange(spec.minimum if spec.minimum is not None else -FLOAT_LIMIT,
                       spec.maximum if spec.maximum is not None else FLOAT_LIMIT)
        span = (spec.maximum or 1.0) - (spec.minimum or 0.0)
        default_step = 0.01 if span <= 1.0 else 0.1
        dspin.setSingleStep(spec.step if spec.step is not None else default_step)
        dspin.setValue(float(value))
        dspin.setKeyboardTracking(False)
        dspin.valueChanged.connect(commit)
        return dspin
    line = QLineEdit(str(value))
    line.editingFinished.connect(lambda: commit(line.text()))
    return line


def set_editor_value(editor: QWidget, value: Any) -> None:
    """Show ``value`` in an editor made by ``make_param_editor`` without emitting changes."""
    editor.blockSignals(True)
    try:
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        elif isinstance(editor, QLineEdit) and editor.text() != str(value):
            editor.setText(str(value))
    finally:
        editor.blockSignals(False)


class ActivationPlot(pg.PlotWidget):
    """f (solid) and f′ (dashed) of an activation function on [−4, 4]."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(170)
        self.setMaximumHeight(220)
        self.showGrid(x=True, y=True, alpha=0.25)
        self.addLegend(offset=(8, 8))
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.f_curve = self.plot([], [], pen=pg.mkPen("#1f6fb5", width=2), name="f(x)")
        self.df_curve = self.plot([], [], pen=pg.mkPen("#d9622b", width=2,
                                                       style=Qt.PenStyle.DashLine), name="f′(x)")

    def show_function(self, function: str, negative_slope: float = 0.01) -> None:
        x, y, dy = activation_curves(function, negative_slope)
        self.f_curve.setData(x, y)
        self.df_curve.setData(x, dy)
        self.setTitle(function, size="9pt")


class InspectorWidget(QScrollArea):
    """Shows and edits one node or one edge of the document."""

    def __init__(self, push_edit: Callable[[Edit], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._push_edit = push_edit
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document: Document | None = None
        self.node_id: str | None = None
        self.edge_id: str | None = None
        self.editors: dict[str, QWidget] = {}
        self.title_edit: QLineEdit | None = None
        self.weight_spin: QDoubleSpinBox | None = None
        self.plot: ActivationPlot | None = None
        self.info_label: QLabel | None = None
        self.header: QLabel | None = None
        self.node_actions = NodeActions()
        """Buttons shown under a node's settings; features add to it (see ``NodeActions``)."""
        self.network_choice: Callable[[], Mapping[str, Any]] = dict
        """The Training panel's network-wide penalty and dropout switch (``stored_choice``)
        that a node's own settings may override."""
        self._count = 0
        self._rebuild()

    # --- what is shown -------------------------------------------------------------------
    def set_document(self, doc: Document) -> None:
        self.document = doc
        self.show_selection([], [])

    def show_selection(self, node_ids: list[str], edge_ids: list[str]) -> None:
        """Show a single selected node, else a single edge, else a summary."""
        self.node_id = node_ids[0] if len(node_ids) == 1 and not edge_ids else None
        self.edge_id = edge_ids[0] if len(edge_ids) == 1 and not node_ids else None
        self._count = len(node_ids) + len(edge_ids)
        self._rebuild()

    def refresh(self) -> None:
        """Re-read the shown node or edge after a document change (e.g. an undo)."""
        doc = self.document
        if doc is None:
            return
        if self.node_id is not None and self.node_id not in doc.nodes:
            self.show_selection([], [])
            return
        if self.edge_id is not None and self.edge_id not in doc.edges:
            self.show_selection([], [])
            return
        if self.node_id is not None:
            node = doc.nodes[self.node_id]
            for name, editor in self.editors.items():
                set_editor_value(editor, node.params[name])
            if self.title_edit is not None:
                set_editor_value(self.title_edit, node.title)
            if self.header is not None:
                self.header.setText(self._node_header(node))
            self._update_node_info(node)
        elif self.edge_id is not None and self.weight_spin is not None:
            weight = doc.edges[self.edge_id].weight
            set_editor_value(self.weight_spin, 0.0 if weight is None else weight)
            if self.info_label is not None:
                self.info_label.setText(self._edge_info(doc.edges[self.edge_id]))

    # --- building ------------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.editors = {}
        self.title_edit = None
        self.weight_spin = None
        self.plot = None
        self.info_label = None
        self.header = None
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        doc = self.document
        if doc is not None and self.node_id is not None:
            self._build_node(layout, doc.nodes[self.node_id])
        elif doc is not None and self.edge_id is not None:
            self._build_edge(layout, doc.edges[self.edge_id])
        else:
            text = (f"{self._count} items selected." if self._count > 1 else
                    "Select a node or a connection to see and change its settings.")
            hint = QLabel(text)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: palette(placeholder-text);")
            layout.addWidget(hint)
        layout.addStretch(1)
        self.setWidget(content)

    @staticmethod
    def _node_header(node: Node) -> str:
        kind = node_type(node.type_id).title
        return f"<b>{node.title}</b> <span style='color:gray'>({kind})</span>"

    def _build_node(self, layout: QVBoxLayout, node: Node) -> None:
        ntype = node_type(node.type_id)
        self.header = QLabel(self._node_header(node))
        layout.addWidget(self.header)
        about = QLabel(ntype.description)
        about.setWordWrap(True)
        about.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(about)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.title_edit = QLineEdit(node.title)
        self.title_edit.editingFinished.connect(self._commit_title)
        form.addRow("Title", self.title_edit)
        for spec in ntype.params:
            editor = make_param_editor(spec, node.params[spec.name],
                                       functools.partial(self._commit_param, spec))
            editor.setObjectName(f"param_{spec.name}")
            if spec.help:
                editor.setToolTip(spec.help)
            self.editors[spec.name] = editor
            form.addRow(spec.label, editor)
        layout.addLayout(form)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.info_label)
        if node.type_id == "activation":
            self.plot = ActivationPlot()
            layout.addWidget(self.plot)
        for action in self.node_actions.for_node(node):
            button = QPushButton(action.text)
            button.setObjectName(action.name)
            button.setToolTip(action.tip)
            button.clicked.connect(lambda _=False, a=action, i=node.id: a.run(i))
            layout.addWidget(button)
        self._update_node_info(node)

    def _update_node_info(self, node: Node) -> None:
        doc = self.document
        if doc is None or self.info_label is None:
            return
        lines: list[str] = []
        shapes = infer_shapes(doc)
        ntype = node_type(node.type_id)
        ports = ntype.output_ports(node.params)
        for port in ports:
            shape = shapes.get(PortRef(node.id, port.name))
            if shape is not None:
                name = f" {port.label or port.name}" if len(ports) > 1 else ""
                lines.append(f"Output{name} shape: {format_shape(shape)}")
        for name, array in node.values.items():
            lines.append(f"Learned {name}: {'×'.join(map(str, array.shape)) or 'scalar'}")
        self.info_label.setText("<br>".join(lines))
        self.info_label.setVisible(bool(lines))
        slope = self.editors.get("negative_slope")
        if slope is not None:
            slope.setEnabled(node.params.get("function") == "leaky_relu")
        if node.type_id == "layer.input":  # the fields of the other kind do nothing
            image = node.params.get("kind") == "image"
            for name, wanted in (("features", not image), ("channels", image),
                                 ("height", image), ("width", image)):
                editor = self.editors.get(name)
                if editor is not None:
                    editor.setEnabled(wanted)
                    editor.setToolTip(node_type(node.type_id).param(name).help if wanted else
                                      f"Used only when the kind is "
                                      f"{'vector' if image else 'image'}.")
        override = self._override_text(node)
        if override:
            lines.append(override)
            self.info_label.setText("<br>".join(lines))
            self.info_label.setVisible(True)
        if self.plot is not None:
            self.plot.show_function(str(node.params["function"]),
                                    float(node.params.get("negative_slope", 0.01)))

    def _override_text(self, node: Node) -> str:
        """A note when the node's own penalty or dropout switch differs from the Training
        panel's choice for all layers (the node's own setting is what trains)."""
        settings = self.network_choice()
        if node.type_id in WEIGHTED_TYPES and "penalty" in settings:
            kind = str(settings["penalty"])
            strength = float(settings.get("strength", DEFAULT_STRENGTH))
            if overrides_penalty(node, kind, strength):
                shown = "none" if kind == "none" else f"{kind.upper().replace('_', '+')} " \
                    f"{strength:g}"
                return (f"<span style='color:#8a5a00'>This node's penalty overrides the "
                        f"Training panel's ({shown} for all layers).</span>")
        if node.type_id == "layer.dropout" and "dropout" in settings:
            wanted = bool(settings["dropout"])
            if bool(node.params.get("active", True)) != wanted:
                return (f"<span style='color:#8a5a00'>This node is switched "
                        f"{'off' if wanted else 'on'}, overriding the Training panel "
                        f"(dropout {'on' if wanted else 'off'} for all).</span>")
        return ""

    def _edge_info(self, edge: Edge) -> str:
        doc = self.document
        assert doc is not None
        src = doc.nodes[edge.source.node_id].title
        dst = doc.nodes[edge.target.node_id].title
        text = f"From <b>{src}</b> ({edge.source.port}) to <b>{dst}</b> ({edge.target.port})."
        if edge.weight is None and self.weight_spin is not None:
            text += "<br>Not initialised yet: training draws it, or type a value."
        return text

    def _build_edge(self, layout: QVBoxLayout, edge: Edge) -> None:
        doc = self.document
        assert doc is not None
        layout.addWidget(QLabel("<b>Connection</b>"))
        target_type = doc.nodes[edge.target.node_id].type_id
        if edge.weight is not None or target_type == "neuron.neuron":
            form = QFormLayout()
            self.weight_spin = QDoubleSpinBox()
            self.weight_spin.setObjectName("edge_weight")
            self.weight_spin.setDecimals(4)
            self.weight_spin.setRange(-FLOAT_LIMIT, FLOAT_LIMIT)
            self.weight_spin.setSingleStep(0.1)
            self.weight_spin.setKeyboardTracking(False)
            self.weight_spin.setValue(0.0 if edge.weight is None else edge.weight)
            self.weight_spin.valueChanged.connect(self._commit_weight)
            form.addRow("Weight", self.weight_spin)
            layout.addLayout(form)
        self.info_label = QLabel(self._edge_info(edge))
        self.info_label.setWordWrap(True)
        layout.addWidget(self.info_label)

    # --- committing ----------------------------------------------------------------------
    def _push(self, edit: Edit) -> None:
        """Hand ``edit`` on; a refused one (e.g. while training runs) shows the stored
        value again (the refusal's sentence goes to the status bar)."""
        try:
            self._push_edit(edit)
        except GraphError:
            self.refresh()

    def _commit_param(self, spec: ParamSpec, value: Any) -> None:
        doc = self.document
        if doc is None or self.node_id is None:
            return
        try:
            clean = spec.coerce(value)
        except GraphError:
            self.refresh()  # show the stored value again
            return
        if doc.nodes[self.node_id].params.get(spec.name) != clean:
            self._push(SetParam(self.node_id, spec.name, clean))

    def _commit_title(self) -> None:
        doc = self.document
        if doc is None or self.node_id is None or self.title_edit is None:
            return
        title = self.title_edit.text().strip()
        if not title:
            self.refresh()
            return
        if doc.nodes[self.node_id].title != title:
            self._push(SetTitle(self.node_id, title))

    def _commit_weight(self, value: float) -> None:
        doc = self.document
        if doc is None or self.edge_id is None:
            return
        if doc.edges[self.edge_id].weight != float(value):
            self._push(SetEdgeWeight(self.edge_id, float(value)))
