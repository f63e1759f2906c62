"""Hostile data files (issue 16): special files, huge labels, bombs, unexpected errors.

Inputs that could hang or exhaust memory run in a child process (``hostile_files.isolated``)
with a time limit and an address-space cap, so a regression fails the test instead of the
machine. Every rejection must be a ``DatasetError`` whose sentence names the file.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import socket
import struct
import tempfile
import textwrap
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hostile_files.isolated import run_python

from nnstudio.training.datasets import DatasetError, import_csv, import_idx, import_npz, one_hot

MB = 2**20

LOAD_AND_REPORT = textwrap.dedent("""
    import json, sys
    from nnstudio.training.datasets import DatasetError, load_dataset
    results = []
    for spec in json.loads(sys.argv[1] if len(sys.argv) > 1 else {specs!r}):
        try:
            ds = load_dataset(spec)
            results.append(["loaded", ds.n_samples])
        except DatasetError as error:
            results.append(["refused", str(error)])
    print(json.dumps(results))
""")


def load_in_child(specs: list[dict[str, str]], timeout_s: float = 30.0,
                  memory: int = 2 * 2**30) -> tuple[list[list[object]], int]:
    """load_dataset(spec) for each spec in a capped child: ([outcome, detail], peak RSS)."""
    code = LOAD_AND_REPORT.format(specs=json.dumps(specs))
    outcome = run_python(code, timeout_s=timeout_s, address_space_bytes=memory)
    assert not outcome.timed_out, f"loading {specs} hung for {timeout_s} s"
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr and "Warning" not in outcome.stderr, outcome.stderr
    return json.loads(outcome.stdout), outcome.peak_rss_bytes


def specs_for(path: str) -> list[dict[str, str]]:
    return [{"source": "csv", "path": path}, {"source": "npz", "path": path},
            {"source": "idx", "images": path, "labels": path}]


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path (a unix socket path must stay under ~100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="nnh"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- item 3: regular files only --------------------------------------------------------


def _special(kind: str, folder: Path) -> tuple[str, object]:
    if kind == "fifo":
        path = folder / "data.csv"
        os.mkfifo(path)
        return str(path), None
    if kind == "directory":
        path = folder / "folder.csv"
        path.mkdir()
        return str(path), None
    if kind == "socket":
        path = folder / "sock.csv"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        return str(path), server
    return f"/dev/{kind}", None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev (POSIX)")
@pytest.mark.parametrize("kind", ["zero", "urandom", "fifo", "directory", "socket"])
def test_special_files_are_refused_at_once(kind: str, short_dir: Path) -> None:
    path, keep = _special(kind, short_dir)
    try:
        results, peak = load_in_child(specs_for(path))
    finally:
        if keep is not None:
            keep.close()  # type: ignore[attr-defined]
    for status, message in results:
        assert status == "refused"
        assert "not a regular file" in str(message) and Path(path).name in str(message)
    assert peak < 500 * MB


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev (POSIX)")
def test_project_path_that_is_a_fifo_or_a_device_is_refused(short_dir: Path) -> None:
    fifo = short_dir / "project.nnstudio"
    os.mkfifo(fifo)
    code = textwrap.dedent(f"""
        from nnstudio.graph.files.project_file import ProjectFileError, load_project
        for path in ({str(fifo)!r}, "/dev/zero", {str(short_dir)!r}):
            try:
                load_project(path)
                print("loaded")
            except ProjectFileError as error:
                print(error)
    """)
    outcome = run_python(code, timeout_s=30, address_space_bytes=2 * 2**30)
    assert not outcome.timed_out, "opening a FIFO as a project hung"
    assert outcome.returncode == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert len(lines) == 3
    assert all("not a regular file" in line for line in lines), lines
    assert "project.nnstudio" in lines[0] and "/dev/zero" in lines[1]
    assert outcome.peak_rss_bytes < 300 * MB  # /dev/zero was not read


# --- item 5: class counts bounded, bombs capped ----------------------------------------


def _idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_npz_label_of_a_billion_is_refused_before_allocating(tmp_path: Path) -> None:
    path = tmp_path / "tiny.npz"
    np.savez(path, X=np.zeros((2, 1), np.float32), y=np.array([0, 10**9], np.int64))
    assert path.stat().st_size < 1000
    results, peak = load_in_child([{"source": "npz", "path": str(path)}], memory=2 * 2**30)
    (status, message), = results
    assert status == "refused"
    assert "tiny.npz" in str(message) and "10,000 classes" in str(message)
    assert peak < 300 * MB


def test_idx_label_of_a_billion_is_refused_before_allocating(tmp_path: Path) -> None:
    images, labels = tmp_path / "t-images-idx3-ubyte", tmp_path / "t-labels-idx1-ubyte"
    images.write_bytes(_idx_bytes(np.zeros((2, 2, 2), np.uint8)))
    labels.write_bytes(_idx_bytes(np.array([3, 10**9], np.int32), 0x0C))
    spec = {"source": "idx", "images": str(images), "labels": str(labels)}
    results, peak = load_in_child([spec], memory=2 * 2**30)
    (status, message), = results
    assert status == "refused"
    assert "t-labels-idx1-ubyte" in str(message) and "10,000 classes" in str(message)
    assert peak < 300 * MB


def test_one_hot_refuses_a_billion_classes_without_allocating() -> None:
    code = textwrap.dedent("""
        import numpy as np
        from nnstudio.training.datasets import DatasetError, one_hot
        try:
            one_hot(np.array([0, 10**9]), 10**9 + 1)
            print("made")
        except DatasetError as error:
            print(error)
    """)
    outcome = run_python(code, address_space_bytes=2 * 2**30)
    assert outcome.returncode == 0, outcome.stderr
    assert "10,000 classes" in outcome.stdout


def test_one_hot_still_encodes_small_label_sets() -> None:
    np.testing.assert_array_equal(one_hot(np.array([1, 0, 2]), 3),
                                  np.eye(3, dtype=np.float32)[[1, 0, 2]])


def _gzip_bomb(path: Path, head: bytes, zeros: int) -> None:
    """head then ``zeros`` zero bytes, gzipped as several members (cheap to make)."""
    block = gzip.compress(b"\0" * (64 * MB), compresslevel=9)
    with path.open("wb") as stream:
        stream.write(gzip.compress(head))
        for _ in range(zeros // (64 * MB)):
            stream.write(block)


def test_gzip_bomb_in_idx_form_is_not_decompressed_whole(tmp_path: Path) -> None:
    images = tmp_path / "bomb-images-idx3-ubyte.gz"
    labels = tmp_path / "bomb-labels-idx1-ubyte.gz"
    images.write_bytes(gzip.compress(_idx_bytes(np.zeros((2, 2, 2), np.uint8))))
    _gzip_bomb(labels, _idx_bytes(np.array([0, 1], np.uint8)), 1024 * MB)
    assert labels.stat().st_size < 4 * MB
    spec = {"source": "idx", "images": str(images), "labels": str(labels)}
    results, peak = load_in_child([spec], memory=3 * 2**30)
    (status, message), = results
    assert status == "refused"
    assert "bomb-labels-idx1-ubyte.gz" in str(message) and "after its data" in str(message)
    assert peak < 300 * MB


def test_idx_header_announcing_a_huge_array_is_refused(tmp_path: Path) -> None:
    images = tmp_path / "huge-images-idx3-ubyte"
    images.write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">3I", 2**31, 2**16, 2**16) + b"xx")
    labels = tmp_path / "huge-labels-idx1-ubyte"
    labels.write_bytes(_idx_bytes(np.array([0, 1], np.uint8)))
    spec = {"source": "idx", "images": str(images), "labels": str(labels)}
    results, peak = load_in_child([spec])
    (status, message), = results
    assert status == "refused" and "huge-images-idx3-ubyte" in str(message)
    assert peak < 300 * MB


def _npz_with_announced_array(path: Path, shape: tuple[int, ...], dtype: str = "<f8") -> None:
    """An NPZ whose X.npy header announces ``shape`` but holds only a few bytes."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": dtype, "fortran_order": False, "shape": shape})
    y = io.BytesIO()
    np.lib.format.write_array(y, np.zeros(2, np.int64))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("X.npy", header.getvalue() + b"\0" * 64)
        archive.writestr("y.npy", y.getvalue())


