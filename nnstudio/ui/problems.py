"""The problems list: validation errors and warnings of the document.

Follow-on warnings sit under the problem that causes them (one missing wire is one row,
with the nodes it cuts off folded below it), and a problem validation knows how to mend
has its one-click fix beside it ("Insert Flatten").
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from nnstudio.graph.checks.fixes import Fix, problem_fixes
from nnstudio.graph.checks.grouping import group_problems
from nnstudio.graph.checks.validation import Problem
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.signature import DataSignature

NODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY_HINT = ("Drag nodes from the palette to start building a network (or open one with "
              "File › Examples).")
NO_PROBLEMS = "No problems: the network is complete."
INFO_COLOUR = QColor("#5a6270")


def problem_text(doc: Document, problem: Problem) -> str:
    """``"Title: message"`` for a node's problem, the bare message for a graph problem or
    for a message that already names its node (``'Title' has no input…``)."""
    node = doc.nodes.get(problem.node_id) if problem.node_id else None
    if node is None or f"'{node.title}'" in problem.message:
        return problem.message
    port = f" ({problem.port})" if problem.port else ""
    return f"{node.title}{port}: {problem.message}"


class ProblemsWidget(QTreeWidget):
    """Lists problems; clicking one that belongs to a node emits ``node_activated``; a fix
    button emits ``fix_requested(Fix)``."""

    node_activated = Signal(str)  # node_id
    fix_requested = Signal(object)  # Fix

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setAlternatingRowColors(True)
        self.setIndentation(14)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.itemClicked.connect(self._on_item_clicked)
        self.itemActivated.connect(self._on_item_clicked)
        self.problems: list[Problem] = []
        self.fixes: dict[int, list[Fix]] = {}
        """Fixes shown per top-level row."""

    # --- rows ----------------------------------------------------------------------------
    def _top(self) -> list[QTreeWidgetItem]:
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in items if item is not None]

    def rows(self) -> list[str]:
        """The texts of the top-level rows (the follow-ons are folded under them)."""
        return [item.text(0) for item in self._top()]

    def follow_ons(self, row: int) -> list[str]:
        item = self._top()[row]
        children = (item.child(i) for i in range(item.childCount()))
        return [child.text(0) for child in children if child is not None]

    def set_problems(self, doc: Document, problems: Sequence[Problem],
                     data: DataSignature | None = None) -> None:
        """Replace the rows; an empty list shows a single "no problems" row. An empty
        document shows a neutral hint, and its problems as information, not errors."""
        self.problems = list(problems)
        self.fixes = {}
        self.clear()
        style = self.style()
        if not doc.nodes:
            info = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            for text in (EMPTY_HINT, *(p.message for p in problems)):
                item = QTreeWidgetItem([text])
                item.setIcon(0, info)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setForeground(0, INFO_COLOUR)
                item.setToolTip(0, text)
                self.addTopLevelItem(item)
                item.setFirstColumnSpanned(True)  # no fix column: the whole width
            return
        if not problems:
            item = QTreeWidgetItem([NO_PROBLEMS])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setIcon(0, style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
            item.setToolTip(0, NO_PROBLEMS)
            self.addTopLevelItem(item)
            item.setFirstColumnSpanned(True)  # no fix column: the whole width
            return
        for group in group_problems(doc, problems):
            item = self._item(doc, group.cause)
            if group.follow_ons:
                count = len(group.follow_ons)
                item.setText(0, f"{item.text(0)} ({count} follow-on "
                                f"warning{'s' if count != 1 else ''} below)")
                for follow in group.follow_ons:
                    item.addChild(self._item(doc, follow))
            self.addTopLevelItem(item)
            fixes = problem_fixes(doc, group.cause, data)
            if fixes:
                self.fixes[self.topLevelItemCount() - 1] = fixes
                self.setItemWidget(item, 1, self._fix_buttons(fixes))

    def _item(self, doc: Document, problem: Problem) -> QTreeWidgetItem:
        icon = (QStyle.StandardPixmap.SP_MessageBoxCritical if problem.severity == "error"
                else QStyle.StandardPixmap.SP_MessageBoxWarning)
        item = QTreeWidgetItem([problem_text(doc, problem)])
        item.setIcon(0, self.style().standardIcon(icon))
        item.setData(0, NODE_ID_ROLE, problem.node_id)
        item.setToolTip(0, problem.message)
        return item

    def _fix_buttons(self, fixes: list[Fix]) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(2, 0, 2, 0)
        row.setSpacing(3)
        for fix in fixes:
            button = QToolButton()
            button.setObjectName("problem_fix")
            button.setText(fix.text)
            button.setToolTip(f"{fix.text} (one undo step)")
            button.clicked.connect(lambda _=False, f=fix: self.fix_requested.emit(f))
            row.addWidget(button)
        return box

    def is_hint(self) -> bool:
        """True while the list shows the empty-document hint instead of problems."""
        return self.rows()[:1] == [EMPTY_HINT]

    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def _on_item_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node_id = item.data(0, NODE_ID_ROLE)
        if node_id:
            self.node_activated.emit(str(node_id))
