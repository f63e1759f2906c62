"""Acceptance 3: thousands of damaged project files are rejected with ProjectFileError.

Every mutated file either raises ProjectFileError (one sentence) or loads into a project
that saves and reloads identically; nothing else is raised, and no load takes long. The
mutations are drawn from a seeded generator (plus hypothesis), so failures reproduce.
"""

from __future__ import annotations

import copy
import io
import json
import struct
import time
import zipfile
import zlib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_serialize_samples import npy_bytes, pack, trained_project, unpack

from nnstudio.graph.files.project_file import ProjectFileError, project_from_bytes, project_to_bytes
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.runs import Run

SLOWEST_LOAD_S = 30.0  # a hang guard, not a speed target (loads take milliseconds)


def _small_project() -> Project:
    doc = Document()
    x = doc.add_node("neuron.input_feature")
    b = doc.add_node("neuron.bias")
    n = doc.add_node("neuron.neuron")
    o = doc.add_node("neuron.output")
    doc.connect(x, "out", n, "in", weight=0.5)
    doc.connect(b, "out", n, "in", weight=-1.0)
    doc.connect(n, "out", o, "in")
    return Project(graph=doc, runs=[Run("r1", "Run 1", history=({"epoch": 1, "loss": 0.25},))],
                   active_run="r1",
                   optimizer_state={"meta": {"t": 1}, "arrays": {"m": np.zeros(2)}})


BASES = [project_to_bytes(trained_project()), project_to_bytes(_small_project())]


class Outcome:
    """Counts of what the loader did with the mutated files of one test."""

    def __init__(self) -> None:
        self.rejected = 0
        self.loaded = 0

    def check(self, data: bytes) -> None:
        start = time.perf_counter()
        try:
            project = project_from_bytes(data, "fuzz.nnstudio")
        except ProjectFileError as error:
            message = str(error)
            assert "fuzz.nnstudio" in message and "\n" not in message, message
            self.rejected += 1
        else:
            # A harmless mutation: what loads must save and reload to the same project.
            again = project_to_bytes(project)
            assert project_from_bytes(again).same_as(project)
            self.loaded += 1
        elapsed = time.perf_counter() - start
        assert elapsed < SLOWEST_LOAD_S, f"a load took {elapsed:.1f} s"


# ----------------------------------------------------------------------------- raw bytes


def test_truncated_and_bit_flipped_files() -> None:
    rng = np.random.default_rng(1)
    outcome = Outcome()
    for base in BASES:
        for cut in rng.integers(0, len(base), 300):
            outcome.check(base[:cut])
        for _ in range(400):
            data = bytearray(base)
            for pos in rng.integers(0, len(data), rng.integers(1, 9)):
                data[pos] ^= 1 << int(rng.integers(0, 8))
            outcome.check(bytes(data))
    assert outcome.rejected >= 1000  # truncations can never load


# ----------------------------------------------------------------------------- JSON level

POOL: list[Any] = [None, True, False, 0, -1, 1, 2**70, -(2**70), 1e308, -1e308, 3.5, 1e-320,
                   float("nan"), float("inf"), "", "x", "n1", "out", "a0", "NaN", "x" * 5000,
                   [], {}, [0, 0], [1.5, "a"], {"$float": "NaN"}, {"$float": "bogus"},
                   {"array": "a0", "dtype": "<f4", "shape": [2]},
                   {"node": "n1", "port": "out"}]


DEEP = "<<deeply nested list>>"  # replaced in the JSON text by 10 000 nested lists


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _mutate_json(meta: Any, rng: np.random.Generator, paths: list[tuple] | None = None) -> Any:
    meta = json.loads(json.dumps(meta))  # a deep copy, faster than copy.deepcopy
    paths = paths or [p for p in _paths(meta) if p]
    path = paths[int(rng.integers(len(paths)))]
    parent = meta
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    op = int(rng.integers(6))
    if op == 0:
        del parent[key]
    elif op == 1:
        parent[key] = copy.deepcopy(POOL[int(rng.integers(len(POOL)))])
    elif op == 2:
        parent[key] = DEEP
    elif op == 3 and isinstance(parent, dict):
        parent[f"{key}_"] = parent.pop(key)
    elif op == 4 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif op == 5 and isinstance(parent[key], int | float) and not isinstance(parent[key], bool):
        parent[key] = parent[key] * float(rng.choice([-1, 0.5, 1e12, 1e300]))
    else:
        parent[key] = str(parent[key])[:20]
    return meta


