"""Workspaces: Build, Train and Explain layouts of the same docks, each remembered.

- **Build**: the canvas takes most of the window, the palette left, inspector (and the
  training settings as a tab) right, problems in a strip below the canvas.
- **Train**: the plots take about half the window, in two tab groups side by side below
  a wide, shorter canvas (the curves left, the pictures right); training settings,
  inspector and problems in the left column.
- **Explain**: backprop, the convolution explainer and the landscape docked below the
  canvas (never floating over it), the inspector right, the lecture tour left.

Features say where their docks go when they add them (``Host.add_dock(places=...)``).
A layout is built from those places; the user's changes to a workspace are kept (in
memory and in QSettings) until "Reset Layout" rebuilds its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar

WORKSPACES = ("build", "train", "explain")
TITLES = {"build": "Build", "train": "Train", "explain": "Explain"}
SHORTCUTS = {"build": "Ctrl+1", "train": "Ctrl+2", "explain": "Ctrl+3"}
TIPS = {
    "build": "Build the network: the canvas large, palette and inspector beside it",
    "train": "Train: the plots take half the window beside the canvas and the settings",
    "explain": "Explain: backprop step by step, the convolution explainer and the loss "
               "landscape below the canvas",
}
PLACES = ("left", "left_lower", "right", "right_lower", "bottom", "bottom_right")
"""Where a dock may sit; "…_lower" splits below its column, "bottom_right" beside the
bottom group."""
_AREAS = {"left": Qt.DockWidgetArea.LeftDockWidgetArea,
          "right": Qt.DockWidgetArea.RightDockWidgetArea,
          "bottom": Qt.DockWidgetArea.BottomDockWidgetArea}
SETTINGS_KEY = "workspaces"
STATE_VERSION = 13


@dataclass
class DockPlaces:
    """One dock's place in each workspace (absent: hidden there); ``on_demand`` docks are
    placed but stay hidden until something opens them; ``front``: raised in its group."""

    dock: QDockWidget
    places: dict[str, str]
    on_demand: bool = False
    front: set[str] = field(default_factory=set)


def stray_tab_bars(window: QMainWindow) -> list[QTabBar]:
    """Tab bars of the window's dock groups that show although no dock of theirs does:
    Qt keeps the bar of a group whose docks were all hidden visible at its old place
    (seen at y ≈ 432 and y ≈ 852 px, over the canvas or a plot). A live bar sits against
    the visible dock of its current tab."""
    docks = [d for d in window.findChildren(QDockWidget) if d.isVisible()
             and not d.isFloating()]
    stray = []
    for bar in window.findChildren(QTabBar):
        rect = bar.geometry()
        if bar.parent() is not window or not bar.isVisible() \
                or not rect.intersects(window.rect()):
            continue  # Qt parks unused bars outside the window
        title = bar.tabText(bar.currentIndex()) if bar.count() else None
        live = any(d.windowTitle() == title and d.geometry().left() < rect.right()
                   and rect.left() < d.geometry().right()
                   and (abs(d.geometry().bottom() + 1 - rect.top()) <= 8
                        or abs(rect.bottom() + 1 - d.geometry().top()) <= 8)
                   for d in docks)
        if not live:
            stray.append(bar)
    return stray


def hide_stray_tab_bars(window: QMainWindow) -> None:
    for bar in stray_tab_bars(window):
        bar.hide()


def _sizes(workspace: str, width: int, height: int) -> dict[str, int]:
    """Default sizes (px) of the columns and rows of ``workspace`` in a window this big."""
    if workspace == "train":
        return {"left": 310 if width >= 1400 else 300, "right": 320,
                "left_lower": max(height // 4, 150), "right_lower": height // 2,
                "bottom": int(height * 0.55), "bottom_right": (width - 300) // 2}
    if workspace == "explain":
        return {"left": 300, "right": 320 if width >= 1400 else 290,
                "bottom": max(int(height * 0.42), 280), "left_lower": height // 3,
                "right_lower": height // 3}
    return {"left": 250 if width >= 1400 else 230, "right": 320 if width >= 1400 else 300,
            "bottom": 120, "left_lower": height // 3, "right_lower": height // 3}


class Workspaces(QObject):
    """The workspaces of one main window: registered docks, the switch, memory."""

    changed = Signal(str)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.docks: dict[str, DockPlaces] = {}
        self.current = "build"
        self.states: dict[str, QByteArray] = {}
        self.actions: dict[str, QAction] = {}
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        for name in WORKSPACES:
            action = QAction(TITLES[name], window)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(SHORTCUTS[name]))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            tip = f"{TIPS[name]} ({SHORTCUTS[name]})"
            action.setToolTip(tip)
            action.setStatusTip(TIPS[name])
            action.triggered.connect(lambda _=False, n=name: self.switch(n))
            self.group.addAction(action)
            window.addAction(action)
            self.actions[name] = action
        self.reset_action = QAction("Reset Layout", window)
        self.reset_action.setStatusTip("Put the panels of this workspace back where they "
                                       "start")
        self.reset_action.triggered.connect(lambda _=False: self.reset())
        self.actions[self.current].setChecked(True)

    # --- registration --------------------------------------------------------------------
    def register(self, dock: QDockWidget, places: Mapping[str, str], *,
                 on_demand: bool = False, front: tuple[str, ...] = ()) -> None:
        """``places``: workspace -> place (see PLACES); ``front``: workspaces in which the
        dock is the tab in front of its group."""
        for workspace, place in places.items():
            if workspace not in WORKSPACES or place not in PLACES:
                raise ValueError(f"unknown workspace or place: {workspace!r} → {place!r}")
        name = dock.objectName()
        self.docks[name] = DockPlaces(dock, dict(places), on_demand, set(front))
        dock.toggleViewAction().triggered.connect(
            lambda checked, n=name: self._toggled(n, checked))

    def _toggled(self, name: str, checked: bool) -> None:
        """View › Panels opened a dock: where it has a place, in front of its tabs."""
        if checked:
            self.show_panel(name)

    def holds(self, workspace: str, name: str) -> bool:
        """True if the dock ``name`` has a place in ``workspace``."""
        entry = self.docks.get(name)
        return entry is not None and workspace in entry.places

    def home(self, name: str) -> str | None:
        """The first workspace that holds dock ``name`` (None: it has no place)."""
        return next((w for w in WORKSPACES if self.holds(w, name)), None)

    # --- switching -----------------------------------------------------------------------
    def switch(self, workspace: str) -> None:
        """Show ``workspace``: its remembered layout, else its default."""
        if workspace not in WORKSPACES:
            raise ValueError(f"unknown workspace {workspace!r}")
        if workspace != self.current:
            self.remember()
        opened = [e.dock for e in self.docks.values() if e.on_demand and e.dock.isVisible()
                  and workspace in e.places]
        self.current = workspace
        self.actions[workspace].setChecked(True)
        state = self.states.get(workspace)
        if state is None or not self.window.restoreState(state, STATE_VERSION):
            self.apply_default(workspace)
        for dock in opened:  # an opened tour stays open in the next workspace
            dock.show()
        self._tidy()
        self.changed.emit(workspace)

    def remember(self) -> None:
        """Keep the current workspace's layout as the user left it."""
        self.states[self.current] = self.window.saveState(STATE_VERSION)

    def reset(self) -> None:
        """The current workspace's default layout again (its memory is dropped)."""
        self.states.pop(self.current, None)
        self.apply_default(self.current)
        self._tidy()

    def show_panel(self, name: str, front: bool = True) -> bool:
        """Show dock ``name``: in this workspace if it has a place here, else in the first
        workspace that has one (switching to it). ``front``: raise it over its tabs; when
        False, a dock already visible keeps its tab group as it is. False: no such dock."""
        entry = self.docks.get(name)
        if entry is None:
            return False
        if self.current not in entry.places:
            home = self.home(name)
            if home is not None:
                self.switch(home)
        dock = entry.dock
        if not front and dock.toggleViewAction().isChecked():
            return True  # open already (perhaps behind another tab): leave it
        dock.show()
        dock.raise_()
        return True

    # --- building a layout ---------------------------------------------------------------
    def apply_default(self, workspace: str) -> None:
        """Lay the docks out for ``workspace`` from their places."""
        window = self.window
        size = window.size()  # placing shows every dock for a moment, which may grow it
        entries = list(self.docks.values())
        for entry in entries:
            entry.dock.setFloating(False)
            window.removeDockWidget(entry.dock)
        groups: dict[str, list[DockPlaces]] = {place: [] for place in PLACES}
        for entry in entries:
            place = entry.places.get(workspace) or entry.places.get(
                self.home(entry.dock.objectName()) or "", "bottom")
            groups[place].append(entry)
        anchors: dict[str, QDockWidget] = {}
        for place in PLACES:
            members = groups[place]
            if not members:
                continue
            shown = [e for e in members if workspace in e.places and not e.on_demand]
            first = (shown or members)[0].dock
            area = _AREAS[place.split("_")[0]]
            column = place.split("_")[0]
            if place.endswith("_lower") and column in anchors:
                window.splitDockWidget(anchors[column], first, Qt.Orientation.Vertical)
            elif place == "bottom_right" and "bottom" in anchors:
                window.splitDockWidget(anchors["bottom"], first, Qt.Orientation.Horizontal)
            else:
                window.addDockWidget(area, first)
                anchors.setdefault(column, first)
            anchors.setdefault(place, first)
            first.show()  # a hidden dock cannot be split or tabbed beside
        for place in PLACES:  # tabs after all splits: Qt splits a tabbed dock into a tab
            members = groups[place]
            for other in members:
                if members and other.dock is not anchors[place]:
                    other.dock.show()
                    window.tabifyDockWidget(anchors[place], other.dock)
        for place in PLACES:  # hide what this workspace does not show, raise the fronts
            for entry in groups[place]:
                entry.dock.setVisible(workspace in entry.places and not entry.on_demand)
            visible = [e.dock for e in groups[place]
                       if workspace in e.places and not e.on_demand]
            fronts = [e.dock for e in groups[place] if workspace in e.front
                      and e.dock in visible]
            for dock in (fronts or visible)[:1]:
                dock.raise_()
        layout = window.layout()
        if window.size() != size and layout is not None:
            layout.invalidate()
            layout.activate()  # the minimum without the hidden docks
            window.resize(size)
        self._size(workspace, anchors)
        QTimer.singleShot(0, lambda: self._size(workspace, anchors)
                          if self.current == workspace else None)

    def _size(self, workspace: str, anchors: Mapping[str, QDockWidget]) -> None:
        window = self.window
        sizes = _sizes(workspace, window.width(), window.height())
        horizontal = [(anchors[c], sizes[c]) for c in ("left", "right", "bottom_right")
                      if c in anchors and anchors[c].isVisible() and c in sizes]
        if horizontal:
            window.resizeDocks([d for d, _ in horizontal], [s for _, s in horizontal],
                               Qt.Orientation.Horizontal)
        vertical = [(anchors[p], sizes[p]) for p in ("left_lower", "right_lower")
                    if p in anchors and anchors[p].isVisible()]
        if "bottom" in anchors and anchors["bottom"].isVisible():
            vertical.append((anchors["bottom"], sizes["bottom"]))
        if vertical:
            window.resizeDocks([d for d, _ in vertical], [s for _, s in vertical],
                               Qt.Orientation.Vertical)

    def _tidy(self) -> None:
        """Hide the tab bars Qt leaves behind (now and once the layout has settled)."""
        hide_stray_tab_bars(self.window)
        QTimer.singleShot(0, lambda: hide_stray_tab_bars(self.window))

    # --- memory --------------------------------------------------------------------------
    def save(self, settings: QSettings) -> None:
        self.remember()
        settings.setValue(f"{SETTINGS_KEY}/current", self.current)
        for name, state in self.states.items():
            settings.setValue(f"{SETTINGS_KEY}/{name}", state)

    def load(self, settings: QSettings) -> str:
        """Read the remembered layouts; returns the workspace to start in."""
        for name in WORKSPACES:
            state = settings.value(f"{SETTINGS_KEY}/{name}")
            if isinstance(state, QByteArray) and not state.isEmpty():
                self.states[name] = state
        current = settings.value(f"{SETTINGS_KEY}/current")
        return current if current in WORKSPACES else "build"
