"""A generator of malformed data files: CSV, NPZ, IDX (raw and gzipped) and special files.

    cases = make_data_cases(folder, seed=0, count=150)
    for case in cases: load_dataset(case.spec) ...   # or: nnstudio new OUT --data case.path

Every case is a file (or a pair of IDX files) written into ``folder`` and the dataset spec
that reads it. ``expect`` says what a correct loader does: ``"refuse"`` (a DatasetError
sentence naming the file), ``"load"`` (a Dataset) or ``"either"`` (random mutations, where
both are fine as long as nothing else happens). Hand-written cases cover each class of
problem of issue 16; seeded random mutations of valid files (byte flips, cuts, inserted
quotes and delimiters) fill up to ``count``. The same seed always gives the same files.
Other fuzzers may reuse the helpers (``idx_bytes``, ``npy_member``, ``gzip_bomb``).
"""

from __future__ import annotations

import gzip
import io
import os
import socket
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MB = 2**20


@dataclass(frozen=True)
class DataCase:
    """One malformed (or valid) data input: its name, file kind, spec and expectation."""

    name: str
    kind: str  # "csv", "npz", "idx" or "special"
    spec: dict[str, Any]
    expect: str  # "refuse", "load" or "either"
    files: tuple[Path, ...] = field(default=())

    @property
    def path(self) -> Path:
        """The file a command line would be given (the images file for IDX)."""
        return self.files[0]


# --- helpers other fuzzers may reuse -----------------------------------------------------


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file holding ``array`` (big-endian values after the header)."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def npy_member(array: np.ndarray | None = None, header: dict[str, Any] | None = None,
               body: bytes | None = None, version: tuple[int, int] = (1, 0)) -> bytes:
    """The bytes of a ``.npy`` member: ``array`` written normally, or a hand-made header
    (``descr``, ``fortran_order``, ``shape``) followed by ``body``."""
    out = io.BytesIO()
    if header is None:
        assert array is not None
        np.lib.format.write_array(out, array, allow_pickle=True)
        return out.getvalue()
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(out, header)
    else:
        np.lib.format.write_array_header_2_0(out, header)
    return out.getvalue() + (body or b"")


