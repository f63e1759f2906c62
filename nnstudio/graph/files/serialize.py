"""A Document as plain JSON data plus named arrays, and back, checking everything on the way in.

``document_to_data`` turns a document into a JSON-able dict; its learned arrays go into an
``ArrayWriter`` and the dict refers to them as ``{"array": key, "dtype": "<f4", "shape": [8, 2]}``.
``document_from_data`` does the reverse from untrusted data: it checks every field (types,
ranges, unknown node types, ports and ids, array dtypes and shapes) BEFORE it builds the
document, and raises ``FormatError`` (a reason phrase, no file name) for the first problem.

Graph layout (inside ``project.json``)::

    {"nodes": [{"id", "type", "type_version", "title", "position": [x, y],
                "params": {...}, "values": {name: array ref}}, ...],
     "edges": [{"id", "source": {"node", "port"}, "target": {"node", "port"},
                "weight": number | null}, ...],
     "next_ids": {"node": int, "edge": int}}

``next_ids`` holds the document's id counters (``Document.id_counters``). Lists keep the
document's order (edge order is stacking order). Edge weights are finite numbers or null.
Free-form JSON sections (settings, history) write non-finite numbers as
``{"$float": "NaN" | "Infinity" | "-Infinity"}`` because strict JSON has neither.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge, Node, PortRef
from nnstudio.graph.model.edits import AddEdge, AddNode
from nnstudio.graph.model.fields import FLOAT32_MAX, MAX_COORDINATE, MAX_TITLE_CHARS, short
from nnstudio.graph.model.registry import NODE_TYPES

#: Bounds for what a file may contain (far above anything the app makes; the settings'
#: own bounds are declared in ``nnstudio.graph.model.fields`` and the node registry).
MAX_ID_CHARS = 64
MAX_TEXT_CHARS = 10_000
MAX_JSON_DEPTH = 32
MAX_ARRAY_DIMS = 8
_CHUNK = 1 << 20

_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class FormatError(ValueError):
    """The content of a project file is wrong; ``str(error)`` is a reason phrase."""


def show(value: object, limit: int = 40) -> str:
    """A short printable quote of an untrusted value for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------------- arrays


class ArrayWriter:
    """Collects arrays under keys ``a0``, ``a1``... in the order they are referenced
    (each checked like a loaded one: ``check_weights_array``)."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def put(self, array: Any, where: str, weights: bool = True) -> dict[str, Any]:
        """Store ``array`` and return its JSON reference (``weights``: learned values,
        checked by ``check_weights_array``; optimizer state is not)."""
        if not isinstance(array, np.ndarray) or not is_numeric_dtype(array.dtype):
            raise FormatError(f"{where} is not a numeric array ({type(array).__name__})")
        if array.ndim > MAX_ARRAY_DIMS:
            raise FormatError(f"{where} has {array.ndim} dimensions (at most {MAX_ARRAY_DIMS})")
        if weights:
            check_weights_array(array, where)
        key = f"a{len(self.arrays)}"
        self.arrays[key] = np.array(array, order="C", copy=True)
        return {"array": key, "dtype": array.dtype.str, "shape": list(array.shape)}


class ArrayReader:
    """Hands out checked arrays by reference (shape, type, and ``check_weights_array``);
    every array must be used exactly once."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self._arrays = dict(arrays)
        self._used: set[str] = set()

    def take(self, ref: Any, where: str, weights: bool = True) -> np.ndarray:
        ref = expect_keys(ref, where, {"array", "dtype", "shape"})
        key = ref["array"]
        if not isinstance(key, str) or key not in self._arrays:
            raise FormatError(f"{where} refers to an array {show(key)} that is missing")
        if key in self._used:
            raise FormatError(f"{where} refers to array {show(key)} that is used twice")
        array = self._arrays[key]
        shape = ref["shape"]
        if not isinstance(shape, list) or list(array.shape) != shape:
            raise FormatError(f"{where} should have shape {show(shape)} but the stored "
                              f"array has shape {list(array.shape)}")
        if ref["dtype"] != array.dtype.str:
            raise FormatError(f"{where} should have type {show(ref['dtype'])} but the stored "
                              f"array has type {array.dtype.str}")
        if weights:
            check_weights_array(array, where)
        self._used.add(key)
        return array

    def check_all_used(self) -> None:
        extra = sorted(set(self._arrays) - self._used)
        if extra:
            raise FormatError(f"the file holds {len(extra)} array(s) that nothing refers to "
                              f"(e.g. {show(extra[0])})")


