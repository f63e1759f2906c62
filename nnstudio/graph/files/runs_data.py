"""Training runs as project-file data, and back, checking everything on the way in.

Layout of one run inside ``project.json`` (``"runs": [...]``, oldest first)::

    {"id": "r1", "name": "Run 1 · Adam 0.01", "started": "2026-12-03T04:05:06Z" | null,
     "ended": ... | null, "settings": {...}, "dataset": {...}, "seed": 0,
     "fingerprint": "3f2a…", "history": [{...}, ...], "outcome": "completed",
     "message": "…", "preprocessing": {...}, "parent": "r0" | null,
     "weights_dropped": false,
     "weights": null | {"values": {node_id: {name: array ref}},
                        "edge_weights": {edge_id: number}, "ensemble": [{name: ref}]}}
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from nnstudio.graph.files.field_checks import (
    dataset_from_data,
    history_from_data,
    seed_from_data,
    training_from_data,
)
from nnstudio.graph.files.serialize import (
    MAX_ID_CHARS,
    ArrayReader,
    ArrayWriter,
    FormatError,
    decode_json,
    edge_weight_from_data,
    encode_json,
    expect_keys,
    expect_list,
    expect_text,
    show,
)
from nnstudio.graph.model.runs import OUTCOMES, Run, RunWeights

MAX_RUNS = 1_000
MAX_RUN_NAME_CHARS = 200
MAX_MESSAGE_CHARS = 2_000
MAX_ENSEMBLE = 1_000
_RUN_ID = re.compile(r"r[1-9][0-9]{0,8}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
_REQUIRED = {"id", "name"}
_OPTIONAL = frozenset({"started", "ended", "settings", "dataset", "seed", "network",
                       "fingerprint",
                       "history", "outcome", "message", "preprocessing", "parent",
                       "weights_dropped", "weights"})


def runs_to_data(runs: list[Run], writer: ArrayWriter) -> list[dict[str, Any]]:
    """JSON-able data of ``runs`` (their arrays go into ``writer``)."""
    return [_run_to_data(run, writer) for run in runs]


def _run_to_data(run: Run, writer: ArrayWriter) -> dict[str, Any]:
    where = f"run {run.name!r}"
    return {
        "id": run.id, "name": encode_json(run.name, f"the name of {where}"),
        "started": run.started, "ended": run.ended,
        "settings": training_from_data(encode_json(dict(run.settings), f"the settings of {where}"),
                                       f"the settings of {where}"),
        "dataset": dataset_from_data(encode_json(dict(run.dataset), f"the dataset of {where}"),
                                     f"the dataset of {where}"),
        "seed": seed_from_data(run.seed, f"the seed of {where}"),
        "network": encode_json({k: dict(v) for k, v in run.network.items()},
                               f"the network of {where}"),
        "fingerprint": run.fingerprint,
        "history": encode_json(
            list(history_from_data([_plain(r) for r in run.history], f"the history of {where}")),
            f"the history of {where}"),
        "outcome": run.outcome, "message": encode_json(run.message, f"the message of {where}"),
        "preprocessing": encode_json(dict(run.preprocessing), f"the scaler of {where}"),
        "parent": run.parent, "weights_dropped": run.weights_dropped,
        "weights": None if run.weights is None else _weights_to_data(run.weights, writer,
                                                                      where),
    }


def _plain(record: Any) -> dict[str, Any]:
    """An epoch record with NumPy scalars as Python numbers."""
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in dict(record).items()}


def _weights_to_data(weights: RunWeights, writer: ArrayWriter, where: str) -> dict[str, Any]:
    values = {node_id: {name: writer.put(arrays[name], f"array {name!r} of {where}")
                        for name in sorted(arrays)}
              for node_id, arrays in sorted(weights.values.items())}
    for edge_id, weight in weights.edge_weights.items():
        if not math.isfinite(weight):
            raise FormatError(f"the weight of edge {edge_id} in {where} is not finite")
    ensemble = [{name: writer.put(member[name], f"array {name!r} of a member of {where}")
                 for name in sorted(member)} for member in weights.ensemble]
    return {"values": values,
            "edge_weights": {k: float(v) for k, v in sorted(weights.edge_weights.items())},
            "ensemble": ensemble}


def runs_from_data(raw: Any, arrays: ArrayReader) -> list[Run]:
    """Checked runs from untrusted data (raises FormatError naming the run and field)."""
    items = expect_list(raw, "the runs")
    if len(items) > MAX_RUNS:
        raise FormatError(f"the project has more than {MAX_RUNS} runs")
    runs = [_run_from_data(item, i, arrays) for i, item in enumerate(items)]
    ids = [run.id for run in runs]
    if len(set(ids)) != len(ids):
        raise FormatError("two runs have the same id")
    known = set(ids)
    for run in runs:
        if run.parent is not None and run.parent not in known:
            raise FormatError(f"run {show(run.id)} names the unknown parent run "
                              f"{show(run.parent)}")
    return runs


def _run_from_data(raw: Any, index: int, arrays: ArrayReader) -> Run:
    where = f"run {index + 1}"
    raw = expect_keys(raw, where, _REQUIRED, _OPTIONAL)
    run_id = expect_text(raw["id"], f"the id of {where}", MAX_ID_CHARS)
    if not _RUN_ID.fullmatch(run_id):
        raise FormatError(f"{where} has the invalid id {show(run_id)}")

    def optional_text(key: str, pattern: re.Pattern[str] | None = None) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        text = expect_text(value, f"the {key} time of {where}", 40)
        if pattern is not None and not pattern.fullmatch(text):
            raise FormatError(f"the {key} time of {where} is not a time like "
                              f"2026-12-03T04:05:06Z")
        return text

    def json_object(key: str, label: str) -> dict[str, Any]:
        value = decode_json(raw.get(key, {}), f"the {label} of {where}")
        if not isinstance(value, dict):
            raise FormatError(f"the {label} of {where} should be an object")
        return value

    history = history_from_data(
        decode_json(expect_list(raw.get("history", []), f"the history of {where}"),
                    f"the history of {where}"), f"the history of {where}")
    outcome = expect_text(raw.get("outcome", "completed"), f"the outcome of {where}", 40)
    if outcome not in OUTCOMES:
        raise FormatError(f"the outcome of {where} is {show(outcome)}, not one of "
                          f"{', '.join(OUTCOMES)}")
    parent = raw.get("parent")
    if parent is not None:
        parent = expect_text(parent, f"the parent of {where}", MAX_ID_CHARS)
    dropped = raw.get("weights_dropped", False)
    if not isinstance(dropped, bool):
        raise FormatError(f"'weights_dropped' of {where} should be true or false")
    weights_raw = raw.get("weights")
    weights = None if weights_raw is None else _weights_from_data(weights_raw, arrays, where)
    return Run(
        id=run_id, name=expect_text(raw["name"], f"the name of {where}", MAX_RUN_NAME_CHARS),
        started=optional_text("started", _TIME), ended=optional_text("ended", _TIME),
        settings=training_from_data(json_object("settings", "settings"),
                                    f"the settings of {where}"),
        dataset=dataset_from_data(json_object("dataset", "dataset"), f"the dataset of {where}"),
        seed=seed_from_data(raw.get("seed", 0), f"the seed of {where}"),
        network=_network(json_object("network", "network"), where),
        fingerprint=expect_text(raw.get("fingerprint", ""), f"the fingerprint of {where}", 64),
        history=history, outcome=outcome,
        message=expect_text(raw.get("message", ""), f"the message of {where}",
                            MAX_MESSAGE_CHARS),
        preprocessing=json_object("preprocessing", "scaler"), weights=weights,
        weights_dropped=dropped, parent=parent)


def _network(raw: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """The recorded node settings: ``{node_id: {"type", "title", "params"}}``."""
    for node_id, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("params", {}), dict):
            raise FormatError(f"the network of {where} records node {show(node_id)} "
                              "wrongly")
    return raw


def _weights_from_data(raw: Any, arrays: ArrayReader, where: str) -> RunWeights:
    raw = expect_keys(raw, f"the weights of {where}", set(),
                      frozenset({"values", "edge_weights", "ensemble"}))
    values_raw = raw.get("values", {})
    if not isinstance(values_raw, dict):
        raise FormatError(f"the weights of {where} should map node ids to arrays")
    values = {}
    for node_id, named in values_raw.items():
        node_id = expect_text(node_id, f"a node id in the weights of {where}", MAX_ID_CHARS)
        if not isinstance(named, dict):
            raise FormatError(f"the weights of node {show(node_id)} in {where} should be "
                              "an object")
        values[node_id] = {
            expect_text(name, f"an array name in {where}", 200):
            arrays.take(ref, f"array {show(name)} of node {show(node_id)} in {where}")
            for name, ref in named.items()}
    edges_raw = raw.get("edge_weights", {})
    if not isinstance(edges_raw, dict):
        raise FormatError(f"the edge weights of {where} should be an object")
    edge_weights = {}
    for edge_id, weight in edges_raw.items():
        number = edge_weight_from_data(weight, f"the weight of edge {show(edge_id)} in {where}")
        if number is None:
            raise FormatError(f"the weight of edge {show(edge_id)} in {where} should be a "
                              "number, not null")
        edge_weights[expect_text(edge_id, f"an edge id in {where}", MAX_ID_CHARS)] = number
    members = expect_list(raw.get("ensemble", []), f"the ensemble of {where}")
    if len(members) > MAX_ENSEMBLE:
        raise FormatError(f"the ensemble of {where} has more than {MAX_ENSEMBLE} members")
    ensemble = []
    for k, member in enumerate(members):
        if not isinstance(member, dict):
            raise FormatError(f"member {k + 1} of the ensemble of {where} should be an object")
        ensemble.append({expect_text(name, f"an array name in {where}", 200):
                         arrays.take(ref, f"array {show(name)} of member {k + 1} in {where}")
                         for name, ref in member.items()})
    return RunWeights(values, edge_weights, tuple(ensemble))
