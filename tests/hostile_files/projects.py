"""A generator of malformed project files, covering each class of issue 16.

    cases = make_project_cases(seed=0, count=720)
    paths = write_cases(folder, cases)        # NNN-name.nnstudio, plus the data they name

Each ``ProjectCase`` is the bytes of a ``.nnstudio`` file, a class (what kind of damage),
and ``expect``: ``"refuse"`` (a correct loader refuses it with a sentence), ``"open"`` (it
opens) or ``"either"`` (random damage: both are fine as long as nothing else happens).
Hand-written cases come first, one family per class; seeded random mutations of the JSON
tree and of the raw bytes fill up to ``count``. The same seed always gives the same files.

The valid bases are trained for an epoch or two when first needed (cached per process), so
they hold every part a file can have: learned arrays, edge weights, runs with histories and
stored weights, optimizer state and a bagging ensemble.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import math
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.graph.files.project_file import project_to_bytes

Meta = dict[str, Any]
Arrays = dict[str, bytes]

CLASSES = ("huge-int", "wrong-type", "float", "text", "memory", "weights", "history",
           "runs", "dataset", "structure", "random-json", "random-bytes")
HUGE_INTS = [2**31, 2**63, 10**12, 10**39, -1, -(2**40)]
WRONG_TYPES: list[Any] = ["7", "", None, [], {}, [1, 2], {"a": 1}, True, False, 1.5]
EXTREME_FLOATS = [1e308, -1e308, 5e-324, 1e39, -3.5e38, 1e-30, 0.0, -0.0]
HOSTILE_TEXT = ["\ud800", "a\udfffb", "\udbff\udbff", "x" * 100_000, "\x00\x01\x1b[31m",
                "\u202eevil\u202c", "line\nbreak\r\n", "9" * 4000, "🙂" * 300, "\ufeff"]


@dataclass(frozen=True)
class ProjectCase:
    """One malformed (or valid) project file."""

    name: str
    klass: str
    data: bytes
    expect: str  # "refuse", "open" or "either"


# --- packing ----------------------------------------------------------------------------


def unpack(data: bytes) -> tuple[Meta, Arrays]:
    """project.json as data, and the raw ``.npy`` members of arrays.npz."""
    with zipfile.ZipFile(io.BytesIO(data)) as outer:
        meta = json.loads(outer.read("project.json"))
        with zipfile.ZipFile(io.BytesIO(outer.read("arrays.npz"))) as inner:
            arrays = {name: inner.read(name) for name in inner.namelist()}
    return meta, arrays


def pack(meta: Meta | str, arrays: Arrays) -> bytes:
    """A project file of ``meta`` (data, or JSON text as is) and ``.npy`` members. JSON is
    written ASCII-only, so lone surrogates travel as ``\\udxxx`` escapes."""
    text = meta if isinstance(meta, str) else json.dumps(meta)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, member in arrays.items():
            archive.writestr(name, member)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", text.encode("utf-8", "surrogatepass"))
        archive.writestr("arrays.npz", inner.getvalue())
    return out.getvalue()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


# --- valid bases ------------------------------------------------------------------------


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUN_TIME = "2026-12-03T04:05:06Z"


def _trained(example: str, epochs: int, **training: Any) -> bytes:
    """An example trained for ``epochs`` (one run with history, weights and optimizer
    state), then a second run started, so the file holds two run records."""
    from nnstudio.graph.files.project_file import load_project
    from nnstudio.training import Trainer
    from nnstudio.training.runs import begin_run, run_project

    project = load_project(EXAMPLES / f"{example}.nnstudio")
    project.training.update(training)
    for new in (False, True):
        start = begin_run(project, new=new)
        trainer = Trainer(run_project(project, start))
        for _ in trainer.run(epochs=epochs):
            pass
        trainer.apply_to(project, start)
    project.runs = [dataclasses.replace(run, started=RUN_TIME, ended=RUN_TIME)
                    for run in project.runs]  # the same bytes every time
    return project_to_bytes(project)


@cache
def bases() -> dict[str, bytes]:
    """Valid files: hand-drawn neurons (edge weights), a CNN (conv, pool, batch norm
    arrays), a bagging ensemble, and an untrained example."""
    return {
        "neurons": _trained("xor", 2, batch_size=64),
        "cnn": _trained("digits_cnn", 1, batch_size=128),
        "bagging": _trained("bagging", 1, bagging_members=2),
        "plain": (EXAMPLES / "spiral_regularization.nnstudio").read_bytes(),
    }


# --- the cases --------------------------------------------------------------------------


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.cases: list[ProjectCase] = []
        self.bases = {name: unpack(data) for name, data in bases().items()}

    def add(self, name: str, klass: str, expect: str, base: str,
            change: Callable[[Meta, Arrays], Any]) -> None:
        meta, arrays = copy.deepcopy(self.bases[base])
        result = change(meta, arrays)
        data = result if isinstance(result, bytes) else pack(meta, arrays)
        self.cases.append(ProjectCase(f"{klass}-{name}-{base}", klass, data, expect))

    def raw(self, name: str, klass: str, expect: str, data: bytes) -> None:
        self.cases.append(ProjectCase(f"{klass}-{name}", klass, data, expect))


def _node(meta: Meta, type_id: str) -> Meta:
    return next(n for n in meta["graph"]["nodes"] if n["type"] == type_id)


def _set(meta: Meta, path: tuple[Any, ...], value: Any) -> None:
    target = meta
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _training_cases(m: _Maker) -> None:
    from nnstudio.graph.model.fields import TRAINING_FIELDS

    for name, field in TRAINING_FIELDS.items():
        if field.kind == "int":
            values: list[Any] = [*HUGE_INTS, 0.5, "12", None, [3]]
        elif field.kind == "float":
            values = [1e308, -1e308, -5.0, "0.1", None, [0.1], True]
        elif field.kind == "bool":
            values = [1, "true", None, {}]
        else:
            values = ["SGD", "x" * 5000, 3, None, "\ud800"]
        for k, value in enumerate(values):
            klass = "huge-int" if value in HUGE_INTS and not isinstance(value, bool) \
                else "float" if isinstance(value, float) else "wrong-type"
            m.add(f"training-{name}-{k}", klass, "refuse", "neurons",
                  lambda meta, a, n=name, v=value: meta["training"].update({n: v}))
    m.add("training-unknown-key", "wrong-type", "refuse", "plain",
          lambda meta, a: meta["training"].update(surprise=1))
    m.add("training-as-list", "wrong-type", "refuse", "plain",
          lambda meta, a: meta.update(training=[1, 2]))
    m.add("training-largest", "huge-int", "open", "plain",
          lambda meta, a: meta["training"].update(epochs=1_000_000, batch_size=1_000_000,
                                                  bagging_members=50, lr=1e6))
    m.add("training-val-plus-test", "float", "open", "plain",
          lambda meta, a: meta["training"].update(val_fraction=0.6, test_fraction=0.5))
    for k, seed in enumerate([2**31, 2**64, -1, "1", 1.5, None]):
        m.add(f"seed-{k}", "huge-int" if isinstance(seed, int) else "wrong-type", "refuse",
              "neurons", lambda meta, a, s=seed: meta.update(seed=s))
    m.add("run-seed", "huge-int", "refuse", "neurons",
          lambda meta, a: meta["runs"][0].update(seed=2**40))
    m.add("run-settings", "huge-int", "refuse", "neurons",
          lambda meta, a: meta["runs"][0]["settings"].update(epochs=10**15))


def _node_cases(m: _Maker) -> None:
    from nnstudio.graph.model.registry import NODE_TYPES

    for base in ("neurons", "cnn", "plain"):
        meta = m.bases[base][0]
        seen = set()
        for node in meta["graph"]["nodes"]:
            kind = NODE_TYPES[node["type"]]
            for spec in kind.params:
                if spec.kind not in ("int", "float") or (node["type"], spec.name) in seen:
                    continue
                seen.add((node["type"], spec.name))
                pool = [10**9, 2**31, -5, 1e300, "many", [1], None] if spec.kind == "int" \
                    else [1e300, -1e300, "half", True, [0.5]]
                for k, value in enumerate(pool):
                    klass = "huge-int" if isinstance(value, int) and not isinstance(
                        value, bool) else "float" if isinstance(value, float) else "wrong-type"
                    m.add(f"param-{node['type']}-{spec.name}-{k}", klass, "refuse", base,
                          lambda meta, a, i=node["id"], n=spec.name, v=value: next(
                              x for x in meta["graph"]["nodes"] if x["id"] == i
                          )["params"].update({n: v}))

    def split(size: Any) -> Callable[[Meta, Arrays], None]:
        def change(meta: Meta, arrays: Arrays) -> None:
            meta["graph"]["nodes"].append({
                "id": "n999", "type": "layer.split", "type_version": 1, "title": "Split",
                "position": [0.0, 0.0], "params": {"size": size}, "values": {}})
        return change

    for k, size in enumerate([10**9, 1e9, 1025, 1024, 2**62]):
        m.add(f"split-size-{k}", "huge-int", "open" if size == 1024 else "refuse",
              "neurons", split(size))
    m.add("position-huge", "float", "refuse", "neurons",
          lambda meta, a: meta["graph"]["nodes"][0].update(position=[1e300, 0.0]))
    m.add("position-text", "wrong-type", "refuse", "neurons",
          lambda meta, a: meta["graph"]["nodes"][0].update(position=["1", 2]))
    m.add("id-counter-huge", "huge-int", "refuse", "neurons",
          lambda meta, a: meta["graph"].update(next_ids={"node": 10**30, "edge": 1}))
    m.add("type-version-huge", "huge-int", "refuse", "neurons",
          lambda meta, a: meta["graph"]["nodes"][0].update(type_version=10**20))
    m.add("schema-huge", "huge-int", "refuse", "neurons",
          lambda meta, a: meta.update(schema_version=10**30))
    m.add("weights-limit-huge", "huge-int", "refuse", "neurons",
          lambda meta, a: meta.update(run_weights_limit_mb=10**12))


def _float_cases(m: _Maker) -> None:
    for k, value in enumerate(EXTREME_FLOATS):
        fits = abs(value) <= 3.4028234663852886e38
        m.add(f"edge-weight-{k}", "float", "open" if fits else "refuse", "neurons",
              lambda meta, a, v=value: meta["graph"]["edges"][0].update(weight=v))
    m.add("edge-weight-text", "wrong-type", "refuse", "neurons",
          lambda meta, a: meta["graph"]["edges"][0].update(weight="0.5"))
    m.add("edge-weight-float32-max", "float", "open", "neurons",
          lambda meta, a: meta["graph"]["edges"][1].update(weight=3.4028234663852886e38))
    m.add("json-nan", "float", "refuse", "neurons",
          lambda meta, a: pack(json.dumps(meta).replace('"lr": 0.05', '"lr": NaN'), a))
    m.add("json-inf-literal", "float", "refuse", "neurons",
          lambda meta, a: pack(json.dumps(meta).replace('"seed": 1', '"seed": 1e999'), a))
    m.add("json-4000-digits", "huge-int", "refuse", "neurons",
          lambda meta, a: pack(json.dumps(meta).replace('"seed": 1', '"seed": ' + "9" * 4000),
                               a))
    m.add("json-4000-digit-float", "float", "either", "neurons",
          lambda meta, a: pack(json.dumps(meta).replace('"lr": 0.05',
                                                        '"lr": 0.' + "0" * 4000 + "5"), a))
    m.add("history-1e30-losses", "float", "open", "neurons",
          lambda meta, a: [r.update(train_loss=1e30, val_loss=-1e30)
                           for r in meta["runs"][0]["history"]])
    m.add("history-float-nan", "float", "open", "neurons",
          lambda meta, a: meta["runs"][0]["history"][0].update(train_loss={"$float": "NaN"}))


def _text_cases(m: _Maker) -> None:
    places: list[tuple[str, Callable[[Meta, Any], None]]] = [
        ("title", lambda meta, t: meta["graph"]["nodes"][0].update(title=t)),
        ("name", lambda meta, t: meta.update(name=t)),
        ("description", lambda meta, t: meta.update(description=t)),
        ("run-name", lambda meta, t: meta["runs"][0].update(name=t)),
        ("run-message", lambda meta, t: meta["runs"][0].update(message=t)),
        ("history-key", lambda meta, t: meta["runs"][0]["history"][0].update({t: 1.0})),
        ("ui-key", lambda meta, t: meta["ui"].update({t: t})),
        ("optimizer-meta", lambda meta, t: meta["optimizer_state"].update(meta={"x": t})),
    ]
    for where, put in places:
        for k, text in enumerate(HOSTILE_TEXT):
            long = len(text) > 100
            expect = "either" if long or where in ("history-key",) else "open"
            m.add(f"{where}-{k}", "text", expect, "neurons",
                  lambda meta, a, p=put, t=text: p(meta, t))
    m.add("invalid-utf8", "text", "refuse", "neurons",
          lambda meta, a: _raw_json(json.dumps(meta).encode().replace(b'"XOR', b'"\xff\xfe'),
                                    a))
    m.add("title-1001", "text", "refuse", "neurons",
          lambda meta, a: meta["graph"]["nodes"][0].update(title="t" * 1001))


def _raw_json(text: bytes, arrays: Arrays) -> bytes:
    data = pack("{}", arrays)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        new.writestr("project.json", text)
        new.writestr("arrays.npz", old.read("arrays.npz"))
    return out.getvalue()


def _memory_cases(m: _Maker) -> None:
    def dense(units: int, features: int) -> Callable[[Meta, Arrays], None]:
        """The first Dense layer gets ``units``; the data ``features`` (a Flatten-free
        vector input of that many features)."""
        def change(meta: Meta, arrays: Arrays) -> None:
            _node(meta, "layer.input")["params"].update(features=features)
            _node(meta, "layer.dense")["params"]["units"] = units
        return change

    for units, features in [(20_000, 20_000), (1_000_000, 2), (100_000, 100_000),
                            (50_000, 1_000)]:
        m.add(f"dense-{units}x{features}", "memory", "open", "plain", dense(units, features))

    def image(channels: int, side: int, filters: int) -> Callable[[Meta, Arrays], None]:
        def change(meta: Meta, arrays: Arrays) -> None:
            _node(meta, "layer.input")["params"].update(channels=channels, height=side,
                                                         width=side)
            for node in meta["graph"]["nodes"]:
                if node["type"] == "layer.conv2d":
                    node["params"]["out_channels"] = filters
        return change

    for channels, side, filters in [(3, 100_000, 8), (100_000, 8, 100_000), (1, 5000, 512)]:
        m.add(f"image-{channels}x{side}-{filters}", "memory", "open", "cnn",
              image(channels, side, filters))
    m.add("batch-million-samples", "memory", "open", "plain",
          lambda meta, a: (meta["dataset"].update(params={"n_samples": 1_000_000}),
                           meta["training"].update(batch_size=0)))
    m.add("bagging-50-wide", "memory", "open", "plain",
          lambda meta, a: (meta["training"].update(bagging_members=50),
                           dense(5000, 2)(meta, a)))
    m.add("bagging-million", "memory", "refuse", "bagging",
          lambda meta, a: meta["training"].update(bagging_members=1_000_000))
    m.add("samples-billion", "memory", "refuse", "plain",
          lambda meta, a: meta["dataset"].update(params={"n_samples": 10**9}))
    m.add("samples-over-generator", "memory", "open", "plain",
          lambda meta, a: meta["dataset"].update(params={"n_samples": 999_999}))


def _array_refs(meta: Meta) -> Iterator[dict[str, Any]]:
    for node in meta["graph"]["nodes"]:
        yield from node["values"].values()


def _weights_cases(m: _Maker) -> None:
    def replace_array(value: np.ndarray, index: int = 0) -> Callable[[Meta, Arrays], None]:
        def change(meta: Meta, arrays: Arrays) -> None:
            ref = list(_array_refs(meta))[index]
            ref.update(dtype=value.dtype.str, shape=list(value.shape))
            arrays[f"{ref['array']}.npy"] = npy(value)
        return change

    def mutate_array(fn: Callable[[np.ndarray], np.ndarray],
                     index: int = 0) -> Callable[[Meta, Arrays], None]:
        def change(meta: Meta, arrays: Arrays) -> None:
            ref = list(_array_refs(meta))[index]
            old = np.load(io.BytesIO(arrays[f"{ref['array']}.npy"]))
            replace_array(fn(old), index)(meta, arrays)
        return change

    def poke(value: float) -> Callable[[np.ndarray], np.ndarray]:
        def fn(old: np.ndarray) -> np.ndarray:
            new = old.astype(np.float64)
            new.reshape(-1)[0] = value
            return new
        return fn

    for base in ("cnn", "bagging"):
        for k, value in enumerate([math.nan, math.inf, 1e39, 1e300]):
            m.add(f"array-{k}", "weights", "refuse", base, mutate_array(poke(value)))
        m.add("array-1e30-in-float64", "weights", "open", base, mutate_array(poke(1e30)))
        m.add("array-float32-max", "weights", "open", base,
              mutate_array(lambda old: np.full_like(old, np.finfo(np.float32).max)))
        m.add("array-wrong-shape", "weights", "open", base,
              mutate_array(lambda old: np.zeros((old.size + 3,), old.dtype)))
        m.add("array-transposed", "weights", "open", base,
              mutate_array(lambda old: np.ascontiguousarray(old.reshape(-1)[::-1])))
        m.add("array-int", "weights", "open", base,
              mutate_array(lambda old: np.ones(old.shape, np.int64)))
        m.add("array-bool", "weights", "open", base,
              mutate_array(lambda old: np.ones(old.shape, bool)))
        m.add("array-0d", "weights", "open", base, replace_array(np.array(1.5)))
        m.add("array-8d", "weights", "open", base,
              replace_array(np.zeros((1,) * 8, np.float32)))
        m.add("array-empty", "weights", "open", base, replace_array(np.zeros((0, 3))))
        m.add("array-float16", "weights", "open", base,
              mutate_array(lambda old: old.astype(np.float16)))
        m.add("array-complex", "weights", "refuse", base,
              mutate_array(lambda old: old.astype(np.complex64)))
        m.add("array-object", "weights", "refuse", base,
              lambda meta, a: a.update({"a0.npy": _pickled()}))
        m.add("array-header-huge", "weights", "refuse", base,
              lambda meta, a: a.update({"a0.npy": _huge_header()}))
        m.add("array-unreferenced", "weights", "refuse", base,
              lambda meta, a: a.update({"a99999.npy": npy(np.zeros(3))}))
        m.add("array-missing", "weights", "refuse", base,
              lambda meta, a: a.pop(sorted(a)[0]))
    m.add("edge-weight-beyond-float32", "weights", "refuse", "neurons",
          lambda meta, a: meta["graph"]["edges"][0].update(weight=1e39))
    m.add("optimizer-arrays-nan", "weights", "open", "neurons", _optimizer_nan)
    m.add("optimizer-meta-junk", "weights", "open", "neurons",
          lambda meta, a: meta["optimizer_state"].update(
              meta={"name": "adam", "steps": {"x": "y"}, "state": [1, {"a": None}]}))
    m.add("optimizer-meta-deep", "weights", "refuse", "neurons",
          lambda meta, a: meta["optimizer_state"].update(meta=_deep(40)))
    m.add("ensemble-wrong-keys", "weights", "open", "bagging", _ensemble_rename)


def _pickled() -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.array([object()], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def _huge_header() -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f4", "fortran_order": False, "shape": (10**9, 10**9)})
    return buffer.getvalue()


def _optimizer_nan(meta: Meta, arrays: Arrays) -> None:
    refs = meta["optimizer_state"].get("arrays", {})
    for ref in refs.values():
        value = np.load(io.BytesIO(arrays[f"{ref['array']}.npy"]))
        value = value.astype(np.float32)
        value.reshape(-1)[:1] = np.nan
        arrays[f"{ref['array']}.npy"] = npy(value)
        ref.update(dtype=value.dtype.str)
        return


def _ensemble_rename(meta: Meta, arrays: Arrays) -> None:
    for member in meta["ensemble"]:
        for key in list(member):
            member[key + "x"] = member.pop(key)


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"d": value}
    return value


def _history_cases(m: _Maker) -> None:
    records: list[tuple[str, Callable[[list[Any]], None]]] = [
        ("string-loss", lambda h: h[0].update(train_loss="low")),
        ("list-record", lambda h: h.append([1, 2, 3])),
        ("null-record", lambda h: h.append(None)),
        ("no-epoch", lambda h: h[0].pop("epoch")),
        ("epoch-text", lambda h: h[0].update(epoch="1")),
        ("epoch-float", lambda h: h[0].update(epoch=1.5)),
        ("epoch-negative", lambda h: h[0].update(epoch=-3)),
        ("epoch-huge", lambda h: h[0].update(epoch=10**18)),
        ("member-text", lambda h: h[0].update(member="a")),
        ("nested-metric", lambda h: h[0].update(val_accuracy={"a": 1})),
        ("list-metric", lambda h: h[0].update(val_accuracy=[0.5])),
        ("bool-metric", lambda h: h[0].update(val_accuracy=True)),
        ("huge-int-metric", lambda h: h[0].update(val_loss=10**30)),
        ("many-keys", lambda h: h[0].update({f"k{i}": 1.0 for i in range(10_001)})),
        ("many-records", lambda h: h.extend({"epoch": i, "train_loss": 1.0}
                                            for i in range(3, 20_003))),
        ("epochs-unordered", lambda h: h.reverse()),
        ("duplicate-epochs", lambda h: h.extend(copy.deepcopy(h))),
        ("inf-loss", lambda h: h[0].update(train_loss={"$float": "Infinity"})),
        ("empty", lambda h: h.clear()),
        ("best-epoch-huge", lambda h: h[0].update(best_epoch=10**12)),
    ]
    refused = {"string-loss", "list-record", "null-record", "no-epoch", "epoch-text",
               "epoch-float", "epoch-negative", "epoch-huge", "member-text", "nested-metric",
               "list-metric", "bool-metric", "huge-int-metric", "many-keys", "best-epoch-huge"}
    for name, change in records:
        m.add(name, "history", "refuse" if name in refused else "open", "neurons",
              lambda meta, a, c=change: c(meta["runs"][0]["history"]))
    m.add("schema1-history-bad", "history", "refuse", "neurons", _schema1_history)


def _schema1_history(meta: Meta, arrays: Arrays) -> None:
    meta["schema_version"] = 1
    meta["history"] = [{"epoch": "one", "train_loss": []}]
    for key in ("runs", "active_run", "run_weights_limit_mb"):
        meta.pop(key, None)
    meta["optimizer_state"] = {}
    for name in list(arrays):
        used = {ref["array"] for ref in _array_refs(meta)}
        for member in meta.get("ensemble", []):
            used |= {ref["array"] for ref in member.values()}
        if name[:-4] not in used:
            arrays.pop(name)


def _runs_cases(m: _Maker) -> None:
    cases: list[tuple[str, str, Callable[[Meta, Arrays], Any]]] = [
        ("active-missing", "refuse", lambda meta, a: meta.update(active_run="r99")),
        ("duplicate-ids", "refuse", lambda meta, a: meta["runs"][1].update(id="r1")),
        ("bad-id", "refuse", lambda meta, a: meta["runs"][0].update(id="run one")),
        ("parent-unknown", "refuse", lambda meta, a: meta["runs"][1].update(parent="r77")),
        ("parent-self", "open", lambda meta, a: meta["runs"][0].update(parent="r1")),
        ("outcome-unknown", "refuse", lambda meta, a: meta["runs"][0].update(outcome="won")),
        ("time-bad", "refuse", lambda meta, a: meta["runs"][0].update(started="yesterday")),
        ("runs-as-object", "refuse", lambda meta, a: meta.update(runs={"r1": {}})),
        ("too-many-runs", "refuse", lambda meta, a: meta["runs"].extend(
            {"id": f"r{i}", "name": "x"} for i in range(3, 1100))),
        ("weights-unknown-node", "open", _run_weights_rename),
        ("weights-edge-nan", "refuse", lambda meta, a: _run_edge(meta, {"$float": "NaN"})),
        ("weights-edge-huge", "refuse", lambda meta, a: _run_edge(meta, 1e39)),
        ("network-junk", "refuse", lambda meta, a: meta["runs"][0].update(
            network={"n1": [1, 2]})),
        ("network-unknown-type", "open", lambda meta, a: meta["runs"][0].update(
            network={"n1": {"type": "alien", "title": 5, "params": {"x": [1]}}})),
        ("fingerprint-long", "refuse", lambda meta, a: meta["runs"][0].update(
            fingerprint="f" * 65)),
        ("dataset-junk", "refuse", lambda meta, a: meta["runs"][0].update(
            dataset={"source": "ftp"})),
        ("preprocessing-junk", "open", lambda meta, a: meta.update(
            preprocessing={"scaler": {"kind": "standardize", "mean": "x"}})),
        ("preprocessing-wrong-size", "open", lambda meta, a: meta.update(
            preprocessing={"scaler": {"kind": "standardize", "mean": [0.0] * 7,
                                      "std": [1.0] * 7}})),
    ]
    for name, expect, change in cases:
        m.add(name, "runs", expect, "neurons", change)


def _run_weights_rename(meta: Meta, arrays: Arrays) -> None:
    for run in meta["runs"]:
        weights = run.get("weights") or {}
        values = weights.get("values", {})
        for key in list(values):
            values["n999"] = values.pop(key)
            return


def _run_edge(meta: Meta, value: Any) -> None:
    for run in meta["runs"]:
        weights = run.get("weights")
        if weights and weights.get("edge_weights"):
            key = next(iter(weights["edge_weights"]))
            weights["edge_weights"][key] = value
            return
    meta["runs"][0]["weights"] = {"edge_weights": {"e1": value}}


def _dataset_cases(m: _Maker, folder_hint: str = "data") -> None:
    specs: list[tuple[str, str, Any]] = [
        ("unknown-source", "refuse", {"source": "http", "path": "x"}),
        ("no-source", "refuse", {"path": "x.csv"}),
        ("extra-key", "refuse", {"source": "npz", "path": "a.npz", "evil": 1}),
        ("name-number", "refuse", {"source": "builtin", "name": 5}),
        ("builtin-unknown", "open", {"source": "builtin", "name": "imagenet"}),
        ("builtin-param-text", "refuse", {"source": "builtin", "name": "xor",
                                          "params": {"noise": "loud"}}),
        ("builtin-noise-huge", "refuse", {"source": "builtin", "name": "xor",
                                          "params": {"noise": 1e30}}),
        ("builtin-noise-50", "open", {"source": "builtin", "name": "xor",
                                      "params": {"noise": 50.0}}),
        ("builtin-unknown-param", "open", {"source": "builtin", "name": "xor",
                                           "params": {"colour": 1}}),
        ("builtin-params-list", "refuse", {"source": "builtin", "name": "xor",
                                           "params": [1]}),
        ("builtin-task-weird", "open", {"source": "builtin", "name": "xor", "task": "poetry"}),
        ("dev-zero", "open", {"source": "csv", "path": "/dev/zero"}),
        ("dev-urandom", "open", {"source": "npz", "path": "/dev/urandom"}),
        ("idx-dev-zero", "open", {"source": "idx", "images": "/dev/zero",
                                  "labels": "/dev/zero"}),
        ("folder", "open", {"source": "csv", "path": "/"}),
        ("fifo", "open", {"source": "csv", "path": f"{folder_hint}/fifo"}),
        ("missing", "open", {"source": "npz", "path": "nowhere/none.npz"}),
        ("nul-in-path", "refuse", {"source": "csv", "path": "a\x00b.csv"}),
        ("path-long", "refuse", {"source": "csv", "path": "p" * 5000}),
        ("path-255", "open", {"source": "csv", "path": "p" * 255 + ".csv"}),
        ("path-number", "refuse", {"source": "npz", "path": 12}),
        ("tilde-user", "open", {"source": "npz", "path": "~nosuchuser/x.npz"}),
        ("csv-valid", "open", {"source": "csv", "path": f"{folder_hint}/flowers.csv",
                               "target_column": "species"}),
        ("csv-columns-huge", "refuse", {"source": "csv", "path": f"{folder_hint}/flowers.csv",
                                        "feature_columns": [10**12]}),
        ("csv-columns-many", "refuse", {"source": "csv",
                                        "path": f"{folder_hint}/flowers.csv",
                                        "feature_columns": list(range(100_001))}),
        ("csv-columns-object", "refuse", {"source": "csv",
                                          "path": f"{folder_hint}/flowers.csv",
                                          "feature_columns": [{"a": 1}]}),
        ("csv-target-unknown", "open", {"source": "csv", "path": f"{folder_hint}/flowers.csv",
                                        "target_column": "nope"}),
        ("csv-header-text", "refuse", {"source": "csv", "path": f"{folder_hint}/flowers.csv",
                                       "header": "yes"}),
        ("csv-kind-weird", "open", {"source": "csv", "path": f"{folder_hint}/flowers.csv",
                                    "target_kind": "poetry"}),
        ("spec-as-list", "refuse", ["builtin"]),
    ]
    for name, expect, spec in specs:
        m.add(name, "dataset", expect, "plain", lambda meta, a, s=spec: meta.update(dataset=s))


def _structure_cases(m: _Maker) -> None:
    good = bases()["neurons"]
    meta, arrays = unpack(good)
    m.raw("empty-file", "structure", "refuse", b"")
    m.raw("not-zip", "structure", "refuse", b"hello, world\n" * 10)
    m.raw("json-only", "structure", "refuse", json.dumps(meta).encode())
    m.raw("zip-no-json", "structure", "refuse", _zip({"arrays.npz": b""}))
    m.raw("zip-extra-member", "structure", "refuse",
          _zip({"project.json": json.dumps(meta).encode(), "arrays.npz": _npz(arrays),
                "evil.py": b"print('hi')"}))
    m.raw("json-array-top", "structure", "refuse", pack("[1, 2]", arrays))
    m.raw("json-trailing", "structure", "refuse", pack(json.dumps(meta) + " {}", arrays))
    m.raw("json-deep", "structure", "refuse", pack("[" * 100_000 + "]" * 100_000, arrays))
    m.raw("format-other", "structure", "refuse", pack({**meta, "format": "other"}, arrays))
    m.raw("schema-newer", "structure", "refuse", pack({**meta, "schema_version": 3}, arrays))
    m.raw("schema-negative", "structure", "refuse", pack({**meta, "schema_version": -1}, arrays))
    m.raw("schema-text", "structure", "refuse", pack({**meta, "schema_version": "2"}, arrays))
    m.raw("unknown-top-key", "structure", "refuse", pack({**meta, "macro": "x"}, arrays))
    m.raw("graph-list", "structure", "refuse", pack({**meta, "graph": []}, arrays))
    m.raw("zip-bomb-json", "structure", "refuse",
          _zip({"project.json": b" " * (64 * 2**20), "arrays.npz": _npz(arrays)}))
    m.raw("nested-zip", "structure", "refuse", _zip({"project.json": good,
                                                     "arrays.npz": good}))
    for k, cut in enumerate([10, 100, len(good) // 2, len(good) - 30, len(good) - 1]):
        m.raw(f"truncated-{k}", "structure", "refuse", good[:cut])


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _npz(arrays: Arrays) -> bytes:
    return _zip(arrays)


# --- random mutations -------------------------------------------------------------------


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:6]):
            yield from _paths(item, (*path, index))


def _random_value(rng: np.random.Generator) -> Any:
    pools: list[list[Any]] = [HUGE_INTS, WRONG_TYPES, EXTREME_FLOATS, HOSTILE_TEXT[:3],
                              [0, 1, -1, 2, 3, 1024, 1025, 50, 51]]
    pool = pools[int(rng.integers(len(pools)))]
    return pool[int(rng.integers(len(pool)))]


def _random_json(m: _Maker, count: int) -> None:
    names = sorted(m.bases)
    for k in range(count):
        base = names[k % len(names)]
        meta = m.bases[base][0]
        paths = [p for p in _paths(meta) if p]
        path = paths[int(m.rng.integers(len(paths)))]
        value = _random_value(m.rng)
        m.add(f"{k}", "random-json", "either", base,
              lambda meta, a, p=path, v=value: _set(meta, p, v))


def _random_bytes(m: _Maker, count: int) -> None:
    names = sorted(m.bases)
    for k in range(count):
        data = bytearray(bases()[names[k % len(names)]])
        for _ in range(int(m.rng.integers(1, 8))):
            data[int(m.rng.integers(len(data)))] = int(m.rng.integers(256))
        m.raw(f"{k}", "random-bytes", "either", bytes(data))


def make_project_cases(seed: int = 0, count: int = 720) -> list[ProjectCase]:
    """At least ``count`` cases: every hand-written one, then random mutations (two JSON
    mutations for each byte mutation) up to ``count``."""
    m = _Maker(seed)
    for family in (_training_cases, _node_cases, _float_cases, _text_cases, _memory_cases,
                   _weights_cases, _history_cases, _runs_cases, _dataset_cases,
                   _structure_cases):
        family(m)
    missing = max(count - len(m.cases), 0)
    _random_json(m, missing - missing // 3)
    _random_bytes(m, missing // 3)
    return m.cases


def sample(cases: list[ProjectCase], size: int, seed: int = 0) -> list[ProjectCase]:
    """``size`` cases spread over the classes (each class at least once)."""
    rng = np.random.default_rng(seed)
    by_class: dict[str, list[ProjectCase]] = {}
    for case in cases:
        by_class.setdefault(case.klass, []).append(case)
    picked: list[ProjectCase] = []
    share = max(size // len(by_class), 1)
    for group in by_class.values():
        order = rng.permutation(len(group))[:share]
        picked += [group[i] for i in sorted(order)]
    rest = [c for c in cases if c not in picked]
    extra = rng.permutation(len(rest))[:max(size - len(picked), 0)]
    return picked + [rest[i] for i in sorted(extra)]


def write_cases(folder: Path, cases: list[ProjectCase]) -> list[Path]:
    """Write each case as ``NNN-name.nnstudio`` into ``folder``, with the data files the
    dataset cases name (``data/flowers.csv``, a FIFO ``data/fifo``)."""
    from hostile_files.data_files import flowers_csv

    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "flowers.csv").write_text(flowers_csv(), encoding="utf-8")
    fifo = data / "fifo"
    if hasattr(os, "mkfifo") and not fifo.exists():
        os.mkfifo(fifo)
    paths = []
    for index, case in enumerate(cases):
        path = folder / f"{index:03d}-{case.name[:80]}.nnstudio"
        path.write_bytes(case.data)
        paths.append(path)
    return paths
