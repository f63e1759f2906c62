"""The main window: canvas in the centre, palette left, inspector right, problems below.

The window owns a ``Session`` (the open project, its path, undo stack, data signature and
training lock) and is the ``Host`` its features are installed into: training, backprop,
data import and exports each get the session and this window's small host interface,
never the window itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from nnstudio.graph.checks.fixes import Fix
from nnstudio.graph.checks.validation import validate
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.input_fit import input_params
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.project_edits import AnyEdit
from nnstudio.graph.model.regularization import (
    DEFAULT_STRENGTH,
    WEIGHTED_TYPES,
    penalty_values,
    stored_choice,
)
from nnstudio.graph.model.signature import DataSignature
from nnstudio.safe_io import clip
from nnstudio.ui import backprop, data_import, explain, export_actions, runs, training
from nnstudio.ui.autosave import RecoverySession
from nnstudio.ui.canvas import CanvasScene, CanvasView
from nnstudio.ui.file_actions import FileController
from nnstudio.ui.inspector import InspectorWidget
from nnstudio.ui.palette import PaletteWidget, icon_for_name
from nnstudio.ui.problems import ProblemsWidget
from nnstudio.ui.session import Session
from nnstudio.ui.workspaces import WORKSPACES, Workspaces

APP_TITLE = "NN Studio"
AUTOSAVE_MS = 60_000
WELCOME_TEXT = (
    "<h3>An empty network</h3>"
    "<p>Drag a node from the palette on the left onto this canvas,<br>"
    "then drag from an output port to an input port to connect them.</p>"
    "<p>Or open a ready-made network with <b>File › Examples</b>.</p>"
)
StandardKey = QKeySequence.StandardKey
LOCKED_ACTIONS = ("cut", "paste", "delete", "duplicate", "undo", "redo", "new", "open")
"""Actions that would change the network; off while a run locks it."""


def fitting_size(preferred: QSize) -> QSize:
    """``preferred``, cut to the screen's free area (a 1280×720 laptop or projector would
    otherwise show a window whose right and bottom edges are off the screen)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None or QGuiApplication.platformName() == "offscreen":
        return preferred  # no real screen to fit (tests size their windows themselves)
    return preferred.boundedTo(screen.availableGeometry().size())


