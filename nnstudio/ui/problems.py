"""The problems list: validation errors and warnings of the document, one row each."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QWidget

from nnstudio.graph.checks.validation import Problem
from nnstudio.graph.model.document import Document

NODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY_HINT = ("Drag nodes from the palette to start building a network (or open one with "
              "File › Examples).")
INFO_COLOUR = QColor("#5a6270")


def problem_text(doc: Document, problem: Problem) -> str:
    """``"Title: message"`` for a node's problem, the bare message for a graph problem or
    for a message that already names its node (``'Title' has no input…``)."""
    node = doc.nodes.get(problem.node_id) if problem.node_id else None
    if node is None or f"'{node.title}'" in problem.message:
        return problem.message
    port = f" ({problem.port})" if problem.port else ""
    return f"{node.title}{port}: {problem.message}"


class ProblemsWidget(QListWidget):
    """Lists problems; clicking one that belongs to a node emits ``node_activated``."""

    node_activated = Signal(str)  # node_id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemClicked.connect(self._on_item_clicked)
        self.itemActivated.connect(self._on_item_clicked)
        self.problems: list[Problem] = []

    def set_problems(self, doc: Document, problems: Sequence[Problem]) -> None:
        """Replace the rows; an empty list shows a single "no problems" row. An empty
        document shows a neutral hint, and its problems as information, not errors."""
        self.problems = list(problems)
        self.clear()
        style = self.style()
        if not doc.nodes:
            info = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            for text in (EMPTY_HINT, *(p.message for p in problems)):
                item = QListWidgetItem(info, text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setForeground(INFO_COLOUR)
                item.setToolTip(text)
                self.addItem(item)
            return
        if not problems:
            item = QListWidgetItem("No problems: the network is complete.")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
            self.addItem(item)
            return
        for problem in problems:
            icon = (QStyle.StandardPixmap.SP_MessageBoxCritical if problem.severity == "error"
                    else QStyle.StandardPixmap.SP_MessageBoxWarning)
            item = QListWidgetItem(style.standardIcon(icon), problem_text(doc, problem))
            item.setData(NODE_ID_ROLE, problem.node_id)
            item.setToolTip(problem.message)
            self.addItem(item)

    def is_hint(self) -> bool:
        """True while the list shows the empty-document hint instead of problems."""
        return self.count() > 0 and self.item(0).text() == EMPTY_HINT

    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ID_ROLE)
        if node_id:
            self.node_activated.emit(str(node_id))
