"""Regularization for the whole network at once: one penalty for every weighted node, one
switch for every Dropout.

The nodes' own settings are what training reads; these helpers build the edits that set
them all (one undo step with the Training panel's choice) and tell which nodes differ from
that choice (they override it). The choice itself is an editing default, kept in the
project's ``ui`` field under "regularization" ({"penalty", "strength", "dropout"}): new
nodes take it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnstudio.graph.model.document_types import GraphView, Node
from nnstudio.graph.model.edits import Edit, SetParam
from nnstudio.graph.model.project_edits import SetSetting

PENALTIES = ("none", "l1", "l2", "l1_l2")
DEFAULT_STRENGTH = 0.0001
CHOICE = ("ui", "regularization")
"""Where the network-wide choice is kept (a SetSetting path)."""
WEIGHTED_TYPES = ("neuron.neuron", "layer.dense", "layer.conv2d")
"""Node types with a weight penalty (penalty, l1, l2)."""
_PARTS = {"none": (), "l1": ("l1",), "l2": ("l2",), "l1_l2": ("l1", "l2")}


def penalty_values(kind: str, strength: float) -> dict[str, object]:
    """A node's penalty settings for ``kind`` at ``strength``: the parts it uses get the
    strength, the others 0 (so none is "ignored")."""
    parts = _PARTS.get(kind, ())
    return {"penalty": kind, "l1": strength if "l1" in parts else 0.0,
            "l2": strength if "l2" in parts else 0.0}


def node_penalty(node: Node) -> tuple[str, float]:
    """(kind, strength) of a weighted node's own penalty (strength 0 for none)."""
    kind = str(node.params.get("penalty", "none"))
    parts = _PARTS.get(kind, ())
    strengths = [float(node.params.get(p, 0.0)) for p in parts]
    return kind, max(strengths) if strengths else 0.0


def overrides_penalty(node: Node, kind: str, strength: float) -> bool:
    """True if ``node``'s own penalty differs from the network-wide ``kind``/``strength``."""
    if node.params.get("penalty") != kind:
        return True
    parts = _PARTS.get(kind, ())
    return any(abs(float(node.params.get(name, 0.0)) - (strength if name in parts else 0.0))
               > 1e-12 for name in ("l1", "l2"))


def penalty_edits(doc: GraphView, kind: str, strength: float) -> list[Edit]:
    """SetParam edits giving every weighted node ``kind`` at ``strength``."""
    wanted = penalty_values(kind, strength)
    return [SetParam(node.id, name, value) for node in doc.nodes.values()
            if node.type_id in WEIGHTED_TYPES for name, value in wanted.items()
            if node.params.get(name) != value]


def dropout_edits(doc: GraphView, active: bool) -> list[Edit]:
    """SetParam edits switching every Dropout node on or off (its p is kept)."""
    return [SetParam(node.id, "active", active) for node in doc.nodes.values()
            if node.type_id == "layer.dropout" and bool(node.params.get("active", True))
            != active]


def weighted_nodes(doc: GraphView) -> list[Node]:
    return [n for n in doc.nodes.values() if n.type_id in WEIGHTED_TYPES]


def dropout_nodes(doc: GraphView) -> list[Node]:
    return [n for n in doc.nodes.values() if n.type_id == "layer.dropout"]


def common_penalty(doc: GraphView) -> tuple[str, float] | None:
    """The penalty most weighted nodes have (the first one's on a tie); None without any."""
    counts: dict[tuple[str, float], int] = {}
    for node in weighted_nodes(doc):
        key = node_penalty(node)
        counts[key] = counts.get(key, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def stored_choice(ui: Mapping[str, Any]) -> dict[str, Any]:
    """The network-wide choice kept in a project's ``ui`` field: any of "penalty" (one of
    PENALTIES), "strength" (a float >= 0) and "dropout" (a bool); values of the wrong kind
    are left out (a file may hold anything)."""
    raw = ui.get(CHOICE[1]) if isinstance(ui, Mapping) else None
    if not isinstance(raw, Mapping):
        return {}
    out: dict[str, Any] = {}
    if raw.get("penalty") in PENALTIES:
        out["penalty"] = raw["penalty"]
    strength = raw.get("strength")
    if isinstance(strength, int | float) and not isinstance(strength, bool) \
            and 0.0 <= float(strength) < float("inf"):
        out["strength"] = float(strength)
    if isinstance(raw.get("dropout"), bool):
        out["dropout"] = raw["dropout"]
    return out


def choice_edits(ui: Mapping[str, Any], **values: Any) -> list[SetSetting]:
    """SetSetting edits storing ``values`` (penalty, strength, dropout) as the choice."""
    current = stored_choice(ui)
    return [SetSetting((*CHOICE, key), value) for key, value in values.items()
            if current.get(key) != value]
