"""CanvasView: zoom (wheel, around the cursor), pan (middle-drag or Space+drag), fit, the
keyboard shortcuts of the canvas, and the drop target for node types dragged from a palette."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QCursor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.ui.canvas import add_box, style
from nnstudio.ui.canvas.legend import EdgeLegend
from nnstudio.ui.canvas.scene import CanvasScene

NODE_TYPE_MIME = "application/x-nnstudio-node-type"
"""Mime type of a palette drag; its data is the node type id in UTF-8."""

MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
FIT_MIN_ZOOM = 0.2
""""Fit all" shows the whole network down to this zoom (texts are drawn from 0.35 on and
edge labels from 0.55, hovering shows them); a larger graph shows its top-left part."""
FIT_MARGIN = 40.0


class CanvasView(QGraphicsView):
    """The widget showing a CanvasScene."""

    def __init__(self, scene: CanvasScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.canvas = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self._space_down = False
        self._pan_from: QPoint | None = None
        self._last_mouse: QPoint | None = None
        self.bottom_inset = 0
        """Height (px) of a bar along the canvas's bottom edge the legend stays above."""
        # a child of the view, not of its viewport: scrolling moves the viewport's children
        self.legend = EdgeLegend(self)
        scene.legend_changed.connect(self._on_legend)
        self._on_legend(scene.legend_mode)
        self.centerOn(0, 0)

    def _on_legend(self, mode: str) -> None:
        self.legend.set_mode(mode)
        self.place_legend()

    def set_bottom_inset(self, height: int) -> None:
        self.bottom_inset = max(int(height), 0)
        self.place_legend()

    def place_legend(self) -> None:
        """The legend in the viewport's lower-left corner (above a bottom bar)."""
        area = self.viewport().geometry()
        self.legend.move(area.left() + 6,
                         area.bottom() - self.legend.height() - 6 - self.bottom_inset)
        self.legend.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.place_legend()

    # --- zoom, fit ---------------------------------------------------------------------

    def zoom(self) -> float:
        """The current scale (1.0 = 100 %)."""
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Scale by ``factor`` keeping the scene point under ``anchor`` (viewport pixels;
        default the centre) where it is."""
        target = min(max(self.zoom() * factor, MIN_ZOOM), MAX_ZOOM)
        factor = target / self.zoom()
        if abs(factor - 1.0) < 1e-9:
            return
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self.scale(factor, factor)
        moved = self.mapFromScene(before) - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())

    def zoom_in(self) -> None:
        self.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.zoom_by(1 / 1.25)

    def reset_zoom(self) -> None:
        self.zoom_by(1.0 / self.zoom())

    def fit_all(self) -> None:
        """Show every node at a readable size: zoom between FIT_MIN_ZOOM and 100 %; a graph
        larger than the view at FIT_MIN_ZOOM shows its left (and top) part."""
        rect = QRectF()
        for item in self.canvas.node_items.values():
            rect = rect.united(item.sceneBoundingRect())
        if rect.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        size = self.viewport().size()
        width, height = max(size.width(), 1), max(size.height(), 1)
        graph = rect
        for margin in (FIT_MARGIN, FIT_MARGIN / 4):  # a thinner margin before cutting nodes
            rect = graph.adjusted(-margin, -margin, margin, margin)
            zoom = max(min(width / rect.width(), height / rect.height(), 1.0), FIT_MIN_ZOOM)
            if rect.width() * zoom <= width and rect.height() * zoom <= height:
                break
        self.resetTransform()
        self.scale(zoom, zoom)
        seen_w, seen_h = width / zoom, height / zoom
        x = rect.center().x() if rect.width() <= seen_w else rect.left() + seen_w / 2
        y = rect.center().y() if rect.height() <= seen_h else rect.top() + seen_h / 2
        self.centerOn(QPointF(x, y))

    def center_on_node(self, node_id: str) -> None:
        item = self.canvas.node_items.get(node_id)
        if item is not None:
            self.centerOn(item.sceneBoundingRect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        """The wheel zooms around the cursor; Shift+wheel and sideways scrolling pan."""
        delta = event.angleDelta()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.pan_by(-(delta.y() or delta.x()), 0)
        elif delta.x() and not delta.y():
            self.pan_by(-delta.x(), 0)
        elif delta.y():
            self.zoom_by(math.pow(1.15, delta.y() / 120.0), event.position().toPoint())
        event.accept()

    def pan_by(self, dx: int, dy: int) -> None:
        """Move the visible part by (dx, dy) viewport pixels."""
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + dy)

    # --- pan ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        pan = event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space_down)
        if pan:
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._last_mouse = event.position().toPoint()
        if self._pan_from is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space_down
                                      else Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # --- keyboard ----------------------------------------------------------------------

    def cursor_scene_pos(self) -> QPointF:
        """Where the mouse last was over the canvas (the view's centre if never)."""
        point: QPoint | None = self.viewport().mapFromGlobal(QCursor.pos())
        if point is None or not self.viewport().rect().contains(point):
            point = self._last_mouse
        if point is None or not self.viewport().rect().contains(point):
            point = self.viewport().rect().center()
        return self.mapToScene(point)

    def open_add_box(self) -> None:
        pos = self.cursor_scene_pos()
        add_box.open_add_box(self.canvas, pos, None,
                             lambda type_id: self.canvas.add_node_at(type_id, pos))

    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Tab and not event.modifiers()):
            self.open_add_box()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        scene = self.canvas
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            scene.delete_selection()
        elif key == Qt.Key.Key_Escape:
            scene.cancel_interaction()
            scene.select_nodes([])
        elif event.matches(QKeySequence.StandardKey.Copy):
            scene.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Cut):
            scene.cut_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            scene.paste()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            scene.select_all()
        elif event.matches(QKeySequence.StandardKey.Undo):
            scene.editor.undo()
        elif event.matches(QKeySequence.StandardKey.Redo):
            scene.editor.redo()
        elif key == Qt.Key.Key_D and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            scene.duplicate_selection()
        elif event.matches(QKeySequence.StandardKey.ZoomIn):
            self.zoom_in()
        elif event.matches(QKeySequence.StandardKey.ZoomOut):
            self.zoom_out()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            if self._pan_from is None:
                self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        super().keyReleaseEvent(event)

    # --- drop from the palette ---------------------------------------------------------

    def _dropped_type(self, event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> str | None:
        mime = event.mimeData()
        if not mime.hasFormat(NODE_TYPE_MIME):
            return None
        type_id = bytes(mime.data(NODE_TYPE_MIME).data()).decode("utf-8", errors="replace")
        return type_id if type_id in NODE_TYPES else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_type(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._dropped_type(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        type_id = self._dropped_type(event)
        if type_id is None:
            event.ignore()
            return
        pos = self.mapToScene(event.position().toPoint())
        try:
            self.canvas.add_node_at(type_id, pos)
        except GraphError as error:
            self.canvas.show_hint(str(error), pos)
        event.acceptProposedAction()
        self.setFocus()

    # --- background grid ---------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        rect = QRectF(rect)
        painter.fillRect(rect, style.BACKGROUND)
        zoom = self.zoom()
        step = style.GRID if zoom >= 0.6 else style.GRID * 5
        left = math.floor(rect.left() / step) * step
        top = math.floor(rect.top() / step) * step
        minor: list[QLineF] = []
        major: list[QLineF] = []
        x = left
        while x < rect.right():
            (major if round(x / style.GRID) % 5 == 0 else minor).append(
                QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            (major if round(y / style.GRID) % 5 == 0 else minor).append(
                QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(style.GRID_MINOR, 0))
        painter.drawLines(minor)
        painter.setPen(QPen(style.GRID_MAJOR, 0))
        painter.drawLines(major)
