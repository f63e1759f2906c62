"""Usability fixes found in acceptance testing: the backprop dock keeps its place and fits,
the training panel's dataset choice and narrow layout, the welcome text after New, example
titles, the empty-canvas hint, where Save As starts and small-data defaults."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMenu, QScrollArea, QWidget

from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.training.new_project import new_project_from_data
from nnstudio.ui.backprop.panel import BackpropPanel
from nnstudio.ui.file_actions import SUFFIX, documents_dir
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.problems import EMPTY_HINT
from nnstudio.ui.session import Session
from nnstudio.ui.training.panel import PLACEHOLDER, TrainingPanel
from tests.ui.test_backprop_ui import chocolate_project
from tests.ui.window_helpers import make_window


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # type: ignore[no-untyped-def]
    return make_window(qtbot, tmp_path, monkeypatch)


def choose(combo: QComboBox, data: object) -> None:
    """What a user's pick in the list does: select the item, then ``activated``."""
    index = combo.findData(data)
    assert index >= 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def overflow(root: QWidget) -> list[str]:
    """Visible widgets under ``root`` whose right edge lies beyond ``root``'s width."""
    bad = []
    for child in root.findChildren(QWidget):
        if child.isVisibleTo(root) and child.width() > 0:
            right = child.mapTo(root, child.rect().topRight()).x()
            if right > root.width():
                text = child.text() if isinstance(child, QLabel | QCheckBox) else ""
                bad.append(f"{type(child).__name__} {text!r} ends at {right}")
    return bad


# --- 1. backprop dock --------------------------------------------------------------------

