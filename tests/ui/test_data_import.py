"""Data import in the app: the Import data dialog, New from Data, Load Data File (undoable)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QTableWidgetItem
from window_helpers import make_window

from nnstudio.graph.checks.validation import validate
from nnstudio.training.datasets import load_dataset
from nnstudio.training.records import EpochRecord, Finished
from nnstudio.training.trainer import Trainer
from nnstudio.ui.data_import import (
    DataImportController,
    ImportChoice,
    ImportDataDialog,
)
from nnstudio.ui.main_window import MainWindow

SPECIES = ("setosa", "versicolor", "virginica")


def write_flowers(path: Path, n: int = 90, seed: int = 0) -> Path:
    """id, petal_len, petal_wid, sepal_len, species: three well separated string classes."""
    rng = np.random.default_rng(seed)
    lines = ["id,petal_len,petal_wid,sepal_len,species"]
    for i in range(n):
        k = i % 3
        a, b, c = rng.normal((1.0 + 2.5 * k, 0.3 + 0.8 * k, 5.0 + k), 0.2)
        lines.append(f"{i + 1},{a:.3f},{b:.3f},{c:.3f},{SPECIES[k]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def header(dialog: ImportDataDialog, column: int) -> str:
    item = dialog.csv_page.table.horizontalHeaderItem(column)
    assert item is not None
    return item.text()


def cell(dialog: ImportDataDialog, row: int, column: int) -> QTableWidgetItem:
    item = dialog.csv_page.table.item(row, column)
    assert item is not None
    return item


def write_idx(path: Path, array: np.ndarray) -> Path:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))
    return path


def data_ui(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> tuple[MainWindow, DataImportController]:
    window = make_window(qtbot, tmp_path, monkeypatch)
    controller = window.data_import
    return window, controller


def settle(qtbot, dialog: ImportDataDialog) -> ImportDataDialog:
    """Wait until the dialog has read its file in the background."""
    qtbot.waitUntil(lambda: not dialog.loading, timeout=30_000)
    return dialog


def open_dialog(qtbot, path: Path | None = None, **kwargs) -> ImportDataDialog:
    dialog = ImportDataDialog(**kwargs)
    qtbot.addWidget(dialog)
    if path is not None:
        dialog.set_path(path)
        settle(qtbot, dialog)
    return dialog


# --- the dialog -------------------------------------------------------------------------


def test_csv_preview_header_and_default_columns(qtbot, tmp_path: Path) -> None:
    csv = write_flowers(tmp_path / "flowers.csv")
    dialog = open_dialog(qtbot, csv)
    page = dialog.csv_page
    assert dialog.pages.currentWidget() is page
    assert page.header_check.isChecked() and "column names" in page.header_note.text()
    assert page.table.rowCount() == 12 and page.table.columnCount() == 5
    assert header(dialog, 4) == "species\ntarget"
    assert cell(dialog, 0, 4).text() == "setosa"
    assert page.table.verticalHeaderItem(0).text() == "2"  # file line numbers
    assert "78 more" in page.preview_note.text()
    spec = dialog.spec()
    assert spec == {"source": "csv", "path": str(csv.resolve()), "header": True,
                    "feature_columns": ["id", "petal_len", "petal_wid", "sepal_len"],
                    "target_column": "species", "target_kind": "auto"}
    assert dialog.ok_button.isEnabled() and dialog.dataset is not None
    assert dialog.dataset.task == "classification" and dialog.dataset.n_features == 4
    assert "3 classes (setosa, versicolor, virginica)" in dialog.summary.text()


def test_column_choice_kind_and_task(qtbot, tmp_path: Path) -> None:
    csv = write_flowers(tmp_path / "flowers.csv")
    dialog = open_dialog(qtbot, csv)
    page = dialog.csv_page
    page.columns.item(0).setCheckState(page.columns.item(0).checkState().Unchecked)  # drop id
    settle(qtbot, dialog)
    assert header(dialog, 0) == "id\nunused"
    assert dialog.dataset is not None and dialog.dataset.feature_names == (
        "petal_len", "petal_wid", "sepal_len")
    # predict sepal length from the petals instead: a numeric target, regression
    page.set_target("sepal_len")
    settle(qtbot, dialog)
    assert not page.columns.item(3).flags() & page.columns.item(3).flags().ItemIsEnabled
    assert page.columns.item(4).checkState() == page.columns.item(4).checkState().Checked
    page.set_features(["petal_len", "petal_wid"])
    settle(qtbot, dialog)
    spec = dialog.spec()
    assert spec is not None
    assert spec["feature_columns"] == ["petal_len", "petal_wid"]
    assert spec["target_column"] == "sepal_len"
    assert dialog.dataset is not None and dialog.dataset.task == "regression"
    assert dialog.dataset.n_features == 2
    # a numeric "id" target as categorical, then forced binary: the importer's sentence
    page.set_target("id")
    page.set_target_kind("categorical")
    settle(qtbot, dialog)
    assert dialog.dataset is not None and dialog.dataset.n_classes == 90
    page.set_task("binary")
    settle(qtbot, dialog)
    assert not dialog.ok_button.isEnabled()
    assert "has 90 classes, but a binary task needs exactly 2" in dialog.summary.text()
    assert dialog.spec() is not None and dialog.spec()["task"] == "binary"  # type: ignore[index]


def test_no_header_columns_by_number_and_relative_path(qtbot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    csv = data / "plain.csv"
    csv.write_text("".join(f"{i},{i * 2},{i % 2}\n" for i in range(10)), encoding="utf-8")
    dialog = open_dialog(qtbot, csv, base_dir=tmp_path)
    page = dialog.csv_page
    assert not page.header_check.isChecked() and page.table.rowCount() == 10
    spec = dialog.spec()
    assert spec is not None and spec["path"] == str(Path("data") / "plain.csv")
    assert spec["feature_columns"] == [0, 1] and spec["target_column"] == 2
    assert load_dataset(spec, base_dir=tmp_path).task == "classification"
    page.header_check.setChecked(True)  # the user overrides the guess
    settle(qtbot, dialog)
    assert page.column_names() == ["0", "0", "0"] and page.table.rowCount() == 9
    assert dialog.spec()["feature_columns"] == [0, 1]  # type: ignore[index]  # names clash
    assert "names column '0' twice (columns 1 and 2)" in dialog.summary.text()
    assert not dialog.ok_button.isEnabled()


def test_broken_csv_shows_one_sentence(qtbot, tmp_path: Path) -> None:
    csv = tmp_path / "broken.csv"
    csv.write_text("a,b,label\n1,2,x\n3,,y\n5,6,x\n", encoding="utf-8")
    dialog = open_dialog(qtbot, csv)
    text = dialog.summary.text()
    assert text == dialog.error
    assert "line 3 has a missing value in column 'b'" in text and "broken.csv" in text
    assert "Traceback" not in text and text.count("\n") == 0
    assert not dialog.ok_button.isEnabled()
    # the missing cell is marked in the preview
    assert cell(dialog, 1, 1).toolTip() == "missing value"
    # unticking the broken column makes the data usable
    page = dialog.csv_page
    page.set_features(["a"])
    settle(qtbot, dialog)
    assert dialog.ok_button.isEnabled() and dialog.error == ""

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,label\n1,2,x\n3,4\n", encoding="utf-8")
    settle(qtbot, dialog).set_path(ragged)
    settle(qtbot, dialog)
    assert "line 3 has 2 fields but the header has 3" in dialog.summary.text()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("a,b\n1,\xe9\n".encode("latin-1"))
    dialog.set_path(latin)
    settle(qtbot, dialog)
    assert "line 2 is not UTF-8 text" in dialog.summary.text()
    assert dialog.csv_page.table.rowCount() == 0 and not dialog.ok_button.isEnabled()


def test_npz_and_idx_files(qtbot, tmp_path: Path) -> None:
    npz = tmp_path / "set.npz"
    np.savez(npz, X=np.arange(20, dtype=np.float64).reshape(10, 2), y=np.arange(10) % 2)
    dialog = open_dialog(qtbot, npz)
    assert dialog.spec() == {"source": "npz", "path": str(npz.resolve())}
    assert "<b>X</b></td><td>(10, 2)" in dialog.npz_label.text()
    assert dialog.dataset is not None and dialog.dataset.task == "classification"
    np.savez(tmp_path / "bad.npz", X=np.ones((3, 2)))
    dialog.set_path(tmp_path / "bad.npz")
    settle(qtbot, dialog)
    assert "has no array 'y'" in dialog.summary.text() and not dialog.ok_button.isEnabled()

    rng = np.random.default_rng(1)
    images = write_idx(tmp_path / "train-images-idx3-ubyte.gz",
                       rng.integers(0, 256, (12, 5, 4)))
    labels = write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(12) % 3)
    dialog.set_path(labels)  # picking either file finds its partner
    settle(qtbot, dialog)
    assert dialog.spec() == {"source": "idx", "images": str(images.resolve()),
                             "labels": str(labels.resolve())}
    assert dialog.dataset is not None and dialog.dataset.x.shape == (12, 1, 5, 4)
    assert "12 images of 1×5×4" in dialog.summary.text()
    short = write_idx(tmp_path / "short-labels.gz", np.arange(5) % 3)
    dialog.set_labels_path(short)
    settle(qtbot, dialog)
    assert "has 5 labels but the images file" in dialog.summary.text()


# --- New from Data ----------------------------------------------------------------------


def test_new_from_data_creates_a_project_that_trains(qtbot, tmp_path, monkeypatch) -> None:
    window, controller = data_ui(qtbot, tmp_path, monkeypatch)
    assert controller.new_action in window.file_menu.actions()
    assert controller.load_action in window.file_menu.actions()
    window.add_node_at_center("layer.input")  # unsaved work: the window asks first
    asked: list[str] = []

    def answer() -> str:
        asked.append("asked")
        return "cancel"

    monkeypatch.setattr(window.files, "ask_save_changes", answer)
    csv = write_flowers(tmp_path / "flowers.csv")
    dialog = open_dialog(qtbot, csv, for_new_project=True)
    dialog.csv_page.set_features(["petal_len", "petal_wid", "sepal_len"])
    settle(qtbot, dialog)
    dialog.hidden_edit.setText("12")
    spec = dialog.spec()
    assert spec is not None and dialog.hidden_layers() == [12]
    monkeypatch.setattr(controller, "ask_import",
                        lambda for_new_project: ImportChoice(spec, (12,)))
    assert not controller.new_from_data() and asked == ["asked"]
    assert len(window.project.graph.nodes) == 1  # cancelled: nothing replaced

    monkeypatch.setattr(window.files, "ask_save_changes", lambda: "discard")
    assert controller.new_from_data()
    project = window.project
    assert window.file_path is None and window.is_modified()
    assert project.name == "flowers" and project.dataset == spec
    assert window.undo_stack.count() == 0
    inputs = [n for n in project.graph.nodes.values() if n.type_id == "layer.input"]
    assert inputs[0].params["features"] == 3
    window.session.wait_for_signature()  # a data file's shape is learned in a worker
    assert window.data_signature is not None and window.data_signature.input_shape == (3,)
    assert validate(project.graph, window.data_signature) == []
    assert window.windowTitle().startswith("flowers[*]")

    trainer = Trainer(project)
    records = list(trainer.run(epochs=40))
    assert isinstance(records[-1], Finished) and records[-1].reason == "completed"
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert len(epochs) == 40 and epochs[-1].train_loss < 0.5 * epochs[0].train_loss
    assert epochs[-1].metrics["val_accuracy"] >= 0.9


def test_new_from_data_error_keeps_the_current_project(qtbot, tmp_path, monkeypatch) -> None:
    window, controller = data_ui(qtbot, tmp_path, monkeypatch)
    before = window.project
    errors: list[str] = []
    monkeypatch.setattr(controller, "show_error", lambda title, text: errors.append(text))
    spec = {"source": "csv", "path": str(tmp_path / "gone.csv")}
    monkeypatch.setattr(controller, "ask_import", lambda for_new_project: ImportChoice(spec))
    assert not controller.new_from_data()
    assert window.project is before and errors == [f"The CSV file {tmp_path / 'gone.csv'} "
                                                   "does not exist."]


# --- Load Data File ---------------------------------------------------------------------


def test_load_data_file_is_one_undo_step_and_revalidates(qtbot, tmp_path, monkeypatch) -> None:
    window, controller = data_ui(qtbot, tmp_path, monkeypatch)
    four = write_flowers(tmp_path / "flowers.csv")
    first = {"source": "csv", "path": str(four)}
    monkeypatch.setattr(controller, "ask_import",
                        lambda for_new_project: ImportChoice(first, (8,)))
    assert controller.new_from_data()
    window.project.preprocessing = {"scaler": {"kind": "standardize"}}
    assert validate(window.project.graph, window.data_signature) == []
    assert window.problems_dock.windowTitle() == "Problems"

    two = tmp_path / "two.csv"
    two.write_text("u,v,t\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)),
                   encoding="utf-8")
    second = {"source": "csv", "path": str(two), "target_column": "t"}
    monkeypatch.setattr(controller, "ask_import", lambda for_new_project: ImportChoice(second))
    assert controller.load_data_file()
    stack = window.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Load data file two.csv"
    assert window.project.dataset == second and window.project.preprocessing == {}
    window.session.wait_for_signature()
    assert window.data_signature is not None and window.data_signature.input_shape == (2,)
    assert window.problems_dock.windowTitle().startswith("Problems (")  # Input 4 ≠ data 2
    panel = getattr(window, "training_ui", None)
    if panel is not None:
        combo = panel.panel.dataset_combo
        assert combo.currentText() == "File: two.csv"
        note = panel.panel.dataset_note.text()
        assert "two.csv\nfeatures: all but the target\ntarget: t (auto)" in note

    stack.undo()
    assert window.project.dataset == first
    assert window.project.preprocessing == {"scaler": {"kind": "standardize"}}
    window.session.wait_for_signature()
    assert window.data_signature.input_shape == (4,)
    assert window.problems_dock.windowTitle() == "Problems"
    stack.redo()
    window.session.wait_for_signature()
    assert window.project.dataset == second and window.data_signature.input_shape == (2,)
    # a second file is a separate step, not merged into the first
    assert controller.load_data_file()
    assert stack.count() == 2


def test_panel_button_and_builtin_choice_after_a_file(qtbot, tmp_path, monkeypatch) -> None:
    window, controller = data_ui(qtbot, tmp_path, monkeypatch)
    training_ui = getattr(window, "training_ui", None)
    if training_ui is None:
        pytest.skip("the window has no training panel")
    panel = training_ui.panel
    calls: list[bool] = []
    monkeypatch.setattr(controller, "ask_import",
                        lambda for_new_project: calls.append(for_new_project))
    panel.load_data_button.click()
    assert calls == [False]
    csv = write_flowers(tmp_path / "flowers.csv")
    controller.set_dataset({"source": "csv", "path": str(csv)})
    assert panel.dataset_combo.isEnabled()
    assert panel.dataset_combo.currentText() == "File: flowers.csv"
    index = panel.dataset_combo.findData("xor")
    panel.dataset_combo.setCurrentIndex(index)   # what a user's pick does: select, then
    panel.dataset_combo.activated.emit(index)    # tell the panel it was the user
    assert window.project.dataset["source"] == "builtin"
    assert panel.dataset_combo.findText("File: flowers.csv") == -1
    window.undo_stack.undo()
    assert panel.dataset_combo.currentText() == "File: flowers.csv"


def test_the_real_dialog_returns_spec_and_hidden_sizes(qtbot, tmp_path, monkeypatch) -> None:
    _window, controller = data_ui(qtbot, tmp_path, monkeypatch)
    csv = write_flowers(tmp_path / "flowers.csv")
    seen: list[str] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ImportDataDialog)
        dialog.hidden_edit.setText("4, x")
        seen.append(dialog.summary.text())
        assert not dialog.ok_button.isEnabled()
        dialog.set_path(csv)
        dialog.hidden_edit.setText("6,5")
        qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=30_000)
        dialog.ok_button.click()

    QTimer.singleShot(0, fill_in)
    choice = controller.ask_import(for_new_project=True)
    assert choice is not None and choice.hidden == (6, 5)
    assert choice.spec["path"] == str(csv.resolve()) and choice.spec["target_column"] == "species"
    assert seen == [""]  # no file yet: nothing to complain about
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())  # type: ignore[union-attr]
    assert controller.ask_import(for_new_project=False) is None


# --- reading in the background, big and broken files (issues 14 and 16) ------------------


def test_ten_thousand_columns_load_and_choose(qtbot, tmp_path: Path) -> None:
    n_columns, n_rows = 10_000, 40
    rng = np.random.default_rng(2)
    path = tmp_path / "wide.csv"
    values = rng.integers(0, 10, size=(n_rows, n_columns))
    lines = [",".join(f"p{i}" for i in range(n_columns - 1)) + ",label"]
    lines += [",".join(map(str, row[:-1])) + f",{row[-1] % 2}" for row in values]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dialog = open_dialog(qtbot, path)
    page = dialog.csv_page
    assert page.columns.count() == n_columns and page.target_combo.count() == n_columns
    assert page.table.columnCount() == 60 and "of 10,000 shown" in page.preview_note.text()
    assert dialog.dataset is not None and dialog.dataset.n_features == n_columns - 1
    page.none_button.click()
    settle(qtbot, dialog)
    assert "No feature columns" in dialog.summary.text() and not dialog.ok_button.isEnabled()
    page.all_button.click()
    page.set_target("p5")
    settle(qtbot, dialog)
    assert dialog.dataset is not None and dialog.dataset.task == "classification"
    assert dialog.dataset.n_classes == 10  # ten whole numbers, each seen four times
    assert dialog.dataset.n_features == n_columns - 1 and page.feature_indices()[5] == 6
    spec = dialog.spec()
    assert spec is not None and len(spec["feature_columns"]) == n_columns - 1
    assert spec["target_column"] == "p5"


def test_stop_and_read_again(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nnstudio.training.datasets import csv_reader

    monkeypatch.setattr(csv_reader, "CHUNK_BYTES", 2048)  # many pieces: many chances to stop
    path = tmp_path / "long.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(20_000)),
                    encoding="utf-8")
    dialog = open_dialog(qtbot)
    dialog.set_path(path)
    assert dialog.loading and dialog.stop_button.isVisible() is dialog.isVisible()
    assert dialog.stop_button.text() == "Stop" and not dialog.ok_button.isEnabled()
    dialog.stop_button.click()  # stops the first look at the file
    settle(qtbot, dialog)
    assert dialog.summary.text() == "Stopped reading long.csv." and dialog.dataset is None
    assert dialog.stop_button.text() == "Read again" and not dialog.ok_button.isEnabled()
    dialog.stop_button.click()
    settle(qtbot, dialog)
    assert dialog.dataset is not None and dialog.dataset.n_samples == 20_000
    assert dialog.ok_button.isEnabled()

    dialog.csv_page.set_target("b")  # a new choice reads again; stop it halfway
    assert dialog.loading
    dialog.stop_button.click()
    settle(qtbot, dialog)
    assert dialog.summary.text() == "Stopped reading long.csv." and dialog.dataset is None
    dialog.stop_button.click()
    settle(qtbot, dialog)
    assert dialog.dataset is not None and dialog.dataset.class_names == tuple("0123456")


def test_new_choices_supersede_a_running_read(qtbot, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from nnstudio.training.datasets import csv_reader

    monkeypatch.setattr(csv_reader, "CHUNK_BYTES", 2048)
    path = write_flowers(tmp_path / "flowers.csv", n=3000)
    dialog = open_dialog(qtbot, path)
    page = dialog.csv_page
    page.set_target("petal_len")
    page.set_target("sepal_len")
    page.set_features(["petal_wid"])
    settle(qtbot, dialog)  # only the last choice answers
    assert dialog.dataset is not None and dialog.dataset.feature_names == ("petal_wid",)
    assert dialog.dataset.task == "regression" and dialog.error == ""


def test_damaged_and_special_files_show_a_sentence(qtbot, tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    np.savez_compressed(good, X=np.random.default_rng(0).random((300, 4)), y=np.arange(300) % 3)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[:700])
    dialog = open_dialog(qtbot, cut)
    assert "cut.npz" in dialog.summary.text() and dialog.dataset is None
    assert not dialog.ok_button.isEnabled()
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    dialog.set_path(folder)
    settle(qtbot, dialog)
    assert dialog.summary.text().endswith("folder.csv is a folder, not a regular file.")
    gone = tmp_path / "gone.npz"
    dialog.set_path(gone)
    settle(qtbot, dialog)
    assert dialog.summary.text() == f"The NPZ file {gone} does not exist."


def test_new_from_data_uses_the_dataset_the_dialog_read(qtbot, tmp_path, monkeypatch) -> None:
    window, controller = data_ui(qtbot, tmp_path, monkeypatch)
    csv = write_flowers(tmp_path / "flowers.csv")
    dialog = open_dialog(qtbot, csv, for_new_project=True)
    spec, dataset = dialog.spec(), dialog.dataset
    assert spec is not None and dataset is not None
    csv.unlink()  # the window must not need to read the file again to build the network
    monkeypatch.setattr(controller, "ask_import",
                        lambda for_new_project: ImportChoice(spec, (5,), dataset))
    monkeypatch.setattr(window.files, "ask_save_changes", lambda: "discard")
    assert controller.new_from_data()
    inputs = [n for n in window.project.graph.nodes.values() if n.type_id == "layer.input"]
    assert inputs[0].params["features"] == 4


def test_fuzz_corpus_in_the_dialog(qtbot, tmp_path: Path) -> None:
    """Every malformed data file of the corpus gives the dialog a sentence or a dataset;
    an exception in a slot would fail this test (pytest-qt captures them)."""
    from hostile_files.data_files import make_data_cases

    (tmp_path / "corpus").mkdir()
    cases = make_data_cases(tmp_path / "corpus", seed=1, count=120)
    dialog = open_dialog(qtbot)
    wrong = []
    for case in cases:
        dialog.set_path(case.path)
        settle(qtbot, dialog)
        text = dialog.summary.text()
        if dialog.dataset is not None:
            ok = text.startswith("✓ ")
        else:
            ok = (text.endswith(".") and "\n" not in text and "could not be read (" not in text
                  and any(f.name[-24:] in text for f in case.files))
        if not ok:
            wrong.append(f"{case.name}: {text!r}")
    assert len(cases) >= 100 and not wrong, "\n".join(wrong)
