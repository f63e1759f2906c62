"""CSV import on files the tests write, good and broken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnstudio.training.datasets import DatasetError, import_csv


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_numeric_features_and_string_classes(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "length,width,species\n1.5,0.2,setosa\n4.7,1.4,versicolor\n"
        "1.4,0.3,setosa\n\n5.1,1.9,virginica\n",
    )
    ds = import_csv(path)
    assert ds.task == "classification" and ds.name == "data"
    assert ds.feature_names == ("length", "width")
    assert ds.class_names == ("setosa", "versicolor", "virginica")
    assert ds.y.tolist() == [0, 1, 0, 2] and ds.y.dtype == np.int64
    np.testing.assert_allclose(ds.x, [[1.5, 0.2], [4.7, 1.4], [1.4, 0.3], [5.1, 1.9]], rtol=1e-6)
    assert ds.x.dtype == np.float32


def test_no_header_uses_last_column_as_numeric_target(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{i * 0.5},{i * 1.25 + 0.1}" for i in range(10))
    ds = import_csv(_write(tmp_path, rows))
    assert ds.feature_names == ("column 1", "column 2")
    assert ds.task == "regression" and ds.y.shape == (10, 1) and ds.y.dtype == np.float32
    assert ds.n_samples == 10  # the first row is data, not a header
    np.testing.assert_allclose(ds.y[:, 0], np.arange(10) * 1.25 + 0.1, rtol=1e-6)


def test_chosen_columns_by_name_and_index(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "id,a,b,c,label\n1,10,20,30,0\n2,11,21,31,1\n3,12,22,32,0\n4,13,23,33,1\n"
    )
    ds = import_csv(path, feature_columns=["c", 1], target_column="label")
    assert ds.feature_names == ("c", "a")
    np.testing.assert_array_equal(ds.x[0], [30, 10])
    assert ds.task == "classification" and ds.class_names == ("0", "1")
    as_binary = import_csv(path, feature_columns=["a"], target_column=4, task="binary")
    assert as_binary.task == "binary" and as_binary.y[:, 0].tolist() == [0, 1, 0, 1]
    numeric = import_csv(path, feature_columns=["a"], target_kind="numeric")
    assert numeric.task == "regression"
    multi = import_csv(path, feature_columns=["a"], target_column=["b", "c"])
    assert multi.task == "regression" and multi.y.shape == (4, 2)


def test_numeric_class_labels_sort_numerically(tmp_path: Path) -> None:
    rows = "x,digit\n" + "\n".join(f"{i},{d}" for i, d in enumerate([10, 2, 9, 2, 10, 9] * 2))
    ds = import_csv(_write(tmp_path, rows))
    assert ds.task == "classification" and ds.class_names == ("2", "9", "10")
    assert ds.y[:3].tolist() == [2, 0, 1]


def test_semicolon_delimiter_and_header_override(tmp_path: Path) -> None:
    ds = import_csv(_write(tmp_path, "1;2;3.5\n4;5;6.5\n7;8;9.5\n"), header=False)
    assert ds.x.shape == (3, 2) and ds.task == "regression"


@pytest.mark.parametrize("token", ["", "NA", "nan", "N/A"])
def test_missing_feature_value_names_line_and_column(tmp_path: Path, token: str) -> None:
    path = _write(tmp_path, f"age,income,label\n30,1000,yes\n41,{token},no\n25,900,yes\n")
    with pytest.raises(DatasetError) as info:
        import_csv(path)
    message = str(info.value)
    assert "data.csv" in message and "line 3" in message and "'income'" in message
    assert "missing value" in message
    assert info.value.line == 3 and info.value.column == "income"


def test_missing_target_value(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,label\n1,x\n2,NA\n3,y\n")
    with pytest.raises(DatasetError, match=r"line 3 has a missing value in target column 'label'"):
        import_csv(path)


def test_unused_column_may_have_missing_values(tmp_path: Path) -> None:
    path = _write(tmp_path, "note,a,label\n,1,x\nNA,2,y\n")
    assert import_csv(path, feature_columns=["a"]).n_samples == 2


def test_ragged_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,label\n1,2,x\n3,4\n")
    with pytest.raises(DatasetError, match=r"data\.csv, line 3 has 2 fields but the header has 3"):
        import_csv(path)


def test_non_numeric_feature(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,label\n1,2,x\n3,four,y\n")
    with pytest.raises(
        DatasetError, match=r"line 3, feature column 'b' holds 'four'.*not a number"
    ):
        import_csv(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("\n\n  \n", "is empty"),
        ("a,b,label\n", "header but no data rows"),
        ("label\nx\ny\n", "at least two columns"),
    ],
)
def test_degenerate_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message) as info:
        import_csv(_write(tmp_path, text))
    assert "data.csv" in str(info.value)


def test_bad_column_choices_and_missing_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,label\n1,2,x\n3,4,y\n")
    with pytest.raises(DatasetError, match=r"no column 'price' \(columns: a, b, label\)"):
        import_csv(path, target_column="price")
    with pytest.raises(DatasetError, match="no column number 7"):
        import_csv(path, feature_columns=[7])
    with pytest.raises(DatasetError, match="also chosen as a feature"):
        import_csv(path, feature_columns=["a", "label"], target_column="label")
    with pytest.raises(DatasetError, match="binary task needs exactly 2"):
        import_csv(_write(tmp_path, "a,l\n1,x\n2,y\n3,z\n", "three.csv"), task="binary")
    with pytest.raises(DatasetError, match="does not exist"):
        import_csv(tmp_path / "nope.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81,\x90\n")
    with pytest.raises(DatasetError, match="not UTF-8"):
        import_csv(tmp_path / "bin.csv")


def test_multilabel_targets_must_be_zero_or_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,t1,t2\n1,0,1\n2,1,1\n3,0,0\n")
    ds = import_csv(path, feature_columns=["a"], target_column=["t1", "t2"], task="multilabel")
    assert ds.task == "multilabel" and ds.y.tolist() == [[0, 1], [1, 1], [0, 0]]
    bad = _write(tmp_path, "a,t1,t2\n1,0,2\n", "bad.csv")
    with pytest.raises(DatasetError, match=r"bad\.csv.*must be 0 or 1"):
        import_csv(bad, feature_columns=["a"], target_column=["t1", "t2"], task="multilabel")
