"""The document lock during a run: edits that would change the compiled graph are blocked.

While training runs on its compiled snapshot, the palette and the inspector are disabled,
the structural edit actions (cut, paste, delete, duplicate, undo, redo, new, open) are off,
and on the canvas double-clicks, drops and wire drags are swallowed. Selecting and moving
nodes stays possible (it does not change what is trained). A slim bar along the bottom
of the canvas says so, and whether the run goes on or is paused, without covering nodes
at the top.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from nnstudio.ui.canvas.port_item import PortItem
from nnstudio.ui.main_window import MainWindow

BANNER_TEXTS = {
    "running": "Training is running · the network is locked until you press Stop · you can "
               "still select, move and inspect nodes",
    "paused": "Training is paused · the network stays locked until you press Stop · you can "
              "still select, move and inspect nodes",
}
BANNER_TEXT = BANNER_TEXTS["running"]
_BLOCKED_EVENTS = {QEvent.Type.MouseButtonDblClick, QEvent.Type.DragEnter,
                   QEvent.Type.DragMove, QEvent.Type.Drop}


class DocumentLock(QObject):
    """Engage while a run goes on; ``release`` restores everything exactly."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.locked = False
        self.blocked_count = 0  # how many edit gestures were refused (for tests)
        self.banner = QLabel(BANNER_TEXT, window.view.viewport())
        self.banner.setObjectName("training_lock_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "QLabel { background: rgba(255, 244, 204, 235); color: #4a3b00;"
            " border-top: 1px solid #e0c060; padding: 3px 10px; font-weight: 600; }")
        self.banner.hide()
        self._widgets: list[QWidget] = [window.palette_dock.widget(), window.inspector]

    def _actions(self) -> list[QAction]:
        w = self.window
        return [w.cut_action, w.paste_action, w.delete_action, w.duplicate_action,
                w.undo_action, w.redo_action, w.new_action, w.open_action]

    def set_paused(self, paused: bool) -> None:
        """Say in the banner whether the locked run is going or paused."""
        self.banner.setText(BANNER_TEXTS["paused" if paused else "running"])
        if self.locked:
            self._place_banner()

    def engage(self) -> None:
        """Lock the document (idempotent)."""
        if self.locked:
            return
        self.locked = True
        self.window.scene.cancel_interaction()
        for widget in self._widgets:
            widget.setEnabled(False)
        self._disable_actions()
        for menu in (self.window.recent_menu, self.window.examples_menu):
            menu.setEnabled(False)
        stack = self.window.undo_stack
        stack.canUndoChanged.connect(self._keep_disabled)
        stack.canRedoChanged.connect(self._keep_disabled)
        self.window.view.viewport().installEventFilter(self)
        self._place_banner()
        self.banner.show()
        self.banner.raise_()

    def release(self) -> None:
        """Unlock and restore the actions' normal state (idempotent)."""
        if not self.locked:
            return
        self.locked = False
        stack = self.window.undo_stack
        stack.canUndoChanged.disconnect(self._keep_disabled)
        stack.canRedoChanged.disconnect(self._keep_disabled)
        self.window.view.viewport().removeEventFilter(self)
        for widget in self._widgets:
            widget.setEnabled(True)
        for action in self._actions():
            action.setEnabled(True)
        self.window.undo_action.setEnabled(stack.canUndo())
        self.window.redo_action.setEnabled(stack.canRedo())
        for menu in (self.window.recent_menu, self.window.examples_menu):
            menu.setEnabled(True)
        self.banner.hide()

    @Slot()
    def _keep_disabled(self) -> None:
        if self.locked:
            self._disable_actions()

    def _disable_actions(self) -> None:
        for action in self._actions():
            action.setEnabled(False)

    def _place_banner(self) -> None:
        """Full width along the bottom edge of the canvas viewport."""
        area = self.window.view.viewport().rect()
        self.banner.setFixedWidth(max(area.width(), 200))
        self.banner.setFixedHeight(self.banner.heightForWidth(self.banner.width()))
        self.banner.move(0, area.height() - self.banner.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.locked:
            return False
        kind = event.type()
        if kind == QEvent.Type.Resize:
            self._place_banner()
            return False
        if kind in _BLOCKED_EVENTS:
            self._refused()
            return True
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent) \
                and event.button() == Qt.MouseButton.LeftButton:
            view = self.window.view
            pos = view.mapToScene(event.position().toPoint())
            if self.window.scene.item_at(pos, PortItem) is not None:
                self._refused()
                return True
        return False

    def _refused(self) -> None:
        self.blocked_count += 1
        self.window.statusBar().showMessage(
            "The network is locked while training runs; press Stop to edit it.", 4000)
