"""Issue 13, workspaces: Build, Train and Explain layouts of the same docks, each reached
from the View menu, the toolbar and a shortcut, each remembered, each with Reset Layout,
all usable at 1280×720 (no clipped tab name, Train reachable without scrolling)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QScrollArea, QTabBar
from training_helpers import EXAMPLES
from window_helpers import make_window

from nnstudio.graph.files.project_file import load_project
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.workspaces import SHORTCUTS, WORKSPACES, stray_tab_bars


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    path = EXAMPLES / "digits_cnn.nnstudio"
    window.set_project(load_project(path), path)
    return window


def front(dock: QDockWidget) -> bool:
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def clipped_tabs(window: MainWindow) -> list[str]:
    return [" | ".join(bar.tabText(i) for i in range(bar.count()))
            for bar in window.findChildren(QTabBar)
            if bar.isVisible() and bar.count() > 1 and bar.sizeHint().width() > bar.width() + 1]


def settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(30)  # the layout of docks is applied on the next turns of the event loop


def test_view_menu_toolbar_and_shortcuts_switch_workspaces(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    view_texts = [a.text() for a in window.view_menu.actions()]
    assert {"Build", "Train", "Explain", "Reset Layout"} <= set(view_texts)
    toolbar = [a.text() for a in window.workspace_bar.actions()]
    assert toolbar[-3:] == ["Build", "Train", "Explain"]
    for name in ("train", "explain", "build"):
        QTest.keyClick(window, Qt.Key(ord(SHORTCUTS[name][-1])),
                       Qt.KeyboardModifier.ControlModifier)
        assert window.workspaces.current == name
        assert window.workspaces.actions[name].isChecked()
    button = window.workspace_bar.widgetForAction(window.workspaces.actions["train"])
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.workspaces.current == "train"


def test_each_workspace_lays_out_its_docks(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    ui, ws = window.training_ui, window.workspaces
    ws.switch("build")
    settle(qtbot)
    canvas = window.view.width() * window.view.height()
    assert front(window.palette_dock) and front(window.inspector_dock)
    assert not ui.docks["loss"].isVisible()
    assert canvas > 0.45 * window.width() * window.height()  # the canvas gets most
    ws.switch("train")
    settle(qtbot)
    assert not window.palette_dock.isVisible()
    assert front(ui.docks["loss"]) and front(ui.docks["boundary"]) and front(ui.settings_dock)
    loss, pictures = ui.docks["loss"].geometry(), ui.docks["boundary"].geometry()
    # side by side below the canvas, over half the height, most of the width
    assert loss.top() > window.view.geometry().bottom() and pictures.left() > loss.right()
    assert loss.height() >= 0.5 * window.height() - 60
    plots = loss.width() * loss.height() + pictures.width() * pictures.height()
    assert plots >= 0.35 * window.width() * window.height()
    assert window.view.width() >= 0.6 * window.width()  # a wide canvas: networks are wide
    ws.switch("explain")
    settle(qtbot)
    for dock in (window.backprop_ui.dock, window.explain_ui.conv_dock,
                 window.explain_ui.landscape_dock):
        assert not dock.isFloating()  # never floating over the canvas
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert front(window.backprop_ui.dock)
    tabbed = set(window.tabifiedDockWidgets(window.backprop_ui.dock))
    assert {window.explain_ui.conv_dock, window.explain_ui.landscape_dock} <= tabbed
    assert not window.backprop_ui.dock.geometry().intersects(window.view.geometry())


def test_each_workspace_is_remembered_and_reset(qtbot, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    ws = window.workspaces
    ws.switch("train")
    settle(qtbot)
    window.runs_ui.dock.raise_()
    settle(qtbot)
    assert front(window.runs_ui.dock)
    ws.switch("build")
    settle(qtbot)
    window.palette_dock.close()
    ws.switch("train")
    settle(qtbot)
    assert front(window.runs_ui.dock)  # as the user left it
    ws.switch("build")
    settle(qtbot)
    assert not window.palette_dock.isVisible()
    window.reset_layout_action.trigger()
    settle(qtbot)
    assert front(window.palette_dock)
    window.close()
    again = make_window(qtbot, tmp_path, monkeypatch)  # the same settings folder
    assert again.workspaces.current == "build"
    again.workspaces.switch("train")
    settle(qtbot)
    assert front(again.runs_ui.dock)  # remembered across sessions


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)])
def test_usable_at_small_sizes(window: MainWindow, qtbot, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    window.resize(*size)
    for name in WORKSPACES:
        window.workspaces.states.clear()  # the default layouts at this size
        window.workspaces.switch(name)
        settle(qtbot)
        assert (window.width(), window.height()) == size, name  # nothing pushed it wider
        assert clipped_tabs(window) == [], name
        assert stray_tab_bars(window) == [], name
        assert window.view.height() >= 200 and window.view.width() >= 300, name
        if name == "explain":  # no panel's least height squeezes the canvas it explains
            assert window.view.height() >= 0.4 * size[1]
    window.workspaces.switch("train")
    settle(qtbot)
    panel = window.training_ui.panel
    train = panel.buttons["train"]
    assert train.isVisible() and not train.visibleRegion().isEmpty()
    window.training_ui.actions["train"].setText("Continue training")  # its longest text
    settle(qtbot)
    for name, button in panel.buttons.items():  # no button's text is elided
        assert button.width() >= button.sizeHint().width(), name
    scroll = panel.findChild(QScrollArea)
    assert scroll is not None
    # the data and optimizer sections are on screen without scrolling
    for widget in (panel.dataset_combo, panel._fields[("training", "lr")],
                   panel._fields[("training", "epochs")]):
        top = widget.mapTo(scroll.viewport(), widget.rect().topLeft()).y()
        assert top >= 0 and top + widget.height() <= scroll.viewport().height(), widget
    assert scroll.verticalScrollBar().value() == 0


def test_opening_a_panel_from_another_workspace_goes_there(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.workspaces.switch("build")
    window.backprop_ui.show_action.trigger()
    assert window.workspaces.current == "explain" and front(window.backprop_ui.dock)
    window.runs_ui.show_action.trigger()
    assert window.workspaces.current == "train" and front(window.runs_ui.dock)


def test_no_stray_tab_bar_over_the_canvas_when_docks_grow(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Known on a98a1a5: tab bars of docks tabbed before the window was shown stayed
    visible at y ≈ 432 px once the bottom area grew past ~400 px or the left column past
    ~256 px."""
    for name in WORKSPACES:
        window.workspaces.switch(name)
        settle(qtbot)
        bottom = [d for d in window.findChildren(QDockWidget) if d.isVisible()
                  and window.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea]
        left = [d for d in window.findChildren(QDockWidget) if d.isVisible()
                and window.dockWidgetArea(d) == Qt.DockWidgetArea.LeftDockWidgetArea]
        if bottom:
            window.resizeDocks(bottom[:1], [520], Qt.Orientation.Vertical)
        if left:
            window.resizeDocks(left[:1], [320], Qt.Orientation.Horizontal)
        settle(qtbot)
        assert stray_tab_bars(window) == [], name
        canvas = window.view.geometry()
        for bar in window.findChildren(QTabBar):
            if bar.isVisible() and bar.parent() is window:
                assert not bar.geometry().intersects(canvas), (name, bar.geometry())
