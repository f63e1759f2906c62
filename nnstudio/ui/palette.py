"""The node palette: node types grouped by category, searchable, dragged onto the canvas.

Dragging an entry carries its type id under ``NODE_TYPE_MIME`` (the canvas creates the node
where it is dropped); double-clicking or pressing Enter emits ``node_type_activated``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QFont, QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnstudio.graph.model.registry import CATEGORIES, NODE_TYPES, NodeType
from nnstudio.paths import resources_dir
from nnstudio.ui.canvas import NODE_TYPE_MIME

TYPE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2

#: Icon file (without ``.svg``) per node type; other types use their category's icon.
_TYPE_ICONS: dict[str, str] = {
    "neuron.neuron": "neuron",
    "neuron.bias": "bias",
    "neuron.input_feature": "input",
    "neuron.output": "output",
    "layer.input": "input",
    "layer.output": "output",
    "layer.dense": "dense",
    "layer.conv2d": "conv",
    "layer.maxpool2d": "pool",
    "layer.avgpool2d": "pool",
    "layer.flatten": "flatten",
    "layer.dropout": "dropout",
    "layer.batchnorm": "norm",
    "layer.softmax": "activation",
    "layer.add": "merge",
    "layer.concatenate": "merge",
    "layer.stack": "merge",
    "layer.split": "split",
    "activation": "activation",
}
_CATEGORY_ICONS: dict[str, str] = {
    "Neurons & biases": "neuron",
    "Layers": "dense",
    "Activations": "activation",
    "Data & output": "input",
}


@cache
def icon_for_name(name: str) -> QIcon:
    """The bundled SVG icon ``resources/icons/<name>.svg`` (an empty icon if missing)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def icon_for_node_type(node_type: NodeType) -> QIcon:
    """The palette icon of a node type."""
    name = _TYPE_ICONS.get(node_type.type_id) or _CATEGORY_ICONS.get(node_type.category, "app")
    return icon_for_name(name)


def type_matches(node_type: NodeType, text: str) -> bool:
    """True if every word of ``text`` occurs in the type's title, id, description or category."""
    return match_rank(node_type, text) is not None


def match_rank(node_type: NodeType, text: str) -> int | None:
    """How well ``text`` names the type (smaller is better), None if it does not match:
    0 it is the title, 1 the title starts with it, 2 every word is in the title, 3 in the
    type id, 4 in the category, 5 only in the description."""
    words = text.lower().split()
    title = node_type.title.lower()
    fields = (title, node_type.type_id.lower(), node_type.category.lower(),
              node_type.description.lower())
    everything = " ".join(fields)
    if not all(word in everything for word in words):
        return None
    query = " ".join(words)
    if not words or title == query:
        return 0
    if title.startswith(query):
        return 1
    for rank, field in enumerate(fields[:3], start=2):
        if all(word in field for word in words):
            return rank
    return 5


def wrap_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> list[str]:
    """``text`` broken at spaces into at most ``lines`` lines of ``width`` pixels; the last
    line is elided if text remains."""
    words = text.split()
    result: list[str] = []
    while words and len(result) < lines - 1:
        count = len(words)
        while count > 1 and metrics.horizontalAdvance(" ".join(words[:count])) > width:
            count -= 1
        result.append(" ".join(words[:count]))
        words = words[count:]
    if words:
        result.append(metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width))
    return result


