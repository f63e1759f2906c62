"""Actions that features offer on a node: entries of the canvas node's context menu and
buttons in the inspector (e.g. "Explain this convolution…")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nnstudio.graph.model.document_types import Node


@dataclass(frozen=True)
class NodeAction:
    """``applies(node)`` says whether the action fits a node; ``run(node_id)`` does it.
    ``name`` identifies it (object names, tests); ``text`` is what people read."""

    name: str
    text: str
    applies: Callable[[Node], bool]
    run: Callable[[str], object]
    tip: str = ""


class NodeActions:
    """An ordered list of node actions that features add to and views read."""

    def __init__(self) -> None:
        self._actions: list[NodeAction] = []

    def add(self, action: NodeAction) -> Callable[[], None]:
        """Offer ``action`` from now on; the returned function withdraws it."""
        self._actions.append(action)

        def remove() -> None:
            if action in self._actions:
                self._actions.remove(action)

        return remove

    def for_node(self, node: Node) -> list[NodeAction]:
        """The actions that fit ``node``, in the order they were added."""
        return [a for a in self._actions if a.applies(node)]
