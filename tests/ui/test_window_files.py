"""Issue 16, item 13 (saves that respect the user's files) and the window's side of item 11.

On main: File › Save on a project opened through a symlink replaced the link with a file,
interrupted saves left ``.tmp`` files forever, a file name near the system's limit failed
on the temporary suffix, autosave waited for its 60-second timer, and the recovery
question's Discard deleted copies it never showed. Each test below failed there.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from training_helpers import wait_state
from window_helpers import build_small_network, make_window

from nnstudio.graph.files.project_file import STRAY_AGE_S, load_project, save_project
from nnstudio.graph.model.edits import SetParam
from nnstudio.graph.model.project import Project
from nnstudio.ui import file_actions
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.training.controller import FINISHED

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and modes")


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch) -> MainWindow:
    """A window whose error dialogs fail the test instead of waiting for a click."""
    made = make_window(qtbot, tmp_path, monkeypatch)

    def no_dialog(title: str, message: str) -> None:
        raise AssertionError(f"{title}: {message}")

    made.files.show_error = no_dialog  # type: ignore[method-assign]
    return made


def saved(path: Path, name: str = "Mine") -> Project:
    project = Project(name=name, dataset={"source": "builtin", "name": "xor"})
    build_small_network(project.graph)
    save_project(project, path)
    return project


@posix_only
def test_item13_save_through_a_symlink_writes_its_target_and_keeps_the_link(
        window: MainWindow, tmp_path: Path) -> None:
    real = tmp_path / "store" / "real.nnstudio"
    real.parent.mkdir()
    saved(real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.nnstudio"
    link.symlink_to(real)
    assert window.files.open_path(link)
    ids = [n for n, node in window.project.graph.nodes.items()
           if node.type_id == "neuron.output"]
    window.push_edit(SetParam(ids[0], "target_column", 1))
    assert window.files.save()
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_project(real).graph.nodes[ids[0]].params["target_column"] == 1
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.nnstudio"]


def test_item13_a_save_removes_stray_temporary_files_of_earlier_crashes(
        tmp_path: Path) -> None:
    path = tmp_path / "work.nnstudio"
    saved(path)
    old = time.time() - STRAY_AGE_S - 60
    stray = tmp_path / ".work.nnstudio.ab12cd_9.tmp"
    young = tmp_path / ".work.nnstudio.zz99yy11.tmp"   # a save going on elsewhere
    other = tmp_path / ".other.nnstudio.ab12cd_9.tmp"   # another project's
    mine = tmp_path / ".work.nnstudio.notes.tmp"        # not a save's name
    for item in (stray, young, other, mine):
        item.write_bytes(b"partial")
    for item in (stray, other, mine):
        os.utime(item, (old, old))
    saved(path, "Again")
    assert not stray.exists()
    assert young.exists() and other.exists() and mine.exists()


def test_item13_a_file_name_at_the_system_limit_saves(window: MainWindow,
                                                       tmp_path: Path) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    path = tmp_path / ("n" * (limit - len(".nnstudio")) + ".nnstudio")
    build_small_network(window.project.graph)
    assert window.files.save_to(path)
    assert load_project(path).graph.same_as(window.project.graph)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [path.name]


def test_item13_an_edit_is_autosaved_shortly_after_without_the_timer(
        qtbot, window: MainWindow) -> None:
    window.autosave_timer.stop()
    assert file_actions.AUTOSAVE_AFTER_EDIT_MS <= 5000
    window.files.edit_timer.setInterval(30)
    recovery = window.files.recovery
    ids = build_small_network(window.project.graph)
    window.push_edit(SetParam(ids["y"], "target_column", 2))
    qtbot.waitUntil(recovery.has_file, timeout=5000)
    autosaved = load_project(recovery.project_path)
    assert autosaved.graph.nodes[ids["y"]].params["target_column"] == 2


def test_item13_discard_deletes_only_the_copies_the_question_listed(
        window: MainWindow) -> None:
    folder = window.files.recovery.folder
    folder.mkdir(parents=True, exist_ok=True)
    project_bytes = (Path(__file__).resolve().parents[2] / "examples" / "xor.nnstudio"
                     ).read_bytes()
    count = file_actions.MAX_RECOVERY_SHOWN + 2
    for k in range(count):
        copy = folder / f"session-old{k:02d}.nnstudio"
        copy.write_bytes(project_bytes)
        note = {"original_path": f"/projects/p{k:02d}.nnstudio", "saved_at": 1000.0 + k}
        copy.with_suffix(".json").write_text(json.dumps(note), encoding="utf-8")
    asked: list[str] = []

    def decline(files: list[file_actions.RecoveredFile]) -> bool:
        asked.append(file_actions.recovery_question(files))
        return False

    window.files.ask_recover = decline  # type: ignore[method-assign]
    assert not window.files.offer_recovery()
    question = asked[0]
    listed = [k for k in range(count) if f"p{k:02d}.nnstudio" in question]
    assert listed == list(range(2, count))          # the newest eight, every one named
    assert question.startswith(f"Recover the changes to /projects/p{count - 1:02d}")
    left = sorted(p.name for p in folder.glob("session-old*.nnstudio"))
    assert left == ["session-old00.nnstudio", "session-old01.nnstudio"]
    assert window.files.recovery.orphans()[0].original_path == Path("/projects/p01.nnstudio")


def test_item11_the_window_says_which_stored_weights_did_not_fit(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    project = Project(dataset={"source": "builtin", "name": "xor", "task": "binary"},
                      training={"epochs": 1, "batch_size": 0})
    doc = project.graph
    i = doc.add_node("layer.input", params={"features": 2})
    d = doc.add_node("layer.dense", params={"units": 3}, title="Hidden")
    a = doc.add_node("activation", params={"function": "tanh"})
    e = doc.add_node("layer.dense", params={"units": 1})
    o = doc.add_node("layer.output", params={"loss": "bce_with_logits"})
    for src, dst in ((i, d), (d, a), (a, e), (e, o)):
        doc.connect(src, "out", dst, "in")
    doc.set_values(d, {"weight": np.ones((3, 5), np.float32)})
    window.set_project(project, None)
    problems = [p.message for p in window.problems.problems]
    assert any("stored weight of shape 3×5 but now needs 3×2" in m for m in problems)
    window.training_ui.controller.train()
    wait_state(qtbot, window.training_ui, FINISHED)
    message = window.training_ui.controller.message
    assert message.startswith("Training completed")
    assert ("Dense 'Hidden' has a stored weight of shape 3×5 but needs 3×2; it starts "
            "from new random values.") in message
    assert window.training_ui.panel.message.text() == message


def test_item13_recovered_copies_leave_no_temporary_file(window: MainWindow) -> None:
    folder = window.files.recovery.folder
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "session-gone.nnstudio"
    shutil.copy(Path(__file__).resolve().parents[2] / "examples" / "xor.nnstudio", copy)
    copy.with_suffix(".tmp").write_bytes(b"half")
    window.files.ask_recover = lambda files: False  # type: ignore[method-assign]
    assert not window.files.offer_recovery()
    assert list(folder.iterdir()) == []
