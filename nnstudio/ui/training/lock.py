"""What the training lock looks like on the canvas.

The session refuses every edit while a run goes on (moving nodes stays allowed), and the
window disables its structural actions, the palette and the inspector. This banner says
so along the bottom of the canvas (running or paused), and on the canvas itself
double-clicks, drops and wire drags are swallowed at once with the same sentence, instead
of starting a gesture that would be refused at its end.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel

from nnstudio.ui.canvas import CanvasView
from nnstudio.ui.canvas.port_item import PortItem
from nnstudio.ui.session import LOCKED_TEXT, Session

BANNER_TEXTS = {
    "running": "Training is running · the network is locked until you press Stop · you can "
               "still select, move and inspect nodes",
    "paused": "Training is paused · the network stays locked until you press Stop · you can "
              "still select, move and inspect nodes",
}
BANNER_TEXT = BANNER_TEXTS["running"]
_BLOCKED_EVENTS = {QEvent.Type.MouseButtonDblClick, QEvent.Type.DragEnter,
                   QEvent.Type.DragMove, QEvent.Type.Drop}


class LockBanner(QObject):
    """Shown while the session is locked; ``set_paused`` changes its sentence."""

    def __init__(self, view: CanvasView, session: Session) -> None:
        super().__init__(view)
        self.view = view
        self.session = session
        self.blocked_count = 0  # how many edit gestures were refused here (for tests)
        # a child of the view, not of its viewport: scrolling the canvas (Fit All) moves
        # the viewport's children with the picture
        self.banner = QLabel(BANNER_TEXT, view)
        self.banner.setObjectName("training_lock_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "QLabel { background: rgba(255, 244, 204, 235); color: #4a3b00;"
            " border-top: 1px solid #e0c060; padding: 3px 10px; font-weight: 600; }")
        self.banner.hide()
        session.lock_changed.connect(self._on_lock_changed)

    @property
    def locked(self) -> bool:
        return self.session.locked

    def set_paused(self, paused: bool) -> None:
        """Say in the banner whether the locked run is going or paused."""
        self.banner.setText(BANNER_TEXTS["paused" if paused else "running"])
        if self.locked:
            self._place_banner()

    @Slot(bool)
    def _on_lock_changed(self, locked: bool) -> None:
        viewport = self.view.viewport()
        if locked:
            viewport.installEventFilter(self)
            self._place_banner()
            self.banner.show()
            self.banner.raise_()
        else:
            viewport.removeEventFilter(self)
            self.banner.hide()
            self.view.set_bottom_inset(0)

    def _place_banner(self) -> None:
        """Full width along the bottom edge of the canvas viewport."""
        area = self.view.viewport().geometry()
        self.banner.setFixedWidth(max(area.width(), 200))
        self.banner.setFixedHeight(self.banner.heightForWidth(self.banner.width()))
        self.banner.move(area.left(), area.bottom() + 1 - self.banner.height())
        self.view.set_bottom_inset(self.banner.height())

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
            pos = self.view.mapToScene(event.position().toPoint())
            if self.view.canvas.item_at(pos, PortItem) is not None:
                self._refused()
                return True
        return False

    def _refused(self) -> None:
        self.blocked_count += 1
        self.session.refused.emit(LOCKED_TEXT)
