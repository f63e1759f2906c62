"""Saving and opening project files on disk: atomic saves, errors that name the file."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from test_serialize_samples import trained_project

from nnstudio.graph.files import project_file
from nnstudio.graph.files.project_file import (
    ProjectFileError,
    load_project,
    project_to_bytes,
    save_project,
)
from nnstudio.graph.model.project import Project


def test_save_load_save_gives_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nnstudio", tmp_path / "b.nnstudio"
    save_project(trained_project(), first)
    loaded = load_project(first)
    assert loaded.same_as(trained_project())
    save_project(loaded, second)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nnstudio", "b.nnstudio"]


def test_save_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "p.nnstudio"
    save_project(Project(name="old"), path)
    os.chmod(path, 0o640)
    save_project(Project(name="new"), str(path))
    assert load_project(path).name == "new"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def _assert_old_file_intact(folder: Path, path: Path, old: bytes) -> None:
    assert path.read_bytes() == old
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("broken", ["replace", "fsync", "write"])
def test_crash_mid_save_leaves_old_file_and_no_temp(tmp_path: Path, broken: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "work.nnstudio"
    save_project(trained_project(0), path)
    old = path.read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if broken == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, fd: int, mode: str) -> None:
                self._stream = real_fdopen(fd, mode)

            def __enter__(self) -> HalfWriter:
                return self

            def __exit__(self, *exc: object) -> None:
                self._stream.close()

            def write(self, data: bytes) -> None:
                self._stream.write(data[: len(data) // 2])  # a partial write, then the crash
                fail()

        monkeypatch.setattr(project_file.os, "fdopen", HalfWriter)
    else:
        monkeypatch.setattr(project_file.os, broken, fail)
    with pytest.raises(ProjectFileError) as info:
        save_project(trained_project(1), path)
    assert str(info.value) == f"Could not save {path}: No space left on device."
    monkeypatch.undo()
    _assert_old_file_intact(tmp_path, path, old)
    assert load_project(path).same_as(trained_project(0))


def test_interrupt_mid_save_removes_temp_and_propagates(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "work.nnstudio"
    save_project(Project(name="kept"), path)
    old = path.read_bytes()

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(project_file.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_project(Project(name="lost"), path)
    monkeypatch.undo()
    _assert_old_file_intact(tmp_path, path, old)


def test_unsaveable_project_does_not_touch_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.nnstudio"
    save_project(Project(name="kept"), path)
    old = path.read_bytes()
    with pytest.raises(ProjectFileError, match="cannot be saved"):
        save_project(Project(training={"loss": object()}), path)
    _assert_old_file_intact(tmp_path, path, old)


def test_save_into_missing_folder_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "p.nnstudio"
    with pytest.raises(ProjectFileError, match=re.escape(f"Could not save {path}")):
        save_project(Project(), path)


def test_open_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.nnstudio"
    with pytest.raises(ProjectFileError) as info:
        load_project(missing)
    assert str(info.value) == f"Cannot open {missing}: No such file or directory."
    text = tmp_path / "notes.nnstudio"
    text.write_text("just some notes")
    with pytest.raises(ProjectFileError) as info:
        load_project(text)
    assert str(info.value) == (f"Cannot open {text}: it is not an NN Studio project "
                               "(not a zip archive).")
    with pytest.raises(ProjectFileError, match=re.escape(f"Cannot open {tmp_path}")):
        load_project(tmp_path)


def test_truncated_file_on_disk_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "cut.nnstudio"
    data = project_to_bytes(trained_project())
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProjectFileError, match=re.escape("cut.nnstudio")):
        load_project(path)


def test_oversized_file_is_rejected_before_reading(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.nnstudio"
    save_project(trained_project(), path)
    monkeypatch.setattr(project_file, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ProjectFileError, match="larger than"):
        load_project(path)


def test_saving_a_large_project_holds_little_beyond_its_arrays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is written as it is made: past the spool size the inner npz goes to a
    temporary file, so a save holds about one copy of the arrays, not four (the whole
    file as bytes, its npz, and their copies). The bytes are the same either way."""
    import tracemalloc

    import numpy as np

    from nnstudio.graph.files.project_file import project_to_bytes
    from nnstudio.graph.model.document import Document

    monkeypatch.setattr(project_file, "_SPOOL_BYTES", 2**20)
    doc = Document()
    dense = doc.add_node("layer.dense", params={"units": 2000})
    doc.nodes[dense].values["weight"] = np.random.default_rng(0).standard_normal(
        (2000, 2500)).astype(np.float32)  # 20 MB that hardly compress
    project = Project(graph=doc)
    path = tmp_path / "big.nnstudio"
    tracemalloc.start()
    try:
        save_project(project, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert size > 16 * 2**20
    assert peak < 1.6 * size  # before: 3.2× (bytes built whole, then written)
    assert path.read_bytes() == project_to_bytes(project)


@pytest.mark.parametrize("shape, dtype, fortran", [
    ((2000, 2500), "float32", False), ((0, 3), "float32", False), ((7,), "int64", False),
    ((30, 40), "float64", True), ((), "float64", False), ((3, 4, 5, 6), "float32", False),
    ((2,), "bool", False)])
def test_npy_written_in_chunks_has_numpys_bytes(shape: tuple[int, ...], dtype: str,
                                                fortran: bool) -> None:
    import io

    import numpy as np

    array = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    if fortran:
        array = np.asfortranarray(array)
    ours, numpys = io.BytesIO(), io.BytesIO()
    project_file._write_npy(ours, array)
    np.lib.format.write_array(numpys, array, allow_pickle=False)
    assert ours.getvalue() == numpys.getvalue()