def write_npz(path: Path, members: dict[str, bytes],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """An NPZ (zip) archive with the given ``.npy`` members (names without ``.npy``)."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name if name.endswith(".npy") else f"{name}.npy", data)
    return path


def gzip_bomb(path: Path, head: bytes, zeros: int) -> Path:
    """``head`` then ``zeros`` zero bytes, gzipped as several members (cheap to make:
    1 GB of zeros costs about 1 MB on disk)."""
    block = gzip.compress(b"\0" * (16 * MB), compresslevel=9)
    with path.open("wb") as stream:
        stream.write(gzip.compress(head))
        for _ in range(zeros // (16 * MB)):
            stream.write(block)
    return path


def flip_bytes(data: bytes, rng: np.random.Generator, count: int) -> bytes:
    """``data`` with ``count`` random bytes replaced by random values."""
    out = bytearray(data)
    for _ in range(count):
        if out:
            out[int(rng.integers(len(out)))] = int(rng.integers(256))
    return bytes(out)


# --- valid bases ------------------------------------------------------------------------


def flowers_csv(n: int = 60, seed: int = 0) -> str:
    """A valid CSV: header, three numeric features, a text class of three values."""
    rng = np.random.default_rng(seed)
    lines = ["a,b,c,species"]
    for i in range(n):
        k = i % 3
        x = rng.normal(k, 0.3, 3)
        lines.append(f"{x[0]:.3f},{x[1]:.3f},{x[2]:.3f},{('setosa', 'versi', 'virg')[k]}")
    return "\n".join(lines) + "\n"


def _npz_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"X": rng.normal(size=(40, 3)), "y": np.arange(40) % 4}


def _idx_pair(rng: np.random.Generator, n: int = 20) -> tuple[bytes, bytes]:
    images = rng.integers(0, 256, size=(n, 6, 5), dtype=np.uint8)
    labels = (np.arange(n) % 3).astype(np.uint8)
    return idx_bytes(images), idx_bytes(labels)


# --- the cases --------------------------------------------------------------------------


class _Maker:
    def __init__(self, folder: Path, seed: int) -> None:
        self.folder = folder
        self.rng = np.random.default_rng(seed)
        self.cases: list[DataCase] = []

    def _file(self, name: str, data: bytes | str) -> Path:
        path = self.folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def csv(self, name: str, data: bytes | str, expect: str = "refuse",
            **options: Any) -> None:
        path = self._file(f"{name}.csv", data)
        spec = {"source": "csv", "path": str(path), **options}
        self.cases.append(DataCase(f"csv-{name}", "csv", spec, expect, (path,)))

    def npz_file(self, name: str, path: Path, expect: str = "refuse") -> None:
        spec = {"source": "npz", "path": str(path)}
        self.cases.append(DataCase(f"npz-{name}", "npz", spec, expect, (path,)))

    def npz(self, name: str, members: dict[str, bytes], expect: str = "refuse") -> None:
        self.npz_file(name, write_npz(self.folder / f"{name}.npz", members), expect)

    def npz_arrays(self, name: str, arrays: dict[str, Any], expect: str = "refuse") -> None:
        path = self.folder / f"{name}.npz"
        np.savez(path, **arrays)
        self.npz_file(name, path, expect)

    def idx(self, name: str, images: bytes, labels: bytes, expect: str = "refuse",
            gz: bool = False, compress: bool = True) -> None:
        suffix = ".gz" if gz else ""
        pack: Callable[[bytes], bytes] = gzip.compress if gz and compress else bytes
        image_path = self._file(f"{name}-images-idx3-ubyte{suffix}", pack(images))
        label_path = self._file(f"{name}-labels-idx1-ubyte{suffix}", pack(labels))
        spec = {"source": "idx", "images": str(image_path), "labels": str(label_path)}
        self.cases.append(DataCase(f"idx-{name}", "idx", spec, expect,
                                   (image_path, label_path)))

    def special(self, name: str, path: Path, source: str = "csv") -> None:
        spec = ({"source": "idx", "images": str(path), "labels": str(path)}
                if source == "idx" else {"source": source, "path": str(path)})
        self.cases.append(DataCase(f"special-{name}-{source}", "special", spec, "refuse",
                                   (path,)))


def _csv_cases(m: _Maker) -> None:
    good = flowers_csv()
    lines = good.splitlines()
    m.csv("valid", good, "load")
    m.csv("valid-crlf-bom-blank", "\ufeff" + "\r\n".join([*lines[:20], "", "  ", *lines[20:]]),
          "load")
    m.csv("unterminated-quote", "\n".join([*lines[:5], '1,2,3,"setosa', *lines[5:]]))
    m.csv("unterminated-quote-last", good + '1,2,"3')
    m.csv("stray-quote", "\n".join([*lines[:7], '1,2"2,3,versi', *lines[7:]]))
    m.csv("text-after-quote", "\n".join([*lines[:7], '1,"2"x,3,versi', *lines[7:]]))
    m.csv("ragged-short", "\n".join([*lines[:9], "1,2,versi", *lines[9:]]))
    m.csv("ragged-long", "\n".join([*lines[:9], "1,2,3,4,versi", *lines[9:]]))
    m.csv("duplicate-header", good.replace("a,b,c,", "a,b,a,", 1))
    for i, cell in enumerate(["1_000", "١٢", "0x10", '"1,5"', "1 000", "1e", "--1", "True"]):
        m.csv(f"ambiguous-number-{i}", "\n".join([*lines[:4], f"{cell},2,3,virg", *lines[4:]]))
    m.csv("underscore-target", "a,price\n" + "".join(f"{i},{1000 + i}\n" for i in range(30))
          + "31,2_000\n")
    for i, cell in enumerate(["inf", "-Infinity", "1e39", "nan", "NA", "", "?", "null"]):
        m.csv(f"bad-value-{i}", "\n".join([*lines[:3], f"1,{cell},3,virg", *lines[3:]]))
    m.csv("missing-target", "\n".join([*lines[:3], "1,2,3,", *lines[3:]]))
    m.csv("nul-byte", good.replace("\n1", "\n\x001", 1))
    m.csv("invalid-utf8", good.encode() + b"1,2,3,caf\xe9\n")
    m.csv("cr-only", good.replace("\n", "\r"))
    m.csv("lone-cr", "\n".join([*lines[:6], "1,2\r,3,virg", *lines[6:]]))
    m.csv("empty", "")
    m.csv("blank-lines-only", "\n \n\t\n")
    m.csv("header-only", "a,b,label\n")
    m.csv("one-column", "label\nx\ny\nx\n")
    m.csv("single-class", "a,label\n" + "".join(f"{i},same\n" for i in range(20)))
    m.csv("4000-digits", "a,label\n" + "9" * 4000 + ",x\n2,y\n3,x\n")
    m.csv("200k-field", "a,label\n" + "1" * 200_000 + ",x\n2,y\n")
    m.csv("200k-text-unused", "note,a,label\n" + "n" * 200_000 + ",1,x\nm,2,y\nk,3,x\n",
          "load", feature_columns=["a"])
    m.csv("many-classes", "a,label\n" + "".join(f"{i},c{i}\n" for i in range(12_000)))
    m.csv("wide-10000", ",".join(f"p{i}" for i in range(10_000)) + "\n"
          + "".join(",".join(str((r + i) % 7) for i in range(10_000)) + "\n" for r in range(8)),
          "load")
    m.csv("binary-garbage", bytes(m.rng.integers(0, 256, 4000, dtype=np.uint8)), "either")
    m.csv("bad-column-name", good, target_column="price")
    m.csv("bad-column-number", good, feature_columns=[99])
    m.csv("column-chosen-twice", good, feature_columns=["a", "a"])
    m.csv("target-as-feature", good, feature_columns=["a", "species"],
          target_column="species")
    m.csv("binary-three-classes", good, task="binary")
    m.csv("wrong-types", good, feature_columns=5)
    m.csv("wrong-header-type", good, header="yes")
    m.csv("unknown-task", good, task="clustering")
    m.csv("long-name-" + "n" * 200, good[:200], "either")


def _npz_cases(m: _Maker) -> None:
    arrays = _npz_arrays()
    m.npz_arrays("valid", arrays, "load")
    path = m.folder / "valid-compressed.npz"
    np.savez_compressed(path, **arrays)
    raw = path.read_bytes()
    m.npz_file("valid-compressed", path, "load")
    for cut in (0, 10, 60, len(raw) // 3, len(raw) // 2, len(raw) - 30, len(raw) - 2):
        m.npz_file(f"truncated-{cut}", m._file(f"truncated-{cut}.npz", raw[:cut]))
    m.npz_file("not-zip", m._file("not-zip.npz", b"PK\x03\x04 this is not a zip archive"))
    m.npz_file("npy-renamed", m._file("npy-renamed.npz", npy_member(np.ones(3))))
    m.npz("empty-archive", {})
    m.npz("no-x", {"inputs": npy_member(np.ones((3, 2))), "y": npy_member(np.zeros(3))})
    m.npz("no-y", {"X": npy_member(np.ones((3, 2)))})
    m.npz("object-y", {"X": npy_member(np.ones((2, 1))),
                       "y": npy_member(np.array([{"a": 1}, None], dtype=object))})
    m.npz("lengths", {"X": npy_member(np.ones((5, 2))), "y": npy_member(np.zeros(4, int))})
    def xy(x: Any, y: Any, **more: np.ndarray) -> dict[str, bytes]:
        arrays = {"X": np.asarray(x), "y": np.asarray(y), **more}
        return {key: npy_member(value) for key, value in arrays.items()}

    m.npz("label-1e9", xy(np.zeros((2, 1), np.float32), [0, 10**9]))
    m.npz("label-negative", xy(np.zeros((2, 1)), [0, -3]))
    m.npz("single-class", xy(np.zeros((6, 1)), np.zeros(6, int)))
    m.npz("x-nan", xy([[np.nan], [1.0]], [0, 1]))
    m.npz("x-1e300", xy([[1e300], [1.0]], [0, 1]))
    m.npz("y-1e300", xy(np.ones((2, 1)), [1e300, 1.0]))
    m.npz("x-5d", xy(np.ones((2, 1, 1, 1, 1)), [0, 1]))
    m.npz("x-strings", xy([["a"], ["b"]], [0, 1]))
    m.npz("x-structured", xy(np.zeros(2, dtype=[("a", "f8")]), [0, 1]))
    m.npz("class-names-short", xy(np.ones((3, 1)), [0, 1, 2], class_names=np.array(["a", "b"])))
    m.npz("unknown-task", {"X": npy_member(np.ones((2, 1))), "y": npy_member(np.array([0, 1])),
                           "task": npy_member(np.array("clustering"))})
    m.npz("huge-shape", {"X": npy_member(header={"descr": "<f8", "fortran_order": False,
                                                 "shape": (1_250_000_000, 1)}, body=b"\0" * 64),
                         "y": npy_member(np.zeros(2, int))})
    m.npz("shape-lies", {"X": npy_member(header={"descr": "<f8", "fortran_order": False,
                                                 "shape": (4, 2)}, body=b"\0" * 16),
                         "y": npy_member(np.arange(4) % 2)})
    m.npz("npy-version-3", {"X": b"\x93NUMPY\x03\x00" + b"\x10\x00\x00\x00" + b" " * 16,
                            "y": npy_member(np.arange(2))})
    m.npz("bad-magic", {"X": b"not an npy member at all", "y": npy_member(np.arange(2))})
    m.npz("header-too-long", {"X": b"\x93NUMPY\x01\x00\xff\xff" + b" " * 70_000,
                              "y": npy_member(np.arange(2))})
    m.npz("many-members", {f"m{i}": npy_member(np.zeros(1)) for i in range(200)}
          | {"X": npy_member(np.ones((2, 1))), "y": npy_member(np.array([0, 1]))})
    m.npz_arrays("fortran-order", {"X": np.asfortranarray(np.arange(12.0).reshape(4, 3)),
                                   "y": np.array([0, 1, 0, 1])}, "load")
    m.npz_arrays("bool-x-images", {"X": np.ones((4, 3, 3), bool), "y": np.array([0, 1, 1, 0])},
                 "load")


def _idx_cases(m: _Maker) -> None:
    images, labels = _idx_pair(m.rng)
    m.idx("valid", images, labels, "load")
    m.idx("valid-gz", images, labels, "load", gz=True)
    m.idx("bad-magic", b"\x00\x00\x42\x03" + images[4:], labels)
    m.idx("short-header", images[:3], labels)
    m.idx("truncated-dims", images[:9], labels)
    m.idx("truncated-data", images[:-7], labels)
    m.idx("truncated-data-gz", images[:-7], labels, gz=True)
    m.idx("extra-bytes", images + b"xx", labels)
    m.idx("ndim-zero", b"\x00\x00\x08\x00", labels)
    m.idx("count-mismatch", images, idx_bytes(np.arange(7, dtype=np.uint8)))
    m.idx("label-1e9", images, idx_bytes(np.array([3] * 19 + [10**9], np.int32), 0x0C))
    m.idx("label-negative", images, idx_bytes(np.array([0] * 19 + [-1], np.int8), 0x09))
    m.idx("label-float", images, idx_bytes(np.zeros(20, np.float32), 0x0D))
    m.idx("single-class", images, idx_bytes(np.zeros(20, np.uint8)))
    m.idx("images-float", idx_bytes(np.zeros((20, 6, 5), np.float32), 0x0D), labels)
    m.idx("images-4d", idx_bytes(np.zeros((20, 1, 6, 5), np.uint8)), labels)
    m.idx("zero-images", idx_bytes(np.zeros((0, 6, 5), np.uint8)),
          idx_bytes(np.zeros(0, np.uint8)))
    m.idx("huge-dims", bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 2**16, 2**16), labels)
    m.idx("huge-dims-gz", bytes([0, 0, 8, 3]) + struct.pack(">3I", 60000, 2**16, 2**16) + b"x",
          labels, gz=True)
    m.idx("255-dims", bytes([0, 0, 8, 255]) + b"\xff" * (4 * 255), labels)
    m.idx("8-huge-dims", bytes([0, 0, 8, 8]) + b"\xff" * 32, labels)
    m.idx("not-gzip-named-gz", images, labels, "load", gz=True, compress=False)
    gz = gzip.compress(images)
    m.idx("gz-truncated", gz[:-10], gzip.compress(labels), gz=True, compress=False)
    m.idx("gz-corrupt", flip_bytes(gz[:20], m.rng, 0) + flip_bytes(gz[20:], m.rng, 6),
          gzip.compress(labels), gz=True, compress=False)
    bomb = gzip_bomb(m.folder / "bomb-labels-idx1-ubyte.gz", labels, 256 * MB)
    image_path = m._file("bomb-images-idx3-ubyte.gz", gzip.compress(images))
    m.cases.append(DataCase("idx-gzip-bomb", "idx", {"source": "idx", "images": str(image_path),
                                                     "labels": str(bomb)}, "refuse",
                            (image_path, bomb)))


def _special_cases(m: _Maker) -> None:
    if os.name != "posix":
        return
    for device in ("/dev/zero", "/dev/urandom", "/dev/null"):
        for source in ("csv", "npz", "idx"):
            m.special(device.rsplit("/", 1)[1], Path(device), source)
    fifo = m.folder / "fifo.csv"
    os.mkfifo(fifo)
    for source in ("csv", "npz", "idx"):
        m.special("fifo", fifo, source)
    folder = m.folder / "folder.csv"
    folder.mkdir()
    m.special("folder", folder)
    link = m.folder / "link-to-zero.csv"
    link.symlink_to("/dev/zero")
    m.special("symlink-to-dev-zero", link)
    if len(str(m.folder / "sock.csv")) < 100:
        sock = m.folder / "sock.csv"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(sock))
        server.close()  # the socket file stays
        m.special("socket", sock)
    m.special("missing", m.folder / "missing.csv")
    m.special("too-long-name", m.folder / ("x" * 300 + ".csv"))


def _mutants(m: _Maker, count: int) -> None:
    """Random mutations of valid files until ``count`` cases exist."""
    good_csv = flowers_csv().encode()
    npz_path = m.folder / "base.npz"
    np.savez_compressed(npz_path, **_npz_arrays())
    good_npz = npz_path.read_bytes()
    images, labels = _idx_pair(np.random.default_rng(1))
    i = 0
    while len(m.cases) < count:
        choice = i % 4
        if choice == 0:
            m.csv(f"mutant-{i}", flip_bytes(good_csv, m.rng, int(m.rng.integers(1, 12))),
                  "either")
        elif choice == 1:
            text = bytearray(good_csv)
            for _ in range(int(m.rng.integers(1, 6))):
                text.insert(int(m.rng.integers(len(text))), int(m.rng.choice(list(b'",;\n\r\t'))))
            m.csv(f"mutant-{i}", bytes(text), "either")
        elif choice == 2:
            mutant = flip_bytes(good_npz, m.rng, int(m.rng.integers(1, 10)))
            m.npz_file(f"mutant-{i}", m._file(f"mutant-{i}.npz", mutant), "either")
        else:
            m.idx(f"mutant{i}", flip_bytes(images, m.rng, int(m.rng.integers(1, 6))),
                  flip_bytes(labels, m.rng, int(m.rng.integers(0, 3))), "either",
                  gz=bool(i % 8 == 3))
        i += 1


def make_data_cases(folder: Path, seed: int = 0, count: int = 150) -> list[DataCase]:
    """Write the cases into ``folder`` (which must exist and be empty) and return them."""
    maker = _Maker(Path(folder), seed)
    _csv_cases(maker)
    _npz_cases(maker)
    _idx_cases(maker)
    _special_cases(maker)
    _mutants(maker, count)
    return maker.cases


__all__ = ["DataCase", "flip_bytes", "flowers_csv", "gzip_bomb", "idx_bytes",
           "make_data_cases", "npy_member", "write_npz"]