def test_another_tab_in_front_keeps_the_stepping_position(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    project, ids = chocolate_project()
    window.set_project(project, None)
    ui = window.backprop_ui
    ui.dock.show()                         # docked, as a tab beside Problems
    window.tabifyDockWidget(window.problems_dock, ui.dock)
    ui.dock.raise_()
    ui.panel.forward_button.click()
    ui.panel.step_button.click()
    position, current = ui.position, ui.current()
    assert current == ("backward", ids["out"])
    with qtbot.waitSignal(ui.dock.visibilityChanged, check_params_cb=lambda v: not v):
        window.problems_dock.raise_()      # another tab of the same group in front
    assert ui.trace is not None and ui.position == position
    assert ui.overlay.highlighted_node is None  # the canvas numbers go while hidden …
    with qtbot.waitSignal(ui.dock.visibilityChanged, check_params_cb=lambda v: v):
        ui.dock.raise_()
    assert ui.current() == current                 # … and come back with the dock
    assert ui.overlay.highlighted_node == ids["out"]


def test_view_menu_opens_backprop_in_front_and_wide_enough(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    ui = window.backprop_ui
    ui.dock.toggleViewAction().trigger()
    qtbot.waitUntil(ui.dock.isVisible)
    # docked below the canvas in the Explain workspace (never floating over the nodes it
    # labels), in front of the other explaining views and as wide as the canvas
    assert window.workspaces.current == "explain"
    assert not ui.dock.isFloating()
    assert window.dockWidgetArea(ui.dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.explain_ui.landscape_dock in window.tabifiedDockWidgets(ui.dock)
    assert not ui.dock.visibleRegion().isEmpty()
    qtbot.waitUntil(lambda: ui.dock.width() >= 700)
    qtbot.wait(20)
    panel = ui.panel  # at this width its sections may stack; nothing may be clipped
    for button in [*panel.step_buttons, panel.check_button]:
        assert button.width() >= button.minimumSizeHint().width()
    assert overflow(panel) == []


@pytest.mark.parametrize("width", [160, 300, 600, 1000])
def test_backprop_panel_reflows_and_never_clips_buttons(qtbot, width: int) -> None:  # type: ignore[no-untyped-def]
    panel = BackpropPanel()
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(panel)
    qtbot.addWidget(scroll)
    scroll.resize(width, 420)
    scroll.show()
    qtbot.waitExposed(scroll)
    qtbot.wait(10)
    assert panel.is_stacked() == (width < 860)
    viewport = scroll.viewport().width()
    for button in panel.step_buttons:
        assert button.width() >= button.minimumSizeHint().width()
        assert button.mapTo(panel, button.rect().topRight()).x() <= viewport


# --- 2. dataset choice -------------------------------------------------------------------

def test_new_project_shows_a_placeholder_and_the_first_item_can_be_chosen(
        window: MainWindow) -> None:
    panel = window.training_ui.panel
    combo = panel.dataset_combo
    assert combo.currentIndex() == -1 and combo.placeholderText() == PLACEHOLDER
    assert not panel.n_samples.isVisibleTo(panel) and not panel.noise.isVisibleTo(panel)
    first = combo.itemData(0)
    choose(combo, first)                      # the item a new user sees first
    assert window.project.dataset == {"source": "builtin", "name": first, "params": {}}
    assert panel.n_samples.isVisibleTo(panel) and panel.n_samples.value() > 4
    window.undo_stack.undo()
    assert window.project.dataset == {} and combo.currentIndex() == -1


def test_switching_builtin_sets_drops_the_fitted_scaler_in_one_step(window: MainWindow) -> None:
    project, _ids = chocolate_project()
    project.preprocessing = {"scaler": {"kind": "standardize", "mean": [1.0], "std": [2.0]}}
    window.set_project(project, None)
    panel = window.training_ui.panel
    choose(panel.dataset_combo, "line")
    assert window.project.dataset["name"] == "line" and window.project.preprocessing == {}
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert window.project.dataset["name"] == "chocolate"
    assert window.project.preprocessing["scaler"]["mean"] == [1.0]
    choose(panel.dataset_combo, "chocolate")  # the set already in use: nothing to do
    assert window.undo_stack.count() == 1 and window.undo_stack.canRedo()


def test_digits_hide_size_and_noise(window: MainWindow) -> None:
    panel = window.training_ui.panel
    choose(panel.dataset_combo, "digits")
    assert not panel.n_samples.isVisibleTo(panel) and not panel.noise.isVisibleTo(panel)
    assert "fixed" in panel.dataset_note.text()
    choose(panel.dataset_combo, "xor")
    assert panel.n_samples.isVisibleTo(panel) and panel.noise.isVisibleTo(panel)


def test_a_settings_change_clears_a_stale_cannot_train_message(window: MainWindow) -> None:
    panel = window.training_ui.panel
    panel.show_message("Cannot train: choose a dataset first.")
    assert "b3261e" in panel.message.styleSheet()
    choose(panel.dataset_combo, "xor")
    assert panel.message.text() == "" and panel.message.styleSheet() == ""


# --- 3. training panel width -------------------------------------------------------------

def test_training_panel_fits_a_300_px_dock(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    session = Session(Project())
    panel = TrainingPanel(session, window.training_ui.actions)
    qtbot.addWidget(panel)
    panel.resize(300, 1200)
    panel.show()
    qtbot.waitExposed(panel)
    choose(panel.dataset_combo, "spiral")
    qtbot.wait(10)
    scroll = panel.findChild(QScrollArea)
    assert scroll is not None
    assert scroll.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert panel.minimumSizeHint().width() <= 300
    assert panel.body.width() <= scroll.viewport().width()
    assert overflow(panel) == []
    assert panel.descent_label.wordWrap()


# --- 4. welcome text ---------------------------------------------------------------------

def test_welcome_is_centred_after_new_and_resizes(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert window.files.open_path(examples_dir() / "xor.nnstudio", ask=False)
    qtbot.wait(20)
    assert window.files.new_project()
    qtbot.wait(50)                                   # Fit All scrolls the empty canvas

    def check() -> None:
        viewport = window.view.viewport().geometry()
        label = window.welcome
        centre = label.mapTo(window.view, label.rect().center())
        assert label.isVisible()
        assert abs(centre.x() - viewport.center().x()) <= 2
        assert abs(centre.y() - viewport.center().y()) <= 2
        assert label.heightForWidth(label.width()) <= viewport.height()

    check()
    window.resize(1000, 700)
    qtbot.wait(20)
    check()
    window.palette_dock.hide()
    qtbot.wait(20)
    check()


# --- 5. examples menu --------------------------------------------------------------------

def test_examples_menu_shows_project_names_with_first_sentence(window: MainWindow) -> None:
    menu = QMenu()
    window.files.fill_examples_menu(menu)
    texts = {a.text(): a.statusTip() for a in menu.actions()}
    assert "XOR with a hidden layer" in texts and "Xor" not in texts
    tip = texts["XOR with a hidden layer"]
    assert tip.startswith("Why activation functions matter") and tip.endswith(".")
    assert tip.count(". ") == 0


# --- 6. empty canvas ---------------------------------------------------------------------

def test_empty_canvas_shows_a_neutral_hint(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    problems = window.problems
    assert problems.is_hint() and problems.rows()[0] == EMPTY_HINT
    assert window.problems_dock.windowTitle() == "Problems"
    assert all(problems.topLevelItem(i).foreground(0).color().name() == "#5a6270"
               for i in range(problems.topLevelItemCount()))
    assert problems.problems  # validation's sentence is still listed, as information
    window.add_node_at_center("neuron.neuron")
    qtbot.waitUntil(lambda: not problems.is_hint())
    assert window.problems_dock.windowTitle().startswith("Problems (")


# --- 7. save dialog folder ---------------------------------------------------------------

def test_save_as_starts_in_documents_or_the_projects_folder(window: MainWindow,
                                                            tmp_path: Path) -> None:
    window.project.name = "My net: v2?"
    start = window.files.save_start_path()
    assert start.parent == documents_dir() and start.is_absolute()
    assert start.name == f"My net v2{SUFFIX}"
    saved = tmp_path / "nets" / "a.nnstudio"
    window.session.path = saved
    assert window.files.save_start_path() == saved


# --- 8. new project defaults -------------------------------------------------------------

def test_a_new_project_on_small_data_starts_with_batch_descent(window: MainWindow) -> None:
    panel = window.training_ui.panel
    choose(panel.dataset_combo, "chocolate")      # 24 samples: the lecture's batch GD
    assert window.project.training["batch_size"] == 0
    assert panel.descent_label.text().startswith("<b>batch</b>")
    choose(panel.dataset_combo, "xor")            # the user's (now explicit) choice stays
    assert window.project.training["batch_size"] == 0
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert "batch_size" not in window.project.training
    choose(panel.dataset_combo, "xor")            # 400 samples: mini-batch 32 by default
    assert "batch_size" not in window.project.training
    assert "mini-batch" in panel.descent_label.text()


@pytest.mark.parametrize(("rows", "batch"), [(40, 0), (64, 0), (65, 32), (200, 32)])
def test_small_data_trains_with_the_full_batch(tmp_path: Path, rows: int, batch: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 2))
    data = tmp_path / "data.csv"
    data.write_text("a,b,y\n" + "\n".join(f"{a:.4f},{b:.4f},{a + b:.4f}" for a, b in x),
                    encoding="utf-8")
    project = new_project_from_data(data, hidden=(4,))
    assert project.training["batch_size"] == batch
