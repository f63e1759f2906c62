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


# --- the strict parser (issue 16, item 14) ------------------------------------------------


def test_unterminated_quote_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'a,b,label\n1,2,x\n3,4,"y\n5,6,x\n7,8,y\n')
    with pytest.raises(DatasetError, match=r"data\.csv, line 3 .*quote") as info:
        import_csv(path)
    assert info.value.line == 3


def test_quotes_around_fields_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, 'a,"b",label\n"1.5",2,"x, or ""y"""\n3,"4",z\n')
    ds = import_csv(path)
    assert ds.feature_names == ("a", "b") and ds.class_names == ('x, or "y"', "z")
    np.testing.assert_array_equal(ds.x, [[1.5, 2], [3, 4]])


def test_stray_quote_inside_a_field(tmp_path: Path) -> None:
    path = _write(tmp_path, 'a,b,label\n1,2,x\n3,4"",y\n')
    with pytest.raises(DatasetError, match=r"line 3 .*quote"):
        import_csv(path)


def test_duplicate_headers_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,a,label\n1,2,3,x\n4,5,6,y\n")
    with pytest.raises(DatasetError, match=r"data\.csv.* 'a' twice \(columns 1 and 3\)"):
        import_csv(path)


@pytest.mark.parametrize("cell", ["1_000", "١٢", "0x10", "1,5", " 1 000"])
def test_numbers_a_spreadsheet_would_not_read_are_refused(tmp_path: Path, cell: str) -> None:
    path = _write(tmp_path, f'a,b,label\n1,2,x\n3,"{cell}",y\n5,6,x\n')
    with pytest.raises(DatasetError, match=r"line 3, feature column 'b' holds .*not a number"):
        import_csv(path)


def test_underscore_number_in_a_target_is_not_silently_a_class(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,price\n1,1000\n2,2_000\n3,1500\n4,1200\n")
    with pytest.raises(DatasetError, match=r"line 3.*'price'.*'2_000'"):
        import_csv(path)


def test_single_class_target_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,label\n1,yes\n2,yes\n3,yes\n")
    with pytest.raises(DatasetError, match=r"data\.csv.*only one class \('yes'\)"):
        import_csv(path)


def test_row_of_empty_cells_is_missing_data_not_a_blank_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,label\n1,2,x\n,,\n3,4,y\n")
    with pytest.raises(DatasetError, match="line 3 has a missing value"):
        import_csv(path)


def test_row_with_too_many_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,b,label\n1,2,x\n3,4,y,extra\n")
    with pytest.raises(DatasetError, match=r"line 3 has 4 fields but the header has 3"):
        import_csv(path, feature_columns=["a"])


@pytest.mark.parametrize(("cell", "word"), [("inf", "finite"), ("1e39", "float32")])
def test_infinite_or_too_large_numbers(tmp_path: Path, cell: str, word: str) -> None:
    path = _write(tmp_path, f"a,b,label\n1,2,x\n3,{cell},y\n")
    with pytest.raises(DatasetError, match=rf"line 3.*'b'.*{word}"):
        import_csv(path)


def test_nul_bytes_and_old_mac_line_ends(tmp_path: Path) -> None:
    (tmp_path / "nul.csv").write_bytes(b"a,b,label\n1,2,x\n3,\x004,y\n")
    with pytest.raises(DatasetError, match=r"nul\.csv, line 3"):
        import_csv(tmp_path / "nul.csv")
    (tmp_path / "mac.csv").write_bytes(b"a,b,label\r1,2,x\r3,4,y\r")
    with pytest.raises(DatasetError, match=r"mac\.csv.*line ends"):
        import_csv(tmp_path / "mac.csv")


def test_crlf_bom_tabs_and_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "win.tsv").write_bytes(
        b"\xef\xbb\xbfa\tb\tlabel\r\n1\t2\tx\r\n\r\n  \r\n3\t4\ty\r\n5\t6\tx")
    ds = import_csv(tmp_path / "win.tsv")
    assert ds.feature_names == ("a", "b") and ds.n_samples == 3
    assert ds.y.tolist() == [0, 1, 0]


def test_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes(b"a,label\n1,x\n2,caf\xe9\n")
    with pytest.raises(DatasetError, match=r"latin\.csv.*line 3.*UTF-8"):
        import_csv(tmp_path / "latin.csv")


def test_many_columns_by_name(tmp_path: Path) -> None:
    names = [f"c{i}" for i in range(3000)]
    rows = [",".join([*names, "label"])]
    rows += [",".join(str((r * 7 + i) % 11) for i in range(3000)) + f",{r % 2}" for r in range(6)]
    path = _write(tmp_path, "\n".join(rows) + "\n")
    ds = import_csv(path, feature_columns=names[::-1], target_column="label")
    assert ds.x.shape == (6, 3000) and ds.feature_names[0] == "c2999"
    assert ds.x[1, -1] == 7 and ds.x[1, 0] == (7 + 2999) % 11


def test_many_rows_are_read_in_pieces_with_progress(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    x = rng.random((30_000, 4)).round(4)
    lines = ["a,b,c,d,label"] + [f"{r[0]},{r[1]},{r[2]},{r[3]},{i % 3}" for i, r in
                                 enumerate(x)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    seen: list[tuple[int, int]] = []
    ds = import_csv(path, progress=lambda done, total: seen.append((done, total)))
    np.testing.assert_allclose(ds.x, x.astype(np.float32))
    assert ds.y.tolist()[:4] == [0, 1, 2, 0]
    assert len(seen) > 1 and seen[-1][0] == seen[-1][1] == path.stat().st_size
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_error_late_in_a_big_file_has_the_right_line(tmp_path: Path) -> None:
    lines = ["a,b,label"] + [f"{i},{i * 2},{i % 2}" for i in range(50_000)]
    lines[40_000] = "1,oops,0"
    lines.insert(100, "")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(DatasetError, match=r"line 40002, feature column 'b' holds 'oops'"):
        import_csv(path)


def test_loading_can_be_cancelled(tmp_path: Path) -> None:
    from nnstudio.training.datasets import LoadCancelledError

    lines = ["a,label"] + [f"{i},{i % 2}" for i in range(100_000)]
    path = _write(tmp_path, "\n".join(lines) + "\n")

    def stop_halfway(done: int, total: int) -> None:
        if done > total // 3:
            raise LoadCancelledError("stop")

    with pytest.raises(LoadCancelledError):
        import_csv(path, progress=stop_halfway)