class _EntryDelegate(QStyledItemDelegate):
    """Draws a type entry as icon, title and a grey description of up to two lines below it
    (the whole description is in the tooltip)."""

    ICON = 22
    PAD = 4
    DESCRIPTION_LINES = 2

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        base = super().sizeHint(option, index)
        if not index.data(TYPE_ID_ROLE):
            return base
        line = option.fontMetrics.height()
        return QSize(base.width(), (1 + self.DESCRIPTION_LINES) * line + 3 * self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        if not index.data(TYPE_ID_ROLE):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        opt.text = ""
        opt.icon = QIcon()
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        icon: QIcon = index.data(Qt.ItemDataRole.DecorationRole)
        icon_rect = QRect(rect.left() + self.PAD, rect.top() + self.PAD, self.ICON, self.ICON)
        if icon is not None:
            icon.paint(painter, icon_rect)
        text_left = icon_rect.right() + 2 * self.PAD
        width = rect.right() - text_left - self.PAD
        line = option.fontMetrics.height()
        painter.save()
        title_font = QFont(option.font)
        title_font.setBold(True)
        painter.setFont(title_font)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(pal.color(role))
        painter.drawText(QRect(text_left, rect.top() + self.PAD, width, line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         str(index.data(Qt.ItemDataRole.DisplayRole)))
        painter.setFont(option.font)
        if not selected:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        lines = wrap_lines(str(index.data(DESCRIPTION_ROLE)), option.fontMetrics, width,
                           self.DESCRIPTION_LINES)
        for number, text in enumerate(lines):
            painter.drawText(QRect(text_left, rect.top() + 2 * self.PAD + (1 + number) * line,
                                   width, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()


class _TypeTree(QTreeWidget):
    """A tree whose type entries drag out as ``NODE_TYPE_MIME`` data (always as a copy)."""

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # A move drag would remove the entry from the palette once dropped: copy only.
        items = [i for i in self.selectedItems() if i.data(0, TYPE_ID_ROLE)]
        if not items:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData(items))
        drag.setPixmap(items[0].icon(0).pixmap(32, 32))
        drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)

    def mimeTypes(self) -> list[str]:
        return [NODE_TYPE_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        data = QMimeData()
        type_ids = [item.data(0, TYPE_ID_ROLE) for item in items if item.data(0, TYPE_ID_ROLE)]
        if type_ids:
            data.setData(NODE_TYPE_MIME, type_ids[0].encode("utf-8"))
            data.setText(type_ids[0])
        return data


class PaletteWidget(QWidget):
    """Search box above a tree of node types grouped by category."""

    node_type_activated = Signal(str)  # type_id; the window adds it at the view centre

    PREFERRED_WIDTH = 280
    """Wide enough for about 35 characters of description per line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search nodes…")
        self.search.setClearButtonEnabled(True)
        self.tree = _TypeTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setItemDelegate(_EntryDelegate(self.tree))
        self.tree.setIconSize(QSize(22, 22))
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._populate()
        self.search.textChanged.connect(self.set_filter)
        self.search.returnPressed.connect(self._activate_first_visible)
        self.tree.itemActivated.connect(self._on_item_activated)

    def sizeHint(self) -> QSize:
        return QSize(self.PREFERRED_WIDTH, super().sizeHint().height())

    def _populate(self) -> None:
        self.results = QTreeWidgetItem(self.tree, ["Matches"])
        self.results.setFlags(Qt.ItemFlag.ItemIsEnabled)
        bold = self.results.font(0)
        bold.setBold(True)
        self.results.setFont(0, bold)
        self.results.setHidden(True)
        self.categories: dict[str, QTreeWidgetItem] = {}
        for category in CATEGORIES:
            group = QTreeWidgetItem(self.tree, [category])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setIcon(0, icon_for_name(_CATEGORY_ICONS[category]))
            self.categories[category] = group
        for node_type in NODE_TYPES.values():
            parent = self.categories.get(node_type.category)
            if parent is None:
                continue
            item = QTreeWidgetItem(parent, [node_type.title])
            item.setData(0, TYPE_ID_ROLE, node_type.type_id)
            item.setData(0, DESCRIPTION_ROLE, node_type.description)
            item.setIcon(0, icon_for_node_type(node_type))
            item.setToolTip(0, f"<b>{node_type.title}</b><br>{node_type.description}"
                               "<br><i>Drag onto the canvas or double-click to add.</i>")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsDragEnabled)
        self.tree.expandAll()

    def type_items(self) -> list[QTreeWidgetItem]:
        """All type entries, in the order shown (a search's matches first, best first)."""
        items: list[QTreeWidgetItem] = []
        for group in [self.results, *self.categories.values()]:
            for i in range(group.childCount()):
                child = group.child(i)
                if child is not None:
                    items.append(child)
        return items

    def visible_type_ids(self) -> list[str]:
        """Type ids of the entries the current search shows."""
        return [item.data(0, TYPE_ID_ROLE) for item in self.type_items()
                if not item.isHidden() and not (item.parent() or item).isHidden()]

    def item_for_type(self, type_id: str) -> QTreeWidgetItem | None:
        return next((i for i in self.type_items() if i.data(0, TYPE_ID_ROLE) == type_id), None)

    def set_filter(self, text: str) -> None:
        """Show only the types matching every word of ``text`` (all types if empty), in
        one list of matches: names before descriptions (``match_rank``)."""
        while self.results.childCount():  # back to their categories, in palette order
            taken = self.results.takeChild(0)
            if taken is not None:
                node_type = NODE_TYPES[taken.data(0, TYPE_ID_ROLE)]
                self.categories[node_type.category].addChild(taken)
        order = {t: i for i, t in enumerate(NODE_TYPES)}
        for group in self.categories.values():
            children = [c for c in (group.takeChild(0) for _ in range(group.childCount()))
                        if c is not None]
            for child in sorted(children, key=lambda c: order[c.data(0, TYPE_ID_ROLE)]):
                group.addChild(child)
        searching = bool(text.strip())
        self.results.setHidden(not searching)
        for group in self.categories.values():
            group.setHidden(searching)
        if searching:
            ranked = []
            for index, item in enumerate(self.type_items()):
                rank = match_rank(NODE_TYPES[item.data(0, TYPE_ID_ROLE)], text)
                if rank is not None:
                    ranked.append((rank, index, item))
            for _rank, _index, item in sorted(ranked, key=lambda r: r[:2]):
                parent = item.parent()
                if parent is not None:
                    parent.removeChild(item)
                self.results.addChild(item)
            self.results.setText(0, f"Matches ({len(ranked)})" if ranked else "No matches")
        self.tree.expandAll()

    def _activate_first_visible(self) -> None:
        visible = self.visible_type_ids()
        if visible:
            self.node_type_activated.emit(visible[0])

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_id = item.data(0, TYPE_ID_ROLE)
        if type_id:
            self.node_type_activated.emit(type_id)
