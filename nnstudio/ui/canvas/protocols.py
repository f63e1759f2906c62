"""What the gestures, the add box and the inline editors use of the canvas scene.

``CanvasScene`` builds these helpers; they receive it typed as ``SceneLike`` instead of
importing the scene module back, so the canvas package's files import one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import PortRef
from nnstudio.graph.model.edits import Edit
from nnstudio.ui.canvas.node_item import NodeItem


class SceneLike(Protocol):
    """The canvas scene as its helpers see it."""

    document: Document
    add_box: Any
    fix_menu: Any
    inline_editor: Any

    @property
    def node_items(self) -> Mapping[str, NodeItem]: ...

    def item_at(self, pos: QPointF, kind: type[QGraphicsItem]) -> Any: ...

    def show_hint(self, text: str, at: QPointF | None = None) -> None: ...

    def clear_hint(self) -> None: ...

    def push_edit(self, edit: Edit, text: str | None = None,
                  merge_key: str | None = None) -> None: ...

    def push_edits(self, edits: list[Edit], text: str | None) -> bool: ...

    def try_edit(self, edit: Edit, text: str | None = None,
                 at: QPointF | None = None) -> bool: ...

    def add_node_at(self, type_id: str, pos: QPointF) -> str: ...

    def add_connected_node(self, type_id: str, pos: QPointF, port: PortRef,
                           port_is_output: bool, new_port: str) -> str: ...

    def select_nodes(self, ids: list[str]) -> None: ...

    def node_rects(self, ignore: set[str] | frozenset[str] = frozenset()) -> list[QRectF]: ...

    def selected_node_ids(self) -> list[str]: ...

    # QGraphicsScene's own
    def views(self) -> list[QGraphicsView]: ...

    def items(self, rect: QRectF) -> list[QGraphicsItem]: ...

    def selectedItems(self) -> list[QGraphicsItem]: ...

    def addItem(self, item: QGraphicsItem) -> None: ...

    def removeItem(self, item: QGraphicsItem) -> None: ...