def _repack(base: bytes, json_text: str) -> bytes:
    """``base`` with another project.json (its arrays.npz kept byte for byte)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as old, zipfile.ZipFile(out, "w") as new:
        new.writestr("project.json", json_text.encode("utf-8", "surrogateescape"))
        new.writestr("arrays.npz", old.read("arrays.npz"))
    return out.getvalue()


def test_structural_json_mutations() -> None:
    rng = np.random.default_rng(2)
    outcome = Outcome()
    for base in BASES:
        meta, _arrays = unpack(base)
        paths = [p for p in _paths(meta) if p]
        for _ in range(500):
            mutated = _mutate_json(meta, rng, paths)
            if rng.random() < 0.3:
                mutated = _mutate_json(mutated, rng)
            text = json.dumps(mutated).replace(f'"{DEEP}"', "[" * 10_000 + "]" * 10_000)
            outcome.check(_repack(base, text))
    assert outcome.rejected >= 500 and outcome.loaded >= 10


def test_byte_flips_inside_project_json() -> None:
    rng = np.random.default_rng(3)
    outcome = Outcome()
    for base in BASES:
        meta, _arrays = unpack(base)
        text = bytearray(json.dumps(meta, indent=1).encode())
        for _ in range(300):
            data = bytearray(text)
            for pos in rng.integers(0, len(data), rng.integers(1, 4)):
                data[pos] = int(rng.integers(0, 256))
            outcome.check(_repack(base, data.decode("utf-8", "surrogateescape")))
    assert outcome.rejected >= 300


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values, keep_header=st.booleans())
def test_random_json_documents(value: Any, keep_header: bool) -> None:
    if keep_header and isinstance(value, dict):
        value = {**value, "format": "nnstudio-project", "schema_version": 1}
    Outcome().check(_repack(BASES[1], json.dumps(value)))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    Outcome().check(data)
    Outcome().check(b"PK\x03\x04" + data)


# ----------------------------------------------------------------------------- arrays

BAD_ARRAYS: list[np.ndarray] = [
    np.zeros(3, np.complex128), np.array(["ab", "cd"]), np.zeros(2, "datetime64[s]"),
    np.zeros(2, [("a", "<f4"), ("b", "<i4")]), np.zeros((2, 1, 3, 3), ">f4"),
    np.zeros(0, np.float32), np.zeros((1,) * 9, np.float32), np.zeros((2, 3, 3), np.float32),
    np.zeros(2, np.float16), np.array(3.0),
]


def _mutate_npy(raw: bytes, rng: np.random.Generator) -> bytes | None:
    op = int(rng.integers(6))
    if op == 0:
        return None  # the member goes missing
    if op == 1:
        return npy_bytes(BAD_ARRAYS[int(rng.integers(len(BAD_ARRAYS)))])
    if op == 2:
        return npy_bytes(np.array([None, 1], dtype=object), allow_pickle=True)
    if op == 3:
        return raw[: int(rng.integers(0, len(raw)))]
    data = bytearray(raw)
    end = 128 if op == 4 else len(data)  # op 4: the header, op 5: anywhere
    for pos in rng.integers(0, min(end, len(data)), rng.integers(1, 4)):
        data[pos] = int(rng.integers(0, 256))
    return bytes(data)


def test_array_mutations() -> None:
    rng = np.random.default_rng(4)
    outcome = Outcome()
    for base in BASES:
        meta, arrays = unpack(base)
        names = sorted(arrays)
        for _ in range(300):
            mutated = dict(arrays)
            name = names[int(rng.integers(len(names)))]
            raw = _mutate_npy(arrays[name], rng)
            if raw is None:
                del mutated[name]
            else:
                mutated[name] = raw
            if rng.random() < 0.2:
                mutated[f"a{int(rng.integers(0, 100))}.npy"] = npy_bytes(np.zeros(2))
            outcome.check(pack(meta, mutated))
    assert outcome.rejected >= 300


# ----------------------------------------------------------------------------- zip structure


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, stored data, crc32, declared size, method) per member."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size, method in members:
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, method, 0, 33, crc, len(data), size, len(encoded))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + encoded + data)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0,
                                  0o644 << 16, offset) + encoded)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                          len(central.getvalue()), start, 0))
    return out.getvalue()


def _deflated_zeros(size_mb: int) -> bytes:
    """A raw deflate stream of ``size_mb`` MiB of zeros (about 1 KiB per MiB), made fast."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(2**20)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * size_mb + packer.flush()


