"""Upgrades of older project-file layouts, one schema version at a time.

``MIGRATIONS[v]`` takes the decoded ``project.json`` data of schema ``v`` and returns the
data of schema ``v + 1``. The functions get untrusted data: they check what they touch and
raise ``FormatError`` for anything they cannot convert.

Schema history:

- **0** (pre-release): node positions were not inside the nodes but in a separate map
  ``graph["positions"] = {node_id: [x, y]}``, and the seed lived in ``training["seed"]``.
- **1**: each node has ``"position": [x, y]``; the seed is the top-level ``"seed"``.
  The training history is one list ``"history"`` at the top.
- **2**: training runs are records (``"runs"``, ``"active_run"``,
  ``"run_weights_limit_mb"``); a schema-1 history becomes run 1, the current run, with
  the project's settings, dataset, seed and scaler, and no stored weights (the network
  holds them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nnstudio.graph.files.serialize import FormatError, show

#: The schema version this NN Studio writes (and the newest it reads).
SCHEMA_VERSION = 2

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _migrate_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """Move ``graph.positions[id]`` into each node and ``training.seed`` to the top."""
    data = dict(data)
    graph = data.get("graph")
    if not isinstance(graph, dict):
        raise FormatError("the graph of this schema-0 file is not an object")
    graph = dict(graph)
    positions = graph.pop("positions", {})
    if not isinstance(positions, dict):
        raise FormatError("the position map of this schema-0 file is not an object")
    nodes = graph.get("nodes")
    if not isinstance(nodes, list):
        raise FormatError("the node list of this schema-0 file is not a list")
    new_nodes = []
    for node in nodes:
        if not isinstance(node, dict) or "position" in node:
            raise FormatError("a node of this schema-0 file is not in the schema-0 layout")
        node_id = node.get("id")
        if not isinstance(node_id, str) or node_id not in positions:
            raise FormatError(f"node {show(node_id)} of this schema-0 file has no position")
        new_nodes.append({**node, "position": positions[node_id]})
    graph["nodes"] = new_nodes
    data["graph"] = graph
    training = data.get("training", {})
    if isinstance(training, dict) and "seed" in training and "seed" not in data:
        training = dict(training)
        data["seed"] = training.pop("seed")
        data["training"] = training
    data["schema_version"] = 1
    return data


def _migrate_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Make a non-empty top-level ``history`` the project's first (and current) run."""
    data = dict(data)
    history = data.pop("history", [])
    if not isinstance(history, list):
        raise FormatError("the training history of this schema-1 file is not a list")
    if history:
        data["runs"] = [{
            "id": "r1", "name": "Run 1", "started": None, "ended": None,
            "settings": data.get("training", {}), "dataset": data.get("dataset", {}),
            "seed": data.get("seed", 0), "fingerprint": "", "history": history,
            "outcome": "completed", "message": "",
            "preprocessing": data.get("preprocessing", {}), "parent": None,
            "weights_dropped": False, "weights": None}]
        data["active_run"] = "r1"
    data["schema_version"] = 2
    return data


MIGRATIONS: dict[int, Migration] = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


def migrate(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Upgrade ``data`` of schema ``version`` (<= SCHEMA_VERSION) to SCHEMA_VERSION."""
    while version < SCHEMA_VERSION:
        if version not in MIGRATIONS:
            raise FormatError(f"schema version {version} is too old to convert")
        data = MIGRATIONS[version](data)
        version += 1
    return data