def is_numeric_dtype(dtype: np.dtype) -> bool:
    """Plain booleans, integers and real floats only (no objects, strings, records)."""
    return dtype.kind in "biuf" and not dtype.hasobject and dtype.fields is None


# ----------------------------------------------------------------------------- JSON values


def encode_json(value: Any, where: str, depth: int = 0) -> Any:
    """``value`` as strict JSON data (numpy scalars become Python numbers, tuples lists)."""
    if depth > MAX_JSON_DEPTH:
        raise FormatError(f"{where} is nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, np.generic) and is_numeric_dtype(value.dtype):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        text = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return {"$float": text}
    if isinstance(value, list | tuple):
        return [encode_json(item, where, depth + 1) for item in value]
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise FormatError(f"{where} has a key {show(key)} that is not text")
            if key == "$float":
                raise FormatError(f"{where} uses the reserved key '$float'")
            out[key] = encode_json(item, where, depth + 1)
        return out
    raise FormatError(f"{where} contains a {type(value).__name__}, which a project file "
                      "cannot store")


def decode_json(value: Any, where: str, depth: int = 0) -> Any:
    """Check untrusted JSON data (depth, text sizes) and turn ``{"$float": ...}`` back."""
    if depth > MAX_JSON_DEPTH:
        raise FormatError(f"{where} is nested deeper than {MAX_JSON_DEPTH} levels")
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FormatError(f"{where} contains a number that is not finite")
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [decode_json(item, where, depth + 1) for item in value]
    if isinstance(value, dict):
        if "$float" in value:
            text = value["$float"]
            if len(value) != 1 or not isinstance(text, str) or text not in _NONFINITE:
                raise FormatError(f"{where} has a malformed {{\"$float\": ...}} number")
            return _NONFINITE[text]
        return {key: decode_json(item, where, depth + 1) for key, item in value.items()}
    raise FormatError(f"{where} contains a {type(value).__name__}")


# ----------------------------------------------------------------------------- field checks


def expect_keys(value: Any, where: str, required: set[str],
                optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``value`` as a dict with all ``required`` keys and nothing else but ``optional``."""
    if not isinstance(value, dict):
        raise FormatError(f"{where} should be an object, not {_kind(value)}")
    missing = sorted(required - set(value))
    if missing:
        raise FormatError(f"{where} lacks the field {show(missing[0])}")
    extra = sorted(set(value) - required - optional)
    if extra:
        raise FormatError(f"{where} has an unknown field {show(extra[0])}")
    return value


def expect_text(value: Any, where: str, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise FormatError(f"{where} should be text, not {_kind(value)}")
    if len(value) > limit:
        raise FormatError(f"{where} is longer than {limit} characters")
    return value


def expect_id(value: Any, where: str) -> str:
    text = expect_text(value, where, MAX_ID_CHARS)
    if not text or not text.isprintable():
        raise FormatError(f"{where} is not a valid id ({show(text)})")
    return text


def expect_int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(f"{where} should be a whole number, not {_kind(value)}")
    if not low <= value <= high:
        raise FormatError(f"{where} is {show(value)}, outside {low}..{high}")
    return value


def expect_number(value: Any, where: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(f"{where} should be a number, not {_kind(value)}")
    if not math.isfinite(value) or abs(value) > limit:
        raise FormatError(f"{where} is {show(value)}, which is out of range")
    return float(value)


def expect_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise FormatError(f"{where} should be a list, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


# ----------------------------------------------------------------------------- documents


def document_to_data(doc: Document, arrays: ArrayWriter) -> dict[str, Any]:
    """The document as JSON data; its learned arrays are added to ``arrays``."""
    nodes = []
    for node in doc.nodes.values():
        where = f"node {node.id!r}"
        nodes.append({
            "id": node.id,
            "type": node.type_id,
            "type_version": NODE_TYPES[node.type_id].version,
            "title": _title(node.title, where),
            "position": [float(node.position[0]), float(node.position[1])],
            "params": encode_json(dict(node.params), f"{where} settings"),
            "values": {name: arrays.put(node.values[name], f"{where} value {name!r}")
                       for name in sorted(node.values)},
        })
    edges = []
    for edge in doc.edges.values():
        edges.append({
            "id": edge.id,
            "source": {"node": edge.source.node_id, "port": edge.source.port},
            "target": {"node": edge.target.node_id, "port": edge.target.port},
            "weight": None if edge.weight is None else float(edge.weight),
        })
    next_node, next_edge = doc.id_counters
    return {"nodes": nodes, "edges": edges, "next_ids": {"node": next_node, "edge": next_edge}}


def _title(title: str, where: str) -> str:
    if len(title) > MAX_TITLE_CHARS:
        raise FormatError(f"the title of {where} is longer than {MAX_TITLE_CHARS} characters")
    return title


def document_from_data(data: Any, arrays: ArrayReader) -> Document:
    """Check untrusted graph data completely, then build the Document (or raise FormatError)."""
    data = expect_keys(data, "the graph", {"nodes", "edges"}, frozenset({"next_ids"}))
    nodes: dict[str, Node] = {}
    for index, raw in enumerate(expect_list(data["nodes"], "the node list")):
        node = _node_from_data(raw, index, arrays)
        if node.id in nodes:
            raise FormatError(f"two nodes have the id {show(node.id)}")
        nodes[node.id] = node
    edges: dict[str, Edge] = {}
    for index, raw in enumerate(expect_list(data["edges"], "the edge list")):
        edge = _edge_from_data(raw, index, nodes)
        if edge.id in edges:
            raise FormatError(f"two edges have the id {show(edge.id)}")
        edges[edge.id] = edge
    doc = Document()
    try:
        for node in nodes.values():
            doc.apply(AddNode(node))
        for edge in edges.values():
            doc.apply(AddEdge(edge))
    except GraphError as error:
        raise FormatError(f"the graph cannot be rebuilt ({error})") from None
    if "next_ids" in data:
        counters = expect_keys(data["next_ids"], "the id counters", {"node", "edge"})
        doc.restore_id_counters(expect_int(counters["node"], "the node id counter", 1, 10**12),
                                expect_int(counters["edge"], "the edge id counter", 1, 10**12))
    return doc


def _node_from_data(raw: Any, index: int, arrays: ArrayReader) -> Node:
    where = f"node {index + 1}"
    raw = expect_keys(raw, where,
                      {"id", "type", "type_version", "title", "position", "params", "values"})
    node_id = expect_id(raw["id"], f"the id of {where}")
    where = f"node {show(node_id)}"
    type_id = expect_text(raw["type"], f"the type of {where}", 100)
    if type_id not in NODE_TYPES:
        raise FormatError(f"{where} has an unknown type {show(type_id)}")
    spec = NODE_TYPES[type_id]
    version = expect_int(raw["type_version"], f"the type version of {where}", 0, 1_000_000)
    if version > spec.version:
        raise FormatError(f"{where} uses version {version} of {type_id}, newer than this "
                          f"NN Studio knows ({spec.version})")
    if version < spec.version:
        raise FormatError(f"{where} uses the old version {version} of {type_id}, which this "
                          "NN Studio cannot convert")
    title = expect_text(raw["title"], f"the title of {where}", MAX_TITLE_CHARS)
    position = expect_list(raw["position"], f"the position of {where}")
    if len(position) != 2:
        raise FormatError(f"the position of {where} should be two numbers")
    x, y = (expect_number(v, f"the position of {where}", MAX_COORDINATE) for v in position)
    params = _params_from_data(raw["params"], spec.type_id, where)
    values_raw = raw["values"]
    if not isinstance(values_raw, dict):
        raise FormatError(f"the values of {where} should be an object")
    values = {}
    for name, ref in values_raw.items():
        expect_id(name, f"a value name of {where}")
        values[name] = arrays.take(ref, f"value {show(name)} of {where} ({spec.title})")
    return Node(node_id, type_id, title, (x, y), params, values)


def _params_from_data(raw: Any, type_id: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FormatError(f"the settings of {where} should be an object")
    spec = NODE_TYPES[type_id]
    known = {p.name: p for p in spec.params}
    params = spec.default_params()
    for name, value in raw.items():
        if name not in known:
            raise FormatError(f"{where} has an unknown setting {show(name)}")
        if isinstance(value, str):
            expect_text(value, f"setting {name!r} of {where}", 1000)
        elif isinstance(value, list | dict):
            raise FormatError(f"setting {name!r} of {where} should be a single value, "
                              f"not {_kind(value)}")
        try:
            params[name] = known[name].coerce(value)
        except GraphError as error:
            raise FormatError(f"setting {name!r} of {where} is wrong ({error})") from None
    return params


def _edge_from_data(raw: Any, index: int, nodes: Mapping[str, Node]) -> Edge:
    where = f"edge {index + 1}"
    raw = expect_keys(raw, where, {"id", "source", "target", "weight"})
    edge_id = expect_id(raw["id"], f"the id of {where}")
    where = f"edge {show(edge_id)}"
    ends = []
    for end in ("source", "target"):
        ref = expect_keys(raw[end], f"the {end} of {where}", {"node", "port"})
        node_id = expect_id(ref["node"], f"the {end} node of {where}")
        port = expect_id(ref["port"], f"the {end} port of {where}")
        if node_id not in nodes:
            raise FormatError(f"{where} refers to a missing node {show(node_id)}")
        node = nodes[node_id]
        spec = NODE_TYPES[node.type_id]
        ports = spec.output_ports(node.params) if end == "source" else spec.input_ports(node.params)
        if port not in {p.name for p in ports}:
            raise FormatError(f"{where} uses a port {show(port)} that node {show(node_id)} "
                              f"({spec.title}) does not have")
        ends.append(PortRef(node_id, port))
    weight = edge_weight_from_data(raw["weight"], f"the weight of {where}")
    return Edge(edge_id, ends[0], ends[1], weight)


# ----------------------------------------------------------------------------- weights


def check_weights_array(array: np.ndarray, where: str) -> np.ndarray:
    """A float array of learned values must be finite and within float32's range (the
    engine computes in float32: a larger value would become infinite only during a run,
    losing it). Checked a million values at a time, so no big temporary array."""
    if array.dtype.kind != "f":
        return array
    flat = array.reshape(-1)
    for start in range(0, flat.size, _CHUNK):
        block = flat[start:start + _CHUNK]
        if not np.isfinite(block).all():
            raise FormatError(f"{where} holds values that are not finite (NaN or infinite)")
        if array.dtype.itemsize > 4 and float(np.abs(block).max()) > FLOAT32_MAX:
            raise FormatError(f"{where} holds values beyond float32's range "
                              f"(±{FLOAT32_MAX:.3g}), which training cannot use")
    return array


def edge_weight_from_data(value: Any, where: str) -> float | None:
    """An edge weight: null, or a number within float32's range."""
    if value is None:
        return None
    if isinstance(value, dict) and "$float" in value:  # NaN or ±Infinity as the file writes it
        raise FormatError(f"{where} is not a finite number (NaN or infinite), which training "
                          "cannot use")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(f"{where} should be a number or null, not {short(value)}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > FLOAT32_MAX:
        raise FormatError(f"{where} is {short(value)}, beyond float32's range "
                          f"(±{FLOAT32_MAX:.3g}), which training cannot use")
    return number