class MainWindow(QMainWindow):
    """NN Studio's main window for one project at a time (see the module docstring)."""

    def __init__(self, project: Project | None = None, file_path: Path | None = None,
                 recovery: RecoverySession | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowIcon(icon_for_name("app"))
        self.session = Session(project, file_path, self)
        session = self.session

        self.scene = CanvasScene(session.project.graph, session)
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
        self.inspector = InspectorWidget(session.push)
        self.inspector.node_actions = self.scene.node_actions  # a node's actions, as buttons
        self.inspector.network_choice = lambda: stored_choice(self.session.project.ui)
        self.scene.node_defaults = self._node_defaults
        self.problems = ProblemsWidget()
        self.workspaces = Workspaces(self)
        self.palette_dock = self._make_dock("Palette", "palette_dock", self.node_palette,
                                            {"build": "left"})
        self.inspector_dock = self._make_dock(
            "Inspector", "inspector_dock", self.inspector,
            {"build": "right", "train": "left", "explain": "right"}, ("build", "explain"))
        self.problems_dock = self._make_dock(
            "Problems", "problems_dock", self.problems,
            {"build": "bottom", "train": "left", "explain": "right_lower"})
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.palette_dock.setMinimumWidth(220)
        self.inspector_dock.setMinimumWidth(260)

        self.files = FileController(self, session, recovery, self.display_name)
        self.actions_by_name: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self.export_actions = export_actions.install(session, self)
        self.training_ui = training.install(session, self)
        self.backprop_ui = backprop.install(session, self)
        self.data_import = data_import.install(session, self)
        self.runs_ui = runs.install(session, self)
        self.explain_ui = explain.install(session, self)  # tabs beside training's plots
        self.workspaces.changed.connect(lambda _name: QTimer.singleShot(0, self.view.fit_all))
        self.training_ui.panel.load_data_requested.connect(self.data_import.load_data_file)
        self.runs_ui.panel.compared_changed.connect(self.training_ui.show_compared)
        self.statusBar().showMessage("Ready", 3000)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.files.autosave)
        self.autosave_timer.start()

        self.node_palette.node_type_activated.connect(self.add_node_at_center)
        self.problems.node_activated.connect(self.reveal_node)
        self.problems.fix_requested.connect(self.apply_fix)
        self.scene.selection_ids_changed.connect(self._on_selection_changed)
        self.scene.hint_changed.connect(self._show_hint)
        session.project_replaced.connect(self._on_project_replaced)
        session.edited.connect(self.refresh_views)
        session.data_signature_changed.connect(self.refresh_views)
        session.reading_data.connect(self._show_reading)
        session.modified_changed.connect(self._update_title)
        session.lock_changed.connect(self._on_lock_changed)
        session.refused.connect(self._show_refusal)

        self.inspector.set_document(session.project.graph)
        self.refresh_views()
        self.resize(fitting_size(QSize(1440, 900)))
        self.restore_layout()
        self._update_title()

    # --- the open project (read through the session) -------------------------------------
    @property
    def project(self) -> Project:
        return self.session.project

    @property
    def file_path(self) -> Path | None:
        return self.session.path

    @property
    def undo_stack(self) -> QUndoStack:
        return self.session.undo_stack

    @property
    def data_signature(self) -> DataSignature | None:
        return self.session.data_signature

    # --- Host ----------------------------------------------------------------------------
    @property
    def canvas(self) -> CanvasScene:
        return self.scene

    @property
    def canvas_view(self) -> CanvasView:
        return self.view

    def widget(self) -> QWidget:
        return self

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea, *,
                 tab_with: str | None = None, places: Mapping[str, str] | None = None,
                 on_demand: bool = False, front: tuple[str, ...] = ()) -> None:
        """Add a further panel; it gets a toggle under View › Panels. With ``places`` the
        workspaces lay it out (see ``Workspaces``); it stays hidden until then."""
        self.addDockWidget(area, dock)
        if places is not None:
            self.workspaces.register(dock, places, on_demand=on_demand, front=front)
            dock.hide()  # tabbing it now would leave stray tab bars behind
        else:
            other = self.dock(tab_with) if tab_with else None
            if other is not None:
                self.tabifyDockWidget(other, dock)
        if dock.toggleViewAction() not in self.panels_menu.actions():
            self.panels_menu.addAction(dock.toggleViewAction())

    def show_panel(self, name: str, front: bool = True) -> bool:
        return self.workspaces.show_panel(name, front)

    def split_dock(self, name: str, dock: QDockWidget, orientation: Qt.Orientation) -> None:
        other = self.dock(name)
        if other is not None:
            self.splitDockWidget(other, dock, orientation)

    def resize_docks(self, docks: list[QDockWidget], sizes: list[int],
                     orientation: Qt.Orientation) -> None:
        self.resizeDocks(docks, sizes, orientation)

    def dock(self, name: str) -> QDockWidget | None:
        found = self.findChild(QDockWidget, name)
        return found if isinstance(found, QDockWidget) else None

    def menu(self, name: str) -> QMenu:
        if name not in self.menus:
            title = "&" + name.replace("_", " ").capitalize()
            created = QMenu(title, self)
            self.menuBar().insertMenu(self.menus["help"].menuAction(), created)
            self.menus[name] = created
        return self.menus[name]

    def add_toolbar_actions(self, actions: list[QAction]) -> None:
        self.toolbar.addSeparator()
        self.toolbar.addActions(actions)

    def action(self, name: str) -> QAction | None:
        return self.actions_by_name.get(name)

    def show_status(self, text: str, timeout_ms: int = 4000) -> None:
        if text:
            self.statusBar().showMessage(text, timeout_ms)
        else:
            self.statusBar().clearMessage()

    @Slot(str)
    def _show_reading(self, name: str) -> None:
        """'Reading NAME…' while the project's data file is read, gone when it is done."""
        if name:
            self.statusBar().showMessage(f"Reading {clip(name, 60)} to learn its shape…")
        elif self.statusBar().currentMessage().startswith("Reading "):
            self.statusBar().clearMessage()

    def add_status_widget(self, widget: QWidget) -> None:
        self.statusBar().addPermanentWidget(widget)

    def may_replace_project(self) -> bool:
        return self.files.maybe_save()

    def show_project(self, project: Project, modified: bool = False) -> None:
        self.files.recovery.clear()
        self.session.set_project(project, None, modified=modified)

    def open_example(self, path: Path) -> bool:
        return self.files.open_example(path)

    def reveal_node(self, node_id: str) -> None:
        """Select a node and scroll the canvas so it is in the middle."""
        if node_id in self.project.graph.nodes:
            self.scene.select_nodes([node_id])
            self.view.center_on_node(node_id)

    # --- docks, actions, menus -----------------------------------------------------------
    def _make_dock(self, title: str, name: str, widget: QWidget, places: Mapping[str, str],
                   front: tuple[str, ...] = ()) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.workspaces.register(dock, places, front=front)
        dock.hide()
        return dock

    def _action(self, name: str, text: str, slot: Callable[[], object],
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
        self.actions_by_name[name] = action
        return action

    def _create_actions(self) -> None:
        files, scene, view, session = self.files, self.scene, self.view, self.session
        self.new_action = self._action("new", "&New", files.new_project, StandardKey.New,
                                       "Start an empty project")
        self.open_action = self._action("open", "&Open…", files.open_dialog, StandardKey.Open,
                                        "Open a project file")
        self.save_action = self._action("save", "&Save", files.save, StandardKey.Save,
                                        "Save the project")
        self.save_as_action = self._action("save_as", "Save &As…", files.save_as,
                                           StandardKey.SaveAs,
                                           "Save the project under a new name")
        self.quit_action = self._action("quit", "&Quit", self.close, StandardKey.Quit)
        self.undo_action = self._action("undo", "&Undo", session.undo, StandardKey.Undo)
        self.redo_action = self._action("redo", "&Redo", session.redo, StandardKey.Redo)
        stack = session.undo_stack
        stack.canUndoChanged.connect(self._update_undo_actions)
        stack.canRedoChanged.connect(self._update_undo_actions)
        stack.undoTextChanged.connect(self._update_undo_actions)
        stack.redoTextChanged.connect(self._update_undo_actions)
        self.cut_action = self._action("cut", "Cu&t", scene.cut_selection, StandardKey.Cut)
        self.copy_action = self._action("copy", "&Copy", scene.copy_selection, StandardKey.Copy)
        self.paste_action = self._action("paste", "&Paste", scene.paste, StandardKey.Paste)
        self.duplicate_action = self._action("duplicate", "&Duplicate",
                                             scene.duplicate_selection, "Ctrl+D")
        self.delete_action = self._action(
            "delete", "&Delete", scene.delete_selection,
            [QKeySequence(StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.select_all_action = self._action("select_all", "Select &All", scene.select_all,
                                              StandardKey.SelectAll)
        self.zoom_in_action = self._action("zoom_in", "Zoom &In", view.zoom_in,
                                           StandardKey.ZoomIn)
        self.zoom_out_action = self._action("zoom_out", "Zoom &Out", view.zoom_out,
                                            StandardKey.ZoomOut)
        self.fit_action = self._action("fit", "&Fit All", view.fit_all,
                                       [QKeySequence("Ctrl+0"), QKeySequence("F")],
                                       "Show the whole network")
        self.reset_layout_action = self.workspaces.reset_action
        self.actions_by_name["reset_layout"] = self.reset_layout_action
        for name in WORKSPACES:
            self.actions_by_name[f"workspace_{name}"] = self.workspaces.actions[name]
        for action in (self.new_action, self.open_action, self.save_action, self.undo_action,
                       self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._update_undo_actions()

    @Slot()
    def _update_undo_actions(self) -> None:
        stack = self.session.undo_stack
        for action, able, text, verb in (
                (self.undo_action, stack.canUndo(), stack.undoText(), "&Undo"),
                (self.redo_action, stack.canRedo(), stack.redoText(), "&Redo")):
            action.setEnabled(able and not self.session.locked)
            action.setText(f"{verb} {text}" if text else verb)
            # the toolbar keeps a short, steady label (its neighbours must not move as
            # the text grows); the whole text is in the menu and the tooltip
            action.setIconText(verb.replace("&", ""))
            action.setToolTip(f"{verb.replace('&', '')} {text}" if text else
                              verb.replace("&", ""))

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
        self.view_menu.addActions([self.workspaces.actions[n] for n in WORKSPACES])
        self.view_menu.addAction(self.reset_layout_action)
        self.view_menu.addSeparator()
        self.panels_menu = self.view_menu.addMenu("&Panels")
        for dock in (self.palette_dock, self.inspector_dock, self.problems_dock):
            self.panels_menu.addAction(dock.toggleViewAction())

        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction("About NN Studio", self._show_about)
        self.menus = {"file": self.file_menu, "edit": self.edit_menu, "view": self.view_menu,
                      "help": self.help_menu}

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
        # the workspace switch, at the right end of its own toolbar
        self.workspace_bar = QToolBar("Workspaces", self)
        self.workspace_bar.setObjectName("workspace_toolbar")
        self.workspace_bar.setMovable(False)
        self.workspace_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.workspace_bar.addWidget(spacer)
        self.workspace_bar.addActions([self.workspaces.actions[n] for n in WORKSPACES])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.workspace_bar)

    def _show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "About NN Studio",
                          "<b>NN Studio</b><br>Build, train and understand neural networks "
                          "by drawing them.")

    # --- layout memory -------------------------------------------------------------------
    def restore_layout(self) -> None:
        """The window's size and the workspace it was left in, each workspace's layout as
        the user left it."""
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.workspaces.switch(self.workspaces.load(settings))

    def save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        self.workspaces.save(settings)

    def reset_layout(self) -> None:
        """The current workspace's default layout."""
        self.workspaces.reset()

    # --- project and document ------------------------------------------------------------
    def set_project(self, project: Project, path: Path | None, modified: bool = False) -> None:
        """Show ``project`` (a fresh undo history); ``modified`` marks it unsaved."""
        self.session.set_project(project, path, modified)

    @Slot()
    def _on_project_replaced(self) -> None:
        doc: Document = self.session.project.graph
        self.scene.set_document(doc)
        self.inspector.set_document(doc)
        self._update_title()
        QTimer.singleShot(0, self.view.fit_all)

    @Slot()
    def refresh_views(self) -> None:
        """Bring problems, badges, inspector and the welcome hint up to date."""
        doc = self.project.graph
        problems = validate(doc, self.session.data_signature, self.project.training)
        self.problems.set_problems(doc, problems, self.session.data_signature)
        self.scene.set_problems(problems)
        self.inspector.refresh()
        self.problems_dock.setWindowTitle(f"Problems ({len(problems)})"
                                          if problems and doc.nodes else "Problems")
        self.welcome.setVisible(not doc.nodes)
        self._place_welcome()
        self._update_title()

    def push_edit(self, edit: AnyEdit, text: str | None = None) -> None:
        """Apply ``edit`` as one undo step (raises GraphError when refused)."""
        self.session.push(edit, text)
        self.scene.refresh_now()

    def _node_defaults(self, type_id: str) -> dict[str, object]:
        """What a new node takes from the project: an Input the data's shape, weighted
        nodes the network-wide penalty, Dropouts the network-wide switch."""
        choice = stored_choice(self.session.project.ui)
        data = self.session.data_signature
        if type_id == "layer.input" and data is not None:
            return input_params(data)
        if type_id in WEIGHTED_TYPES and "penalty" in choice:
            return penalty_values(str(choice["penalty"]),
                                  float(choice.get("strength", DEFAULT_STRENGTH)))
        if type_id == "layer.dropout" and choice.get("dropout") is False:
            return {"active": False}
        return {}

    def apply_fix(self, fix: Fix) -> bool:
        """Apply a one-click fix from the Problems list as one undo step."""
        refusal = self.session.try_push(fix.build(self.project.graph), fix.text)
        if refusal is not None:
            self.show_status(refusal, 6000)
            return False
        self.show_status(f"{fix.text}: done (Undo takes it back).", 4000)
        return True

    def add_node_at_center(self, type_id: str) -> str:
        """Add a node of ``type_id`` at the centre of the visible canvas; returns its id."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        return self.scene.add_node_at(type_id, centre)

    def _on_selection_changed(self, node_ids: list[str]) -> None:
        edge_ids = self.scene.selected_edge_ids()
        self.inspector.show_selection(list(node_ids), edge_ids)
        if (node_ids or edge_ids) and self.tabifiedDockWidgets(self.inspector_dock):
            self.inspector_dock.raise_()  # a selection shows its settings, even when tabbed

    def _show_hint(self, text: str) -> None:
        self.show_status(text, 6000)

    @Slot(str)
    def _show_refusal(self, text: str) -> None:
        self.show_status(text, 4000)

    # --- the training lock ---------------------------------------------------------------
    @Slot(bool)
    def _on_lock_changed(self, locked: bool) -> None:
        """While a run goes on: palette and inspector off, structural actions off (moving
        and selecting nodes stay possible). The session refuses edits anyway."""
        if locked:
            self.scene.cancel_interaction()
        for widget in (self.node_palette, self.inspector):
            widget.setEnabled(not locked)
        for name in LOCKED_ACTIONS:
            self.actions_by_name[name].setEnabled(not locked)
        for menu in (self.recent_menu, self.examples_menu):
            menu.setEnabled(not locked)
        self._update_undo_actions()

    # --- modified state and title --------------------------------------------------------
    def is_modified(self) -> bool:
        return self.session.is_modified()

    def display_name(self) -> str:
        name = self.project.name
        if self.file_path is not None and name in ("", "Untitled"):
            return self.file_path.stem
        return name or "Untitled"

    @Slot()
    def _update_title(self) -> None:
        self.setWindowModified(self.session.is_modified())
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
        self.training_ui.shutdown()
        self.save_layout()
        self.autosave_timer.stop()
        self.files.recovery.close()
        self.session.close()
        event.accept()