CRC_OF_1_GIB_ZEROS = 1533330096  # zlib.crc32(bytes(2**30))


def _zip_cases() -> list[tuple[str, bytes]]:
    meta, arrays = unpack(BASES[1])
    good = pack(meta, arrays)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        json_raw, npz_raw = archive.read("project.json"), archive.read("arrays.npz")
    json_entry = ("project.json", json_raw, zlib.crc32(json_raw), len(json_raw), 0)
    npz_entry = ("arrays.npz", npz_raw, zlib.crc32(npz_raw), len(npz_raw), 0)
    zeros = _deflated_zeros(1024)
    bomb = ("arrays.npz", zeros, CRC_OF_1_GIB_ZEROS, 2**30, 8)
    cases = [
        ("hand-made but valid", _raw_zip([json_entry, npz_entry])),
        ("1 GiB of zeros as arrays.npz", _raw_zip([json_entry, bomb])),
        ("1 GiB of zeros as project.json", _raw_zip(
            [("project.json", zeros, CRC_OF_1_GIB_ZEROS, 2**30, 8), npz_entry])),
        ("zeros that lie about their size", _raw_zip(
            [json_entry, ("arrays.npz", zeros, CRC_OF_1_GIB_ZEROS, 1000, 8)])),
        ("unsupported compression", _raw_zip([json_entry, (*npz_entry[:4], 12)])),
        ("duplicate member", _raw_zip([json_entry, npz_entry, npz_entry])),
        ("directory member", _raw_zip([json_entry, npz_entry, ("x/", b"", 0, 0, 0)])),
        ("extra member", _raw_zip([json_entry, npz_entry, ("run.py", b"x", zlib.crc32(b"x"),
                                                           1, 0)])),
        ("nested archive", pack(meta, {**arrays, "inner.npz": npz_raw})),
        ("zip in place of arrays", _raw_zip([json_entry, ("arrays.npz", good, zlib.crc32(good),
                                                          len(good), 0)])),
        ("empty archive", _raw_zip([])),
        ("only json", _raw_zip([json_entry])),
        ("wrong crc", _raw_zip([json_entry, (npz_entry[0], npz_raw, 1, *npz_entry[3:])])),
    ]
    encrypted = bytearray(_raw_zip([json_entry, npz_entry]))
    central = encrypted.rfind(b"PK\x01\x02")
    encrypted[central + 8] |= 1  # the "encrypted" flag of the second member
    cases.append(("encrypted member", bytes(encrypted)))
    inner_bomb = _raw_zip([("a0.npy", zeros, CRC_OF_1_GIB_ZEROS, 2**30, 8)])
    cases.append(("bomb inside arrays.npz", _raw_zip(
        [json_entry, ("arrays.npz", inner_bomb, zlib.crc32(inner_bomb), len(inner_bomb), 0)])))
    many = {f"a{i}.npy": npy_bytes(np.zeros(1)) for i in range(25_000)}
    cases.append(("too many arrays", pack(meta, many)))
    return cases


def test_zip_structure_attacks_are_rejected_fast() -> None:
    cases = _zip_cases()
    assert project_from_bytes(cases[0][1]).same_as(_small_project())
    for label, data in cases[1:]:
        start = time.perf_counter()
        with pytest.raises(ProjectFileError):
            project_from_bytes(data, "fuzz.nnstudio")
        assert time.perf_counter() - start < SLOWEST_LOAD_S, label


def test_the_bomb_is_real() -> None:
    # The zip-bomb fixture really unpacks to 1 GiB of zeros (checked on a 1 MiB slice).
    stream = zlib.decompressobj(-15)
    head = stream.decompress(_deflated_zeros(1024), 2**20)
    assert head == bytes(2**20) and len(_deflated_zeros(1024)) < 2**21
