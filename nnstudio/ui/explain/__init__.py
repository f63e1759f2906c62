"""Views that explain why a network learns: the loss landscape with optimizer paths, the
convolution explainer, the activation gallery and the lecture tour.

``install(session, host)`` is the only place that touches the window (through ``Host``):
it adds the docks, the Help menu entries and the node actions, and forwards project
changes from the ``Session``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget

from nnstudio.graph.model.document_types import Node
from nnstudio.graph.model.project import Project
from nnstudio.ui.canvas.node_actions import NodeAction
from nnstudio.ui.explain.activations import ActivationGallery
from nnstudio.ui.explain.conv_panel import ConvExplainerPanel, explains
from nnstudio.ui.explain.landscape_panel import LandscapePanel
from nnstudio.ui.explain.tour_panel import TourPanel
from nnstudio.ui.explain.tour_steps import CONV, LANDSCAPE, TourStep
from nnstudio.ui.host import Host
from nnstudio.ui.session import Session

BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
EXPLAIN_HEIGHT = 400
"""Height (px) of the bottom dock area while the landscape or the explainer is shown.
(Taller uncovers stray tab bars the main window leaves at y ≈ 432 px; see the report.)"""
TOUR_HEIGHT = 600
"""Height (px) of the tour below the palette: its text fits without scrolling."""
EDIT_DELAY_MS = 300

__all__ = ["ExplainUi", "install"]


class ExplainUi(QObject):
    """What ``install_explain_ui`` added, and the ways to open each view."""

    def __init__(self, parent: QObject, landscape: LandscapePanel,
                 conv: ConvExplainerPanel, show_dock: Callable[[QDockWidget, int], None]
                 ) -> None:
        super().__init__(parent)
        self.landscape = landscape
        self.conv = conv
        self._show_dock = show_dock
        self.landscape_dock: QDockWidget | None = None
        self.conv_dock: QDockWidget | None = None
        self.tour_dock: QDockWidget | None = None
        self.tour: TourPanel | None = None
        self.gallery: ActivationGallery | None = None
        self._gallery_parent: QWidget | None = None

    def show_landscape(self, surface: str | None = None) -> None:
        """Bring the Landscape panel forward; compute ``surface`` ("network" or a
        built-in key) if given."""
        assert self.landscape_dock is not None
        self._show_dock(self.landscape_dock, EXPLAIN_HEIGHT)
        if surface is not None:
            self.landscape.select_surface(surface)

    def explain_node(self, node_id: str) -> bool:
        """Open the convolution explainer on a Conv2D or pooling node."""
        assert self.conv_dock is not None
        self._show_dock(self.conv_dock, EXPLAIN_HEIGHT)
        return self.conv.explain(node_id)

    def show_activations(self, function: str | None = None) -> ActivationGallery:
        if self.gallery is None:
            self.gallery = ActivationGallery(self._gallery_parent)
        self.gallery.show_function(function)
        return self.gallery

    def show_tour(self, step: int | None = None) -> bool:
        """Show the tour panel; go to ``step`` (0-based) if given."""
        assert self.tour_dock is not None and self.tour is not None
        self._show_dock(self.tour_dock, TOUR_HEIGHT)
        return self.tour.go_to(step) if step is not None else True


def install(session: Session, host: Host) -> ExplainUi:
    """Add the Landscape and Conv explainer docks (below the canvas, tabbed with the
    training plots), the Lecture tour dock (left, under the palette), Help menu entries
    and node actions (the canvas's context menu; the window shows them in its inspector
    too)."""
    parent = host.widget()

    def project() -> Project:
        return session.project

    def base_dir() -> Path | None:
        return session.base_dir

    def make_dock(title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea,
                  places: dict[str, str], on_demand: bool = False) -> QDockWidget:
        dock = QDockWidget(title, parent)
        dock.setObjectName(name)
        dock.setWidget(widget)
        host.add_dock(dock, area, places=places, on_demand=on_demand)
        return dock

    def show_dock(dock: QDockWidget, _height: int) -> None:
        host.show_panel(dock.objectName())

    landscape = LandscapePanel(project, base_dir)
    conv = ConvExplainerPanel(project, base_dir)
    ui = ExplainUi(parent, landscape, conv, show_dock)
    ui._gallery_parent = parent
    ui.landscape_dock = make_dock("Landscape", LANDSCAPE, landscape, BOTTOM,
                                  {"explain": "bottom"})
    ui.conv_dock = make_dock("Conv explainer", CONV, conv, BOTTOM, {"explain": "bottom"})

    def focus(step: TourStep) -> None:
        target = step.focus
        nodes = session.project.graph.nodes.values()
        if target.kind == "select" or target.kind == "explain":
            node_id = next((n.id for n in nodes if n.type_id == target.target), None)
            if node_id is None:
                return
            if target.kind == "explain":
                ui.explain_node(node_id)
                return
            host.reveal_node(node_id)
        elif target.kind == "landscape":
            ui.show_landscape(target.target)
            return
        host.show_panel(target.dock)

    ui.tour = TourPanel(host.open_example, focus)
    ui.tour_dock = make_dock("Lecture tour", "tour_dock", ui.tour, LEFT,
                             {"build": "left_lower", "train": "left_lower",
                              "explain": "left"}, on_demand=True)

    help_menu = host.menu("help")
    first = help_menu.actions()[0] if help_menu.actions() else None
    entries = [("Lecture &Tour", lambda: ui.show_tour(None if ui.tour and ui.tour.index >= 0
                                                      else 0)),
               ("&Activation Functions", lambda: ui.show_activations()),
               ("Loss &Landscape and Optimizer Paths", lambda: ui.show_landscape())]
    for text, slot in entries:
        action = help_menu.addAction(text)
        action.triggered.connect(lambda _=False, s=slot: s())
        if first is not None:
            help_menu.insertAction(first, action)
    if first is not None:
        help_menu.insertSeparator(first)

    def activation_of(node: Node) -> str:
        return "softmax" if node.type_id == "layer.softmax" else str(node.params["function"])

    node_actions = [
        NodeAction("explain_conv", "Explain this convolution step by step",
                   lambda n: n.type_id == "layer.conv2d", ui.explain_node,
                   "Show how each output cell is computed from the input and the kernel"),
        NodeAction("explain_pool", "Explain this pooling step by step",
                   lambda n: explains(n.type_id) and n.type_id != "layer.conv2d",
                   ui.explain_node, "Show which value of each window wins"),
        NodeAction("activation_gallery", "Compare activation functions",
                   lambda n: n.type_id in ("activation", "layer.softmax"),
                   lambda node_id: ui.show_activations(
                       activation_of(session.project.graph.nodes[node_id])),
                   "Open the gallery of the lecture's activation functions"),
    ]
    for node_action in node_actions:
        host.canvas.node_actions.add(node_action)

    def project_edited() -> None:
        landscape.project_changed()
        if ui.conv_dock is not None and ui.conv_dock.isVisible() and conv.node_id:
            conv.reload()

    edits = QTimer(ui)
    edits.setSingleShot(True)
    edits.setInterval(EDIT_DELAY_MS)
    edits.timeout.connect(project_edited)
    session.edited.connect(edits.start)
    session.project_replaced.connect(project_edited)

    class _CloseFilter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Close:
                landscape.runner.shutdown()
            return False

    parent.installEventFilter(_CloseFilter(ui))
    return ui
