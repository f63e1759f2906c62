"""BackpropUi: steps through one forward and backward pass on the canvas and in the panel."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QScrollArea

from nnstudio.graph.compiler import check_gradients
from nnstudio.graph.compiler.backprop_trace import BackpropTrace, NodeTrace, trace_backprop
from nnstudio.graph.compiler.value_grads import edge_slot
from nnstudio.graph.errors import GraphError
from nnstudio.training.backprop import texts
from nnstudio.training.backprop.batch import Batch, BatchError, load_batch
from nnstudio.ui.backprop.overlay import BACKWARD, FORWARD, BackpropOverlay
from nnstudio.ui.backprop.panel import BackpropPanel, fill_table
from nnstudio.ui.host import Host
from nnstudio.ui.session import Session

DOCK_TITLE = "Backprop, step by step"
PASS_LIMIT = 1e-6
"""Largest relative error that counts as a pass (float64 central differences)."""
LAYER_PARAMS = ("layer.dense", "layer.conv2d", "layer.batchnorm")


class BackpropUi(QObject):
    """The dock, the canvas overlay and the stepping state of one window."""

    def __init__(self, session: Session, host: Host) -> None:
        super().__init__(host.widget())
        self.session = session
        self.host = host
        self.panel = BackpropPanel()
        self.dock = QDockWidget(DOCK_TITLE, host.widget())
        self.dock.setObjectName("backprop_dock")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        self.dock.setWidget(scroll)
        # docked below the canvas in the Explain workspace (the widest place), never
        # floating over the nodes it labels
        host.add_dock(self.dock, Qt.DockWidgetArea.BottomDockWidgetArea,
                      places={"explain": "bottom"}, front=("explain",))
        self.dock.visibilityChanged.connect(self._on_visibility)
        self.dock.toggleViewAction().triggered.connect(self._on_toggled)
        self.show_action = QAction("Backprop, Step by Step", host.widget())
        self.show_action.setStatusTip("Walk one forward and backward pass node by node on "
                                      "the canvas, with the chain rule's numbers")
        self.show_action.triggered.connect(lambda _=False: self.show())
        menu = host.menu("training")
        menu.addSeparator()
        menu.addAction(self.show_action)
        self.overlay = BackpropOverlay(host.canvas)
        self.batch: Batch | None = None
        self.trace: BackpropTrace | None = None
        self.steps: list[tuple[str, str]] = []
        self.position = -1
        p = self.panel
        p.forward_button.clicked.connect(self.forward)
        p.back_button.clicked.connect(self.back)
        p.step_button.clicked.connect(self.step)
        p.run_button.clicked.connect(self.run_to_end)
        p.reset_button.clicked.connect(self.reset)
        p.check_button.clicked.connect(self.check_gradients)
        p.target_combo.activated.connect(self._target_chosen)
        p.element_spin.valueChanged.connect(lambda _v: self._target_chosen())
        host.canvas.selection_ids_changed.connect(self._on_selection)
        session.edited.connect(self._on_document_changed)
        session.project_replaced.connect(self._on_project_replaced)
        self._update_buttons()

    def show(self) -> None:
        """Show the dock in front of its tab group (in the Explain workspace)."""
        self.host.show_panel(self.dock.objectName())

    def _on_toggled(self, checked: bool) -> None:
        if checked:  # View › Panels: in front, not as a background tab
            self.dock.raise_()

    def _on_visibility(self, visible: bool) -> None:
        """Hidden (another tab in front, closed): the canvas numbers go, the stepping
        position stays; shown again: the numbers come back."""
        if visible:
            if self.trace is not None:
                self._show()
        else:
            self.overlay.clear()

    # --- the trace -----------------------------------------------------------------------

    def _ensure_trace(self) -> bool:
        if self.trace is not None:
            return True
        project = self.session.project
        try:
            self.batch = load_batch(project, self.session.base_dir)
            self.trace = trace_backprop(self.batch.plan, project.graph, self.batch.x,
                                        self.batch.y)
        except (BatchError, GraphError) as error:
            self.batch, self.trace = None, None
            self.panel.step_label.setText("Cannot trace this network")
            self.panel.explain_label.setText(str(error))
            return False
        t = self.trace
        self.steps = ([("forward", n) for n in t.forward_order]
                      + [("backward", n) for n in t.backward_order])
        self.panel.batch_label.setText(texts.batch_text(self.batch, t))
        self._fill_targets()
        return True

    def _on_project_replaced(self) -> None:
        """Another project: no trace, no numbers of the old one on the canvas."""
        self.reset()
        self.panel.explain_label.setText("")

    def _on_document_changed(self) -> None:
        if self.trace is not None:
            self.reset()
            self.panel.explain_label.setText("The network changed: press Forward to trace "
                                             "it again.")

    # --- buttons -------------------------------------------------------------------------

    def forward(self) -> None:
        """A fresh pass with the current weights; stops when every node has its value."""
        self.reset()
        if self._ensure_trace():
            assert self.trace is not None
            self._go(len(self.trace.forward_order) - 1)

    def step(self) -> None:
        if self._ensure_trace():
            self._go(self.position + 1)

    def back(self) -> None:
        if self.trace is not None:
            self._go(self.position - 1)

    def run_to_end(self) -> None:
        if self._ensure_trace():
            self._go(len(self.steps) - 1)

    def reset(self) -> None:
        self.overlay.clear()
        self.trace, self.batch, self.steps, self.position = None, None, [], -1
        self.panel.step_label.setText("")
        self.panel.explain_label.setText("")
        self.panel.chain_text.clear()
        self.panel.target_combo.clear()
        fill_table(self.panel.samples, [])
        self._update_buttons()

    def _go(self, position: int) -> None:
        self.position = max(-1, min(position, len(self.steps) - 1))
        self._show()
        self._update_buttons()

    def _update_buttons(self) -> None:
        p, last = self.panel, len(self.steps) - 1
        p.back_button.setEnabled(self.trace is not None and self.position >= 0)
        p.step_button.setEnabled(self.trace is None or self.position < last)
        p.run_button.setEnabled(self.trace is None or self.position < last)

    # --- showing one step ----------------------------------------------------------------

    def current(self) -> tuple[str, str] | None:
        """(phase, node id) of the current step, or None before the first."""
        return self.steps[self.position] if self.position >= 0 else None

    def _show(self) -> None:
        self.overlay.clear()
        t = self.trace
        current = self.current()
        if t is None or current is None:
            self.panel.step_label.setText("Ready: press Step to start the forward pass.")
            self.panel.explain_label.setText("")
            fill_table(self.panel.samples, [])
            return
        phase, node_id = current
        n_forward = len(t.forward_order)
        shown = t.forward_order[:self.position + 1] if phase == "forward" else t.forward_order
        for nid in shown:
            self.overlay.label_node(nid, texts.value_label(t.nodes[nid]), FORWARD, below=False)
        colour = FORWARD if phase == "forward" else BACKWARD
        if phase == "backward":
            for nid in t.backward_order[:self.position - n_forward + 1]:
                self.overlay.label_node(nid, texts.grad_label(t, t.nodes[nid]), BACKWARD,
                                        below=True)
                for edge_id in t.nodes[nid].incoming:
                    if edge_id in t.weight_symbols:
                        self.overlay.label_edge(edge_id, f"∂L/∂{t.weight_symbols[edge_id]} = "
                                                f"{texts.num(t.edge_grads[edge_id])}",
                                                BACKWARD, 0.4)
        elif phase == "forward":
            for edge_id in t.nodes[node_id].incoming:
                if edge_id in t.weight_symbols:
                    self.overlay.label_edge(edge_id, f"{t.weight_symbols[edge_id]} = "
                                            f"{texts.num(t.edge_weights[edge_id])}", FORWARD, 0.4)
        self.overlay.highlight_node(node_id, colour)
        for edge_id in t.nodes[node_id].incoming:
            self.overlay.highlight_edge(edge_id, colour)
        total = len(self.steps)
        self.panel.step_label.setText(
            f"Step {self.position + 1} of {total} · {phase} pass · {t.nodes[node_id].title}")
        self.panel.explain_label.setText(texts.explain(t, phase, t.nodes[node_id]))
        self._fill_samples(t.nodes[node_id])

    def _fill_samples(self, node: NodeTrace) -> None:
        assert self.batch is not None
        batch = self.batch
        scaled = batch.scaling != "none"
        self.panel.set_scaling(batch.scaling)
        rows = []
        for i in range(node.value.shape[0]):
            grad = "—" if node.grad is None else texts.vector(node.grad[i])
            inputs = [texts.vector(batch.raw_x[i].reshape(-1))]
            if scaled:
                inputs.append(texts.vector(np.asarray(batch.x[i]).reshape(-1)))
            rows.append([str(i + 1), *inputs,
                         texts.vector(np.asarray(batch.y[i]).reshape(-1)),
                         texts.vector(node.value[i]), grad])
        fill_table(self.panel.samples, rows)

    # --- chain rule ----------------------------------------------------------------------

    def _fill_targets(self) -> None:
        t = self.trace
        assert t is not None
        combo = self.panel.target_combo
        combo.clear()
        for edge_id, symbol in t.weight_symbols.items():
            edge = t.doc.edges[edge_id]
            combo.addItem(f"∂L/∂{symbol}  ({t.symbols[edge.source.node_id]} → "
                          f"{t.symbols[edge.target.node_id]})", f"edge:{edge_id}")
        for node_id, node in t.doc.nodes.items():
            if node.type_id in LAYER_PARAMS:
                for name in ("weight", "bias"):
                    if (node_id, name) in t.plan.params:
                        combo.addItem(f"∂L/∂{t.symbols[node_id]}.{name}[…]",
                                      f"param:{node_id}:{name}")
        combo.setCurrentIndex(-1)

    def explain_edge(self, edge_id: str) -> str:
        """Show (and return) the chain rule of a neuron-level edge weight."""
        if not self._ensure_trace():
            return ""
        index = self.panel.target_combo.findData(f"edge:{edge_id}")
        self.panel.target_combo.setCurrentIndex(index)
        return self._target_chosen()

    def _target_chosen(self, _index: int = 0) -> str:
        t, combo, spin = self.trace, self.panel.target_combo, self.panel.element_spin
        data = combo.currentData()
        if t is None or not data:
            return ""
        kind, owner, name = (str(data) + "::").split(":")[:3]
        try:
            if kind == "edge":
                spin.setVisible(False)
                rule = t.explain_edge(owner)
            else:
                size = t.plan.params[(owner, name)].size
                spin.blockSignals(True)
                spin.setRange(0, size - 1)
                spin.blockSignals(False)
                spin.setVisible(True)
                rule = t.explain_param(owner, name, spin.value())
        except GraphError as error:
            self.panel.chain_text.setPlainText(str(error))
            return str(error)
        text = rule.lines()
        self.panel.chain_text.setPlainText(text)
        return text

    def _on_selection(self, _node_ids: list[str] | None = None) -> None:
        scene = self.host.canvas
        edges = scene.selected_edge_ids()
        nodes = scene.selected_node_ids()
        if self.trace is None:
            return
        if len(edges) == 1 and not nodes and edges[0] in self.trace.weight_symbols:
            self.explain_edge(edges[0])
        elif len(nodes) == 1 and not edges:
            index = self.panel.target_combo.findData(f"param:{nodes[0]}:weight")
            if index >= 0:
                self.panel.target_combo.setCurrentIndex(index)
                self._target_chosen()

    # --- gradient check ------------------------------------------------------------------

    def check_gradients(self) -> dict[str, float]:
        """Backprop against finite differences on the batch; fills the table and verdict."""
        if not self._ensure_trace():
            self.panel.verdict_label.setText(self.panel.explain_label.text())
            return {}
        assert self.batch is not None and self.trace is not None
        errors = check_gradients(self.batch.plan, self.batch.x, self.batch.y)
        names = self._array_names()
        rows = [[names.get(key, key), f"{err:.1e}", "pass" if err <= PASS_LIMIT else "FAIL"]
                for key, err in errors.items()]
        fill_table(self.panel.check_table, rows)
        worst = max(errors.values(), default=0.0)
        ok = all(err <= PASS_LIMIT for err in errors.values())
        self.panel.verdict_label.setText(
            f"<b style='color:{'#15803d' if ok else '#b91c1c'}'>"
            f"{'PASS' if ok else 'FAIL'}</b>: backprop {'agrees' if ok else 'disagrees'} with "
            f"finite differences on {len(errors)} arrays (worst relative error {worst:.1e}; "
            f"a pass is ≤ {PASS_LIMIT:.0e}).")
        return errors

    def _array_names(self) -> dict[str, str]:
        t = self.trace
        assert t is not None
        by_key: dict[str, list[str]] = {}
        for edge_id, symbol in t.weight_symbols.items():
            (owner, name), _ = edge_slot(t.plan, edge_id)
            by_key.setdefault(f"{owner}/{name}", []).append(symbol)
        names = {key: ", ".join(symbols) for key, symbols in by_key.items()}
        for node_id in t.doc.nodes:
            for name in ("weight", "bias"):
                names[f"{node_id}/{name}"] = f"{t.symbols[node_id]}.{name}"
        return names
