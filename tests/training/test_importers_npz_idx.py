"""NPZ and IDX import on files the tests write, good and broken."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnstudio.training.datasets import DatasetError, import_idx, import_npz, read_idx

# ---------------------------------------------------------------- NPZ


def test_npz_classification_and_names(tmp_path: Path) -> None:
    path = tmp_path / "set.npz"
    np.savez(
        path,
        X=np.arange(12, dtype=np.float64).reshape(6, 2),
        y=np.array([0, 2, 1, 2, 0, 1]),
        feature_names=np.array(["u", "v"]),
        class_names=np.array(["a", "b", "c"]),
    )
    ds = import_npz(path)
    assert ds.task == "classification" and ds.x.dtype == np.float32 and ds.y.dtype == np.int64
    assert ds.feature_names == ("u", "v") and ds.class_names == ("a", "b", "c")
    assert ds.name == "set"


def test_npz_regression_images_and_explicit_task(tmp_path: Path) -> None:
    np.savez_compressed(tmp_path / "r.npz", X=np.ones((5, 3)), y=np.linspace(0, 1, 5))
    reg = import_npz(tmp_path / "r.npz")
    assert reg.task == "regression" and reg.y.shape == (5, 1) and reg.feature_names[0] == "x1"
    np.savez(tmp_path / "img.npz", X=np.zeros((4, 6, 6), np.uint8), y=np.array([1, 0, 1, 0]))
    img = import_npz(tmp_path / "img.npz")
    assert img.x.shape == (4, 1, 6, 6) and img.feature_names == ()
    np.savez(
        tmp_path / "b.npz",
        X=np.ones((3, 1)),
        y=np.array([[0.0], [1.0], [1.0]]),
        task=np.array("binary"),
    )
    assert import_npz(tmp_path / "b.npz").task == "binary"


def test_npz_missing_x(tmp_path: Path) -> None:
    path = tmp_path / "nox.npz"
    np.savez(path, inputs=np.ones((3, 2)), y=np.zeros(3))
    with pytest.raises(
        DatasetError, match=r"nox\.npz has no array 'X' \(arrays found: inputs, y\)"
    ):
        import_npz(path)


def test_npz_object_arrays_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "obj.npz"
    np.savez(path, X=np.array([[1.0], [2.0]]), y=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(DatasetError, match=r"Array 'y' in .*obj\.npz holds Python objects") as info:
        import_npz(path)
    assert info.value.array == "y"


def test_npz_mismatched_lengths(tmp_path: Path) -> None:
    path = tmp_path / "len.npz"
    np.savez(path, X=np.ones((5, 2)), y=np.zeros(4, dtype=np.int64))
    with pytest.raises(DatasetError, match=r"len\.npz have different lengths \(5 and 4\)"):
        import_npz(path)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"X": np.ones((2, 2, 2, 2, 2)), "y": np.zeros(2)}, "has shape"),
        ({"X": np.array([[np.nan], [1.0]]), "y": np.zeros(2)}, "NaN"),
        ({"X": np.ones((2, 1)), "y": np.array([-1, 0])}, "non-negative integer"),
        ({"X": np.ones((2, 1)), "y": np.zeros(2), "task": np.array("fun")}, "unknown task"),
        (
            {"X": np.ones((2, 1)), "y": np.array([0.5, 1.0]), "task": np.array("binary")},
            "must be 0 or 1",
        ),
    ],
)
def test_npz_bad_arrays(tmp_path: Path, arrays: dict[str, Any], message: str) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError, match=message) as info:
        import_npz(path)
    assert "bad.npz" in str(info.value)


def test_npz_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DatasetError, match=r"junk\.npz is not a readable NPZ archive"):
        import_npz(tmp_path / "junk.npz")
    np.save(tmp_path / "single.npy", np.ones(3))
    with pytest.raises(DatasetError, match="single array"):
        import_npz(tmp_path / "single.npy")


# ---------------------------------------------------------------- IDX


def _idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    big_endian = array.astype(array.dtype.newbyteorder(">"))
    return header + big_endian.tobytes()


def _write_pair(tmp_path: Path, n: int = 5, gz: bool = False) -> tuple[Path, Path, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 4, 3), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = np.array([3, 0, 1, 3, 2][:n], dtype=np.uint8)
    suffix = ".gz" if gz else ""
    img_path = tmp_path / f"train-images-idx3-ubyte{suffix}"
    lab_path = tmp_path / f"train-labels-idx1-ubyte{suffix}"
    opener = gzip.compress if gz else bytes
    img_path.write_bytes(opener(_idx_bytes(images)))
    lab_path.write_bytes(opener(_idx_bytes(labels)))
    return img_path, lab_path, images


@pytest.mark.parametrize("gz", [False, True])
def test_idx_raw_and_gzipped(tmp_path: Path, gz: bool) -> None:
    img_path, lab_path, images = _write_pair(tmp_path, gz=gz)
    ds = import_idx(img_path, lab_path)
    assert ds.x.shape == (5, 1, 4, 3) and ds.x.dtype == np.float32
    np.testing.assert_allclose(ds.x[:, 0], images / 255.0, rtol=1e-6)
    assert ds.x.min() == 0.0 and ds.x.max() == 1.0
    assert ds.y.tolist() == [3, 0, 1, 3, 2] and ds.class_names == ("0", "1", "2", "3")
    assert ds.name == "train" and ds.signature().input_shape == (1, 4, 3)


def test_read_idx_other_types(tmp_path: Path) -> None:
    values = np.array([[1.5, -2.0], [3.25, 0.0]], dtype=np.float32)
    (tmp_path / "f.idx").write_bytes(_idx_bytes(values, 0x0D))
    out = read_idx(tmp_path / "f.idx")
    np.testing.assert_array_equal(out, values)
    ints = np.array([70000, -5], dtype=np.int32)
    (tmp_path / "i.idx").write_bytes(_idx_bytes(ints, 0x0C))
    np.testing.assert_array_equal(read_idx(tmp_path / "i.idx"), ints)


def test_idx_bad_magic_number(tmp_path: Path) -> None:
    img_path, lab_path, _ = _write_pair(tmp_path)
    raw = bytearray(img_path.read_bytes())
    raw[2] = 0x42
    img_path.write_bytes(bytes(raw))
    with pytest.raises(
        DatasetError,
        match=r"train-images-idx3-ubyte is not an IDX images file "
        r"\(bad magic number 0x00004203\)",
    ):
        import_idx(img_path, lab_path)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_truncated_file(tmp_path: Path, gz: bool) -> None:
    img_path, lab_path, _ = _write_pair(tmp_path)
    raw = img_path.read_bytes()[:-7]
    img_path.write_bytes(gzip.compress(raw) if gz else raw)
    with pytest.raises(
        DatasetError,
        match=r"is truncated: its header announces shape \(5, 4, 3\) "
        r"\(60 bytes\) but only 53 bytes follow",
    ):
        import_idx(img_path, lab_path)


def test_idx_truncated_gzip_stream_and_short_header(tmp_path: Path) -> None:
    img_path, lab_path, _ = _write_pair(tmp_path, gz=True)
    img_path.write_bytes(img_path.read_bytes()[:-10])
    with pytest.raises(DatasetError, match=r"gzipped IDX images file .* damaged or truncated"):
        import_idx(img_path, lab_path)
    lab_path.write_bytes(b"\x00\x00")
    with pytest.raises(DatasetError, match="too short to hold a header"):
        read_idx(lab_path, "labels")
    lab_path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(DatasetError, match="truncated header"):
        read_idx(lab_path, "labels")


def test_idx_count_mismatch(tmp_path: Path) -> None:
    img_path, lab_path, _ = _write_pair(tmp_path)
    lab_path.write_bytes(_idx_bytes(np.array([1, 2, 3], dtype=np.uint8)))
    with pytest.raises(
        DatasetError,
        match=r"has 3 labels but the images file "
        r"train-images-idx3-ubyte has 5 images",
    ):
        import_idx(img_path, lab_path)


def test_idx_wrong_shapes_and_missing_file(tmp_path: Path) -> None:
    img_path, lab_path, _ = _write_pair(tmp_path)
    with pytest.raises(DatasetError, match=r"expected \(N, H, W\)"):
        import_idx(lab_path, lab_path)
    img_path.write_bytes(img_path.read_bytes() + b"xx")
    with pytest.raises(DatasetError, match="2 unexpected bytes after its data"):
        import_idx(img_path, lab_path)
    with pytest.raises(DatasetError, match="does not exist"):
        import_idx(tmp_path / "nothing", lab_path)


def test_new_project_from_either_idx_file(tmp_path: Path) -> None:
    from nnstudio.training.new_project import new_project_from_data
    from nnstudio.training.settings import TrainingError

    img_path, lab_path, _ = _write_pair(tmp_path, gz=True)
    for given in (img_path, lab_path):
        project = new_project_from_data(given, hidden=(4,), project_dir=tmp_path)
        assert project.dataset == {"source": "idx", "images": img_path.name,
                                   "labels": lab_path.name}
        inputs = [n for n in project.graph.nodes.values() if n.type_id == "layer.input"]
        params = inputs[0].params
        assert (params["kind"], params["channels"], params["height"], params["width"]) == (
            "image", 1, 4, 3)
    lab_path.unlink()
    with pytest.raises(TrainingError, match="Cannot find the IDX file that belongs to"):
        new_project_from_data(img_path)


def test_idx_pixels_become_float32_in_one_step(tmp_path: Path) -> None:
    img_path, lab_path, images = _write_pair(tmp_path)
    ds = import_idx(img_path, lab_path)
    assert ds.x.dtype == np.float32 and ds.x.flags.c_contiguous
    np.testing.assert_array_equal(ds.x[:, 0], (images / np.float32(255)).astype(np.float32))


def test_npz_float64_inputs_are_read_into_float32(tmp_path: Path) -> None:
    path = tmp_path / "f64.npz"
    x = np.random.default_rng(0).normal(size=(50, 7))
    np.savez_compressed(path, X=x, y=np.arange(50) % 2)
    ds = import_npz(path)
    assert ds.x.dtype == np.float32 and ds.x.flags.c_contiguous
    np.testing.assert_array_equal(ds.x, x.astype(np.float32))
