"""Compare runs: the Runs panel (``install(session, host)``), a tab beside the plots.

Ticked runs' curves go into the Loss and Accuracy plots: the window connects the panel's
``compared_changed`` to the training feature's ``show_compared``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from nnstudio.ui.host import Host
from nnstudio.ui.runs.panel import RunsPanel
from nnstudio.ui.session import Session


class RunsUi(QObject):
    """The Runs dock and its menu entry."""

    def __init__(self, session: Session, host: Host) -> None:
        super().__init__(host.widget())
        self.panel = RunsPanel(session)
        self.dock = QDockWidget("Runs", host.widget())
        self.dock.setObjectName("runs_dock")
        self.panel.setMinimumSize(180, 140)
        self.dock.setWidget(self.panel)
        host.add_dock(self.dock, Qt.DockWidgetArea.BottomDockWidgetArea,
                      places={"train": "bottom"})
        self.host = host
        self.show_action = QAction("Compare &Runs", host.widget())
        self.show_action.setStatusTip("List the project's runs; tick some to overlay their "
                                      "curves and see which settings differ")
        self.show_action.triggered.connect(lambda _=False: self.show())
        menu = host.menu("training")
        menu.addAction(self.show_action)

    def show(self) -> None:
        self.host.show_panel(self.dock.objectName())


def install(session: Session, host: Host) -> RunsUi:
    """Add the Runs panel to the window behind ``host``."""
    return RunsUi(session, host)


__all__ = ["RunsPanel", "RunsUi", "install"]
