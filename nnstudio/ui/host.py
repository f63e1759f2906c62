"""What a feature may ask of the window it is installed into (the main window is one).

A feature package has one entry point ``install(session, host) -> <its controller>``. It
changes the project only through the ``Session`` and reaches the window only through
this small interface, never through the ``MainWindow`` class itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

from nnstudio.graph.model.project import Project

if TYPE_CHECKING:
    from nnstudio.ui.canvas import CanvasScene, CanvasView


class Host(Protocol):
    """The window seen by a feature."""

    @property
    def canvas(self) -> CanvasScene:
        """The canvas scene (overlays, thumbnails, selection, node context menus)."""
        ...

    @property
    def canvas_view(self) -> CanvasView:
        """The view showing the canvas (banners over it, centring on a node)."""
        ...

    def widget(self) -> QWidget:
        """The parent for dialogs and docks."""
        ...

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea, *,
                 tab_with: str | None = None, places: Mapping[str, str] | None = None,
                 on_demand: bool = False, front: tuple[str, ...] = ()) -> None:
        """Dock a panel (listed under View › Panels). ``places``: where it sits in each
        workspace ("build", "train", "explain" -> "left", "left_lower", "right",
        "right_lower", "bottom", "bottom_right"; a workspace left out hides it);
        ``on_demand``: placed but hidden until opened; ``front``: the workspaces in which
        it is the tab in front. Without ``places`` it goes to ``area`` (``tab_with``: the
        object name of a dock to share a tab group with)."""
        ...

    def show_panel(self, name: str, front: bool = True) -> bool:
        """Show the dock ``name`` in front of its tab group, switching to a workspace that
        holds it if the current one does not; ``front`` False leaves an open dock behind
        its tab. False if there is no such dock."""
        ...

    def split_dock(self, name: str, dock: QDockWidget, orientation: Qt.Orientation) -> None:
        """Place ``dock`` beside the dock called ``name`` (which must be docked)."""
        ...

    def resize_docks(self, docks: list[QDockWidget], sizes: list[int],
                     orientation: Qt.Orientation) -> None:
        """Resize docked panels (px), as ``QMainWindow.resizeDocks``."""
        ...

    def dock(self, name: str) -> QDockWidget | None:
        """A dock by object name ("inspector_dock", "problems_dock", "loss_dock"...)."""
        ...

    def menu(self, name: str) -> QMenu:
        """The menu "file", "edit", "view", "help", or a feature's own (made on first use,
        placed before Help)."""
        ...

    def add_toolbar_actions(self, actions: list[QAction]) -> None:
        """Append actions to the main toolbar after a separator."""
        ...

    def action(self, name: str) -> QAction | None:
        """A window action by name ("undo", "redo", "delete", "new", "open"...)."""
        ...

    def show_status(self, text: str, timeout_ms: int = 4000) -> None:
        """A short message in the status bar ("" clears it)."""
        ...

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget at the right of the status bar."""
        ...

    def may_replace_project(self) -> bool:
        """Ask about unsaved changes if there are any; True when the open project may be
        replaced (saved, discarded or unchanged)."""
        ...

    def show_project(self, project: Project, modified: bool = False) -> None:
        """Show a project made by a feature as an untitled document (``modified``: it
        counts as unsaved); call ``may_replace_project`` first."""
        ...

    def open_example(self, path: Path) -> bool:
        """Open a fresh copy of an example (asks about unsaved changes first)."""
        ...

    def reveal_node(self, node_id: str) -> None:
        """Select a node and scroll the canvas to it."""
        ...
