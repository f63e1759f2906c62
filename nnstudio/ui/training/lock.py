"""The document lock during a run: edits that would change the compiled graph are blocked.

While training runs on its compiled snapshot, the palette and the inspector are disabled,
the structural edit actions (cut, paste, delete, duplicate, undo, redo, new, open) are off,
and on the canvas double-clicks, drops and wire drags are swallowed. Selecting and moving
nodes stays possible (it does not change what is trained). A banner on the canvas says so.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget

from nnstudio.ui.canvas.port_item import PortItem
from nnstudio.ui.main_window import MainWindow

BANNER_TEXT = (
    "Training is running, so the network is locked: you can select, move and inspect nodes, "
    "but edits that change the network wait until you press Stop."
)
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
            "QLabel { background: #fff4cc; color: #4a3b00; border: 1px solid #e0c060;"
            " border-radius: 4px; padding: 6px 10px; font-weight: 600; }")
        self.banner.hide()
        self._widgets: list[QWidget] = [window.palette_dock.widget(), window.inspector]

    def _actions(self) -> list[QAction]:
        w = self.window
        return [w.cut_action, w.paste_action, w.delete_action, w.duplicate_action,
                w.undo_action, w.redo_action, w.new_action, w.open_action]

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
        area = self.window.view.viewport().rect()
        width = min(area.width() - 24, 760)
        self.banner.setFixedWidth(max(width, 200))
        self.banner.adjustSize()
        self.banner.move(area.center().x() - self.banner.width() // 2, 10)

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