def test_npz_announcing_ten_gigabytes_is_a_sentence_not_a_memory_error(tmp_path: Path) -> None:
    path = tmp_path / "ten_gb.npz"
    _npz_with_announced_array(path, (1_250_000_000, 1))
    results, peak = load_in_child([{"source": "npz", "path": str(path)}], memory=2 * 2**30)
    (status, message), = results
    assert status == "refused" and "ten_gb.npz" in str(message) and "'X'" in str(message)
    assert peak < 300 * MB


# --- "Unexpected error" cases -----------------------------------------------------------


def test_truncated_npz_is_a_sentence(tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    np.savez_compressed(good, X=np.random.default_rng(0).random((200, 5)), y=np.arange(200) % 3)
    raw = good.read_bytes()
    for cut in (10, 200, len(raw) // 2, len(raw) - 40, len(raw) - 3):
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(raw[:cut])
        with pytest.raises(DatasetError) as info:
            import_npz(path)
        assert path.name in str(info.value)


def test_npz_values_beyond_float32_are_a_sentence_without_warnings(tmp_path: Path) -> None:
    path = tmp_path / "wide.npz"
    np.savez(path, X=np.array([[1.0], [1e300]]), y=np.array([0.5, 1.0]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DatasetError, match=r"wide\.npz.*float32") as info:
            import_npz(path)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert info.value.array == "X"


def test_csv_field_beyond_the_csv_module_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("note,a,label\n" + "n" * 200_000 + ",1,x\nshort,2,y\n", encoding="utf-8")
    assert import_csv(path, feature_columns=["a"]).n_samples == 2  # unused text column: fine
    bad = tmp_path / "long_number.csv"
    bad.write_text("a,label\n" + "1" * 200_000 + ",x\n2,y\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"long_number\.csv, line 2") as info:
        import_csv(bad)
    assert len(str(info.value)) < 400


def test_a_4000_digit_number_is_not_echoed_whole(tmp_path: Path) -> None:
    path = tmp_path / "digits.csv"
    path.write_text("a,label\n" + "9" * 4000 + ",x\n2,y\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        import_csv(path)
    message = str(info.value)
    assert "digits.csv" in message and "line 2" in message and "…" in message
    assert len(message) < 400


def test_very_long_file_names_give_short_sentences(tmp_path: Path) -> None:
    name = "d" * 300 + ".csv"  # longer than a file name may be
    with pytest.raises(DatasetError) as info:
        import_csv(tmp_path / name)
    message = str(info.value)
    assert "ddd" in message and "…" in message and len(message) < 400
    with pytest.raises(DatasetError) as info:
        import_npz(tmp_path / (name + ".npz"))
    assert len(str(info.value)) < 400
    with pytest.raises(DatasetError) as info:
        import_idx(tmp_path / name, tmp_path / name)
    assert len(str(info.value)) < 400


def test_idx_header_with_255_dimensions_is_a_sentence(tmp_path: Path) -> None:
    images = tmp_path / "dims-images-idx3-ubyte"
    images.write_bytes(bytes([0, 0, 8, 255]) + b"\xff" * (4 * 255))
    labels = tmp_path / "dims-labels-idx1-ubyte"
    labels.write_bytes(_idx_bytes(np.array([0, 1], np.uint8)))
    with pytest.raises(DatasetError, match=r"dims-images-idx3-ubyte announces 255 dimensions"):
        import_idx(images, labels)
    images.write_bytes(bytes([0, 0, 8, 8]) + b"\xff" * 32)
    with pytest.raises(DatasetError, match=r"announces shape .* GB\), more than"):
        import_idx(images, labels)
