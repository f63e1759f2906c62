"""The search-to-add box: type a few letters, press Enter, and a node appears at the cursor."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.ui.canvas.labels import node_summary
from nnstudio.ui.canvas.protocols import SceneLike


def matches(type_id: str, query: str) -> bool:
    """True if every word of ``query`` is found in the type's title, id, category or text."""
    kind = NODE_TYPES[type_id]
    haystack = " ".join((kind.title, type_id, kind.category, kind.description,
                         node_summary(type_id, kind.default_params()))).lower()
    return all(word in haystack for word in query.lower().split())


class AddBox(QFrame):
    """A popup with a search field over a list of node types (optionally a subset)."""

    type_chosen = Signal(str)

    def __init__(self, type_ids: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.type_ids = list(NODE_TYPES) if type_ids is None else list(type_ids)
        self.line_edit = QLineEdit(self)
        self.line_edit.setPlaceholderText("Search nodes…" if type_ids is None
                                          else "Search compatible nodes…")
        self.list = QListWidget(self)
        self.list.setMinimumWidth(260)
        self.list.setMinimumHeight(min(320, 26 * max(len(self.type_ids), 3)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.line_edit)
        layout.addWidget(self.list)
        self.line_edit.textChanged.connect(self._filter)
        self.line_edit.returnPressed.connect(self.choose_current)
        self.line_edit.installEventFilter(self)
        self.list.itemActivated.connect(lambda item: self._choose(item))
        self.list.itemClicked.connect(lambda item: self._choose(item))
        self._done = False
        self._filter("")
        self.line_edit.setFocus()

    def visible_type_ids(self) -> list[str]:
        """The type ids listed for the current search text, in order."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count())]

    def _filter(self, text: str) -> None:
        self.list.clear()
        for type_id in self.type_ids:
            if matches(type_id, text):
                kind = NODE_TYPES[type_id]
                item = QListWidgetItem(f"{kind.title}  —  {kind.category}")
                item.setData(Qt.ItemDataRole.UserRole, type_id)
                item.setToolTip(kind.description)
                self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def choose_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._choose(item)

    def _choose(self, item: QListWidgetItem) -> None:
        if self._done:
            return
        self._done = True
        type_id = item.data(Qt.ItemDataRole.UserRole)
        self.close()
        self.type_chosen.emit(type_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line_edit and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = (self.list.currentRow() + step) % self.list.count()
                self.list.setCurrentRow(row)
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)


def open_add_box(scene: SceneLike, pos: QPointF, type_ids: list[str] | None,
                 on_chosen: Callable[[str], object]) -> AddBox | None:
    """Show an AddBox at scene position ``pos`` in the scene's first view; None if no view."""
    views = scene.views()
    if not views:
        return None
    view = views[0]
    old = scene.add_box
    if old is not None:  # one box per scene; the last one stays (hidden) until replaced
        old.close()
        old.deleteLater()
    box = AddBox(type_ids, view)
    box.type_chosen.connect(on_chosen)
    scene.add_box = box
    box.move(view.viewport().mapToGlobal(view.mapFromScene(pos)))
    box.show()
    box.line_edit.setFocus()
    return box
