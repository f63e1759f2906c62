"""The main window: canvas in the centre, palette left, inspector right, problems below.

The window holds the open ``Project``; its ``graph`` is the document the canvas shows. Other
project fields are kept as they are and saved unchanged. Every edit goes through the canvas
scene's undo stack; ``mark_dirty`` records changes that are not undoable (e.g. training).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QToolBar, QWidget

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.model.edits import Edit
from nnstudio.graph.model.events import Event
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.signature import DataSignature
from nnstudio.ui.autosave import RecoverySession
from nnstudio.ui.canvas import CanvasScene, CanvasView
from nnstudio.ui.file_actions import FileController
from nnstudio.ui.inspector import InspectorWidget
from nnstudio.ui.palette import PaletteWidget, icon_for_name
from nnstudio.ui.problems import ProblemsWidget

APP_TITLE = "NN Studio"
AUTOSAVE_MS = 60_000
RIGHT_DOCK_WIDTH = 320
"""Default width (px) of the right dock column (inspector, training settings)."""
WELCOME_TEXT = (
    "<h3>An empty network</h3>"
    "<p>Drag a node from the palette on the left onto this canvas,<br>"
    "then drag from an output port to an input port to connect them.</p>"
    "<p>Or open a ready-made network with <b>File › Examples</b>.</p>"
)
StandardKey = QKeySequence.StandardKey


class MainWindow(QMainWindow):
    """NN Studio's main window for one project at a time."""

    project_replaced = Signal()  # a different project (or document) is now shown
    document_edited = Signal()  # the document changed; emitted once per event-loop turn

    def __init__(self, project: Project | None = None, file_path: Path | None = None,
                 recovery: RecoverySession | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowIcon(icon_for_name("app"))
        self.project = project if project is not None else Project()
        self.file_path: Path | None = file_path
        self.data_signature: DataSignature | None = None
        self._dirty = False
        self._unsubscribe: Callable[[], None] | None = None

        self.undo_stack = QUndoStack(self)
        self.scene = CanvasScene(self.project.graph, self.undo_stack)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        # A child of the view, not of its viewport: scrolling the canvas (Fit after New)
        # moves the viewport's children with the picture and pushed the text off-centre.
        self.welcome = QLabel(WELCOME_TEXT, self.view)
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.welcome.setWordWrap(True)
        self.welcome.setMargin(12)
        self.welcome.setStyleSheet("color: #5a6270; background: transparent;")
        self.welcome.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.view.viewport().installEventFilter(self)

        self.node_palette = PaletteWidget()
        self.inspector = InspectorWidget(self.push_edit)
        self.problems = ProblemsWidget()
        self.palette_dock = self._add_dock("Palette", "palette_dock", self.node_palette,
                                           Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._add_dock("Inspector", "inspector_dock", self.inspector,
                                             Qt.DockWidgetArea.RightDockWidgetArea)
        self.problems_dock = self._add_dock("Problems", "problems_dock", self.problems,
                                            Qt.DockWidgetArea.BottomDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.palette_dock.setMinimumWidth(250)
        self.inspector_dock.setMinimumWidth(280)
        self.resizeDocks([self.problems_dock], [110], Qt.Orientation.Vertical)

        self.files = FileController(self, recovery)
        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self._install_extensions()
        self.statusBar().showMessage("Ready", 3000)
        self._default_state = self.saveState()

        self._changes_timer = QTimer(self)
        self._changes_timer.setSingleShot(True)
        self._changes_timer.setInterval(0)
        self._changes_timer.timeout.connect(self._on_document_settled)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.files.autosave)
        self.autosave_timer.start()

        self.node_palette.node_type_activated.connect(self.add_node_at_center)
        self.problems.node_activated.connect(self.reveal_node)
        self.scene.selection_ids_changed.connect(self._on_selection_changed)
        self.scene.hint_changed.connect(self._show_hint)
        self.undo_stack.cleanChanged.connect(self._update_modified)
        self.undo_stack.indexChanged.connect(self._update_modified)
        self.document_edited.connect(self.refresh_views)

        self._attach_document()
        self.resize(1440, 900)
        self._size_docks()
        self.restore_layout()
        self._update_title()

    # --- docks, actions, menus -----------------------------------------------------------

    def _install_extensions(self) -> None:
        """Menus and docks that other parts of the UI add to the window."""
        from nnstudio.ui.backprop import install_backprop_ui
        from nnstudio.ui.data_import import install_data_menu
        from nnstudio.ui.export_actions import install_export_menu
        from nnstudio.ui.training.install import install_training_ui

        self.export_actions = install_export_menu(self)
        self.training_ui = install_training_ui(self)
        self.backprop_ui = install_backprop_ui(self)
        self.data_import = install_data_menu(self)  # after training: it feeds the panel

    def _add_dock(self, title: str, name: str, widget: QWidget,
                  area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot: Callable[[], object],
                keys: StandardKey | str | list[QKeySequence] | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if isinstance(keys, list):
            action.setShortcuts(keys)
        elif isinstance(keys, str):
            action.setShortcut(QKeySequence(keys))
        elif keys is not None:
            action.setShortcuts(keys)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        files = self.files
        self.new_action = self._action("&New", files.new_project, StandardKey.New,
                                       "Start an empty project")
        self.open_action = self._action("&Open…", files.open_dialog, StandardKey.Open,
                                        "Open a project file")
        self.save_action = self._action("&Save", files.save, StandardKey.Save, "Save the project")
        self.save_as_action = self._action("Save &As…", files.save_as, StandardKey.SaveAs,
                                           "Save the project under a new name")
        self.quit_action = self._action("&Quit", self.close, StandardKey.Quit)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(StandardKey.Redo)
        scene, view = self.scene, self.view
        self.cut_action = self._action("Cu&t", scene.cut_selection, StandardKey.Cut)
        self.copy_action = self._action("&Copy", scene.copy_selection, StandardKey.Copy)
        self.paste_action = self._action("&Paste", scene.paste, StandardKey.Paste)
        self.duplicate_action = self._action("&Duplicate", scene.duplicate_selection, "Ctrl+D")
        self.delete_action = self._action(
            "&Delete", scene.delete_selection,
            [QKeySequence(StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.select_all_action = self._action("Select &All", scene.select_all,
                                              StandardKey.SelectAll)
        self.zoom_in_action = self._action("Zoom &In", view.zoom_in, StandardKey.ZoomIn)
        self.zoom_out_action = self._action("Zoom &Out", view.zoom_out, StandardKey.ZoomOut)
        self.fit_action = self._action("&Fit All", view.fit_all,
                                       [QKeySequence("Ctrl+0"), QKeySequence("F")],
                                       "Show the whole network")
        self.reset_layout_action = self._action("Reset Panel Layout", self.reset_layout)
        for action in (self.new_action, self.open_action, self.save_action, self.undo_action,
                       self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

    def _create_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(
            lambda: self.files.fill_recent_menu(self.recent_menu))
        self.examples_menu = QMenu("&Examples", self)
        self.examples_menu.aboutToShow.connect(
            lambda: self.files.fill_examples_menu(self.examples_menu))
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addMenu(self.examples_menu)
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.save_action, self.save_as_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([self.undo_action, self.redo_action])
        self.edit_menu.addSeparator()
        self.edit_menu.addActions([self.cut_action, self.copy_action, self.paste_action,
                                   self.duplicate_action, self.delete_action])
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.select_all_action)

        self.view_menu = bar.addMenu("&View")
        self.view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action])
        self.view_menu.addSeparator()
        self.panels_menu = self.view_menu.addMenu("&Panels")
        for dock in (self.palette_dock, self.inspector_dock, self.problems_dock):
            self.panels_menu.addAction(dock.toggleViewAction())
        self.view_menu.addAction(self.reset_layout_action)

        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction("About NN Studio", self._show_about)

    def _create_toolbar(self) -> None:
        self.toolbar = QToolBar("Main toolbar", self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.new_action, self.open_action, self.save_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.undo_action, self.redo_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.panels_menu.addAction(self.toolbar.toggleViewAction())

    def _size_docks(self) -> None:
        """Default widths: the right column fits the training settings (~320 px)."""
        self.resizeDocks([self.palette_dock, self.inspector_dock], [250, RIGHT_DOCK_WIDTH],
                         Qt.Orientation.Horizontal)

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea) -> None:
        """Add a further panel (e.g. training plots); it gets a toggle under View › Panels."""
        self.addDockWidget(area, dock)
        self.panels_menu.addAction(dock.toggleViewAction())

    def _show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "About NN Studio",
                          "<b>NN Studio</b><br>Build, train and understand neural networks "
                          "by drawing them.")

    # --- layout memory -------------------------------------------------------------------
    def restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        state = settings.value("main_window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/state", self.saveState())

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in (self.palette_dock, self.inspector_dock, self.problems_dock):
            dock.setFloating(False)
            dock.show()

    # --- project and document ------------------------------------------------------------
    def set_project(self, project: Project, path: Path | None, modified: bool = False) -> None:
        """Show ``project`` (a fresh undo history); ``modified`` marks it unsaved."""
        self.project = project
        self.file_path = path
        self.undo_stack.clear()
        self.scene.set_document(project.graph)
        self._dirty = modified
        self._attach_document()
        self._update_modified()
        self.project_replaced.emit()
        QTimer.singleShot(0, self.view.fit_all)

    def _attach_document(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = self.project.graph.subscribe(self._on_document_event)
        self.inspector.set_document(self.project.graph)
        self.refresh_views()

    def _on_document_event(self, _event: Event) -> None:
        self._changes_timer.start()

    def _on_document_settled(self) -> None:
        self.document_edited.emit()

    def refresh_views(self) -> None:
        """Bring problems, badges, inspector and the welcome hint up to date."""
        doc = self.project.graph
        problems = validate(doc, self.data_signature)
        self.problems.set_problems(doc, problems)
        self.scene.set_problems(problems)
        self.inspector.refresh()
        self.problems_dock.setWindowTitle(f"Problems ({len(problems)})"
                                          if problems and doc.nodes else "Problems")
        self.welcome.setVisible(not doc.nodes)
        self._place_welcome()

    def set_data_signature(self, data: DataSignature | None) -> None:
        """Validate against this dataset from now on (set by the training panel)."""
        self.data_signature = data
        self.refresh_views()

    def push_edit(self, edit: Edit) -> None:
        """Apply ``edit`` as one undo step (through the canvas scene)."""
        self.scene.push_edit(edit)

    def add_node_at_center(self, type_id: str) -> str:
        """Add a node of ``type_id`` at the centre of the visible canvas; returns its id."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        return self.scene.add_node_at(type_id, centre)

    def reveal_node(self, node_id: str) -> None:
        """Select a node and scroll the canvas so it is in the middle."""
        if node_id in self.project.graph.nodes:
            self.scene.select_nodes([node_id])
            self.view.center_on_node(node_id)

    def _on_selection_changed(self, node_ids: list[str]) -> None:
        edge_ids = self.scene.selected_edge_ids()
        self.inspector.show_selection(list(node_ids), edge_ids)
        if (node_ids or edge_ids) and self.tabifiedDockWidgets(self.inspector_dock):
            self.inspector_dock.raise_()  # a selection shows its settings, even when tabbed

    def _show_hint(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text, 6000)
        else:
            self.statusBar().clearMessage()

    # --- modified state and title --------------------------------------------------------
    def mark_dirty(self) -> None:
        """Record a change that is not on the undo stack (e.g. trained weights)."""
        self._dirty = True
        self._update_modified()

    def mark_saved(self, path: Path) -> None:
        self.file_path = path
        self.undo_stack.setClean()
        self._dirty = False
        self._update_modified()

    def is_modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    def display_name(self) -> str:
        return self.project.name or (self.file_path.stem if self.file_path else "Untitled")

    def _update_modified(self) -> None:
        self.setWindowModified(self.is_modified())
        self._update_title()

    def _update_title(self) -> None:
        name = self.display_name()
        if self.file_path is not None and self.file_path.stem != name:
            name = f"{name} ({self.file_path.name})"
        self.setWindowTitle(f"{name}[*] — {APP_TITLE}")

    # --- events --------------------------------------------------------------------------
    def _place_welcome(self) -> None:
        """Cover the canvas viewport; the label centres (and wraps) its text in it."""
        self.welcome.setGeometry(self.view.viewport().geometry())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._place_welcome()
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self.autosave_timer.stop()
        self.files.recovery.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        event.accept()
