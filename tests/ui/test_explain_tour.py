"""The lecture tour: every step opens its example as a fresh copy and brings its panel to
the front; every lecture concept of the README's table is reachable from it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDockWidget

from nnstudio.paths import examples_dir
from nnstudio.ui.explain.tour_steps import TOUR
from tests.ui.window_helpers import make_window

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_concepts() -> list[str]:
    """The first column of the README's "What you can do" table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## What you can do", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [row.split("|")[1].strip() for row in rows]
    return [c for c in cells if c and c != "Lecture concept" and not re.fullmatch("-+", c)]


def test_every_readme_concept_is_reachable_from_the_tour() -> None:
    concepts = readme_concepts()
    assert len(concepts) >= 12
    covered = {c for step in TOUR for c in step.concepts}
    assert set(concepts) <= covered, set(concepts) - covered
    assert covered <= set(concepts), covered - set(concepts)  # no step names a stale row


def test_every_step_has_an_existing_example_and_words() -> None:
    for step in TOUR:
        assert (examples_dir() / step.example).is_file(), step.example
        assert len(step.look) > 80 and len(step.try_this) > 40, step.key
    assert len({step.key for step in TOUR}) == len(TOUR)


def _in_front(dock: QDockWidget) -> bool:
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


@pytest.mark.slow
def test_every_step_opens_and_brings_its_panel_to_the_front(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            monkeypatch) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    errors: list[str] = []
    monkeypatch.setattr(window.files, "show_error", lambda *a: errors.append(" ".join(a)))
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in examples_dir().glob("*.nnstudio")}
    ui = window.explain_ui
    for index, step in enumerate(TOUR):
        assert ui.show_tour(index), step.key
        qtbot.waitUntil(lambda: not ui.landscape.runner.busy, timeout=20_000)
        qtbot.wait(20)
        assert not errors, (step.key, errors)
        assert window.file_path is None  # a fresh, untitled copy
        assert window.project.description  # the example's own description
        dock = window.findChild(QDockWidget, step.focus.dock)
        assert dock is not None, step.focus.dock
        assert _in_front(dock), (step.key, step.focus.dock)
        assert _in_front(ui.tour_dock), step.key  # the tour text stays beside the canvas
        if step.focus.kind == "select":
            selected = window.scene.selected_node_ids()
            assert [window.project.graph.nodes[n].type_id for n in selected] == [
                step.focus.target]
        if step.focus.kind == "explain":
            assert ui.conv.explanation is not None
            assert window.project.graph.nodes[ui.conv.node_id].type_id == step.focus.target
        if step.focus.kind == "landscape":
            assert ui.landscape.result is not None, step.key
            assert ui.landscape.surface_key() == step.focus.target
        text = ui.tour.text.text()
        assert step.title in text and window.project.name in text
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in examples_dir().glob("*.nnstudio")}
    assert after == before  # the tour never changed the example files


def test_keeping_unsaved_work_leaves_the_tour_where_it_was(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           monkeypatch) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    ui = window.explain_ui
    assert ui.show_tour(0)
    window.add_node_at_center("neuron.neuron")  # unsaved work
    window.files.ask_save_changes = lambda: "cancel"  # type: ignore[method-assign]
    project = window.project
    assert not ui.tour.go_to(1)
    assert window.project is project and ui.tour.index == 0
    assert ui.tour.step_combo.currentIndex() == 0


def test_tour_text_fits_its_panel_at_1440_by_900(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The longest step's text (with its example's description) needs no scrolling."""
    window = make_window(qtbot, tmp_path, monkeypatch)
    ui = window.explain_ui
    longest = max(range(len(TOUR)), key=lambda i: len(TOUR[i].look + TOUR[i].try_this))
    assert ui.show_tour(longest)
    qtbot.waitUntil(lambda: not ui.landscape.runner.busy, timeout=20_000)
    qtbot.wait(50)
    label = ui.tour.text
    assert label.heightForWidth(label.width()) <= label.height()
