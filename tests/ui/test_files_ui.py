"""File commands of the main window: save/open round trips, unsaved mark, asking, recovery."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMenu
from window_helpers import build_small_network, make_window

from nnstudio.graph.files.project_file import ProjectFileError, load_project, save_project
from nnstudio.graph.model.edits import SetParam
from nnstudio.graph.model.project import Project
from nnstudio.ui import file_actions
from nnstudio.ui.autosave import RecoverySession
from nnstudio.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch) -> MainWindow:
    return make_window(qtbot, tmp_path, monkeypatch)


def _saved_project(path: Path, name: str = "Chocolate") -> Project:
    project = Project(name=name, dataset={"source": "builtin", "name": "xor"}, seed=7)
    build_small_network(project.graph)
    save_project(project, path)
    return project


def test_save_as_open_round_trip_and_title(qtbot, window: MainWindow, tmp_path: Path) -> None:
    build_small_network(window.project.graph)
    window.project.dataset = {"source": "builtin", "name": "xor"}
    assert window.files.ask_save_path is not None
    target = tmp_path / "mine.nnstudio"
    window.files.ask_save_path = lambda: target  # type: ignore[method-assign]
    window.session.mark_modified()
    assert window.isWindowModified()
    assert window.save_action.isEnabled()
    window.save_action.trigger()  # untitled: Save asks where
    assert target.exists()
    assert not window.isWindowModified()
    assert window.file_path == target
    assert window.windowTitle().startswith("mine[*]")  # the file names an untitled project
    saved = window.project.graph.copy()

    assert window.files.new_project()
    assert not window.project.graph.nodes and window.file_path is None
    assert window.files.open_path(target)
    assert window.project.graph.same_as(saved)
    assert window.project.dataset == {"source": "builtin", "name": "xor"}
    assert window.undo_stack.count() == 0 and not window.isWindowModified()

    other = tmp_path / "other.nnstudio"
    window.files.ask_save_path = lambda: other  # type: ignore[method-assign]
    window.save_as_action.trigger()
    assert window.file_path == other
    assert load_project(other).same_as(load_project(target))
    assert window.files.recent_files()[:2] == [other.resolve(), target.resolve()]
    menu = QMenu()
    window.files.fill_recent_menu(menu)
    assert [a.text() for a in menu.actions()][:2] == ["&1 other.nnstudio", "&2 mine.nnstudio"]


def test_unsaved_mark_follows_undo_stack_and_dirty_flag(qtbot, window: MainWindow,
                                                        tmp_path: Path) -> None:
    node = window.add_node_at_center("layer.dense")
    assert window.isWindowModified()
    assert window.files.save_to(tmp_path / "a.nnstudio")
    assert not window.isWindowModified()
    window.undo_stack.undo()
    assert window.isWindowModified()
    window.undo_stack.redo()
    assert not window.isWindowModified()
    window.push_edit(SetParam(node, "units", 3))
    window.undo_stack.undo()
    assert not window.isWindowModified()
    window.session.mark_modified()  # e.g. training wrote weights back
    assert window.isWindowModified()


@pytest.mark.parametrize("answer", ["cancel", "discard", "save"])
def test_ask_before_discarding(qtbot, window: MainWindow, tmp_path: Path, answer: str) -> None:
    path = tmp_path / "work.nnstudio"
    window.files.save_to(path)
    window.add_node_at_center("neuron.neuron")
    asked: list[str] = []

    def ask() -> str:
        asked.append("asked")
        return answer

    window.files.ask_save_changes = ask  # type: ignore[method-assign,assignment]
    result = window.files.new_project()
    assert asked == ["asked"]
    if answer == "cancel":
        assert not result and len(window.project.graph.nodes) == 1
        event = QCloseEvent()
        window.closeEvent(event)
        assert not event.isAccepted()
    else:
        assert result and not window.project.graph.nodes
        saved = load_project(path)
        assert len(saved.graph.nodes) == (1 if answer == "save" else 0)


def test_nothing_is_asked_when_there_are_no_changes(window: MainWindow) -> None:
    window.files.ask_save_changes = lambda: pytest.fail("asked")  # type: ignore[method-assign,assignment,return-value]
    assert window.files.new_project()


def test_broken_file_shows_its_sentence_and_changes_nothing(window: MainWindow, tmp_path: Path
                                                            ) -> None:
    build_small_network(window.project.graph)
    window.session.mark_modified()
    before_doc, before_title = window.project.graph, window.windowTitle()
    before = before_doc.copy()
    broken = tmp_path / "broken.nnstudio"
    broken.write_bytes(b"this is not a zip archive")
    with pytest.raises(ProjectFileError) as expected:
        load_project(broken)
    shown: list[tuple[str, str]] = []
    window.files.show_error = lambda title, text: shown.append((title, text))  # type: ignore[method-assign]
    assert not window.files.open_path(broken, ask=False)
    assert shown == [("Could not open the project", str(expected.value))]
    assert window.project.graph is before_doc and before_doc.same_as(before)
    assert window.windowTitle() == before_title and window.isWindowModified()
    assert not window.files.open_path(tmp_path / "missing.nnstudio", ask=False)
    assert len(shown) == 2 and "missing.nnstudio" in shown[1][1]


def test_examples_menu_lists_files_and_opens_an_untitled_copy(
        window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = tmp_path / "examples"
    examples.mkdir()
    xor = _saved_project(examples / "xor.nnstudio", "XOR")
    _saved_project(examples / "digits_cnn.nnstudio", "Digits")
    monkeypatch.setattr(file_actions, "examples_dir", lambda: examples)
    menu = QMenu()
    window.files.fill_examples_menu(menu)
    assert [a.text() for a in menu.actions()] == ["Digits", "XOR"]  # the projects' names
    menu.actions()[1].trigger()
    assert window.project.graph.same_as(xor.graph)
    assert window.file_path is None and window.project.name == "XOR"
    asked: list[str] = []

    def ask_path() -> None:
        asked.append("where?")

    window.files.ask_save_path = ask_path  # type: ignore[method-assign,assignment]
    original = (examples / "xor.nnstudio").read_bytes()
    window.session.mark_modified()
    assert not window.files.save()  # an example copy is untitled: Save asks where
    assert asked == ["where?"]
    assert (examples / "xor.nnstudio").read_bytes() == original


def test_autosave_writes_recovery_and_recovery_restores_it(
        qtbot, window: MainWindow, tmp_path: Path) -> None:
    recovery = window.files.recovery
    assert window.files.autosave() is None  # nothing unsaved, nothing written
    ids = build_small_network(window.project.graph)
    window.push_edit(SetParam(ids["y"], "target_column", 2))
    window.autosave_timer.setInterval(20)
    window.autosave_timer.start()
    qtbot.waitUntil(recovery.has_file, timeout=2000)
    written = recovery.project_path

    # A crashed session: its files stay behind, no living process holds its lock.
    crashed = recovery.folder / "session-crashed.nnstudio"
    shutil.copy(written, crashed)
    shutil.copy(written.with_suffix(".json"), crashed.with_suffix(".json"))
    # The running window's own session is never offered.
    assert [f.project_path for f in recovery.orphans()] == [crashed]
    expected = window.project.graph.copy()

    window.files.save_to(tmp_path / "saved.nnstudio")
    assert not recovery.has_file()  # a clean save removes the recovery copy

    fresh = MainWindow(recovery=RecoverySession(recovery.folder))
    qtbot.addWidget(fresh)
    fresh.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    fresh.files.ask_recover = lambda files: True  # type: ignore[method-assign]
    assert fresh.files.offer_recovery()
    assert fresh.project.graph.same_as(expected)
    assert fresh.isWindowModified()
    assert not crashed.exists()
    assert fresh.files.recovery.has_file()  # kept safe again under the new session
    fresh.close()
    assert not fresh.files.recovery.has_file()


def test_declining_recovery_discards_the_files(window: MainWindow) -> None:
    folder = window.files.recovery.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "session-old.nnstudio").write_bytes(b"whatever")
    window.files.ask_recover = lambda files: False  # type: ignore[method-assign]
    assert not window.files.offer_recovery()
    assert not list(folder.glob("session-old*"))
    assert not window.files.offer_recovery()  # nothing left to offer
