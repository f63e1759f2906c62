"""The Training menu, its toolbar buttons and the canvas-overlay switches, with their
enabled states and texts kept in step with the run."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from nnstudio.ui.host import Host
from nnstudio.ui.training.controller import PAUSED, RUNNING, TrainingController

TOOLBAR = ("train", "pause", "step_batch", "stop")
STARTERS = ("train", "step_batch", "step_epoch")
"""Actions that start a run (off while the network cannot train)."""


class TrainingActions:
    """``by_name``: train, pause, stop, step_batch, step_epoch, reset; plus the two
    checkable overlay switches ``gradient_overlay`` and ``neuron_maps``."""

    def __init__(self, controller: TrainingController, host: Host,
                 train: Callable[[], object], overlays_changed: Callable[[], object]) -> None:
        self.controller = controller
        parent = host.widget()
        c = controller
        self.by_name: dict[str, QAction] = {
            "train": _action(parent, "Train", train, "Train the network (F5)", "F5"),
            "pause": _action(parent, "Pause", c.toggle_pause, "Pause or resume the run", "F6"),
            "stop": _action(parent, "Stop", c.stop, "Stop after the current batch; keep the "
                            "weights learned so far", "Shift+F5"),
            "step_batch": _action(parent, "Step", c.step_batch, "Train exactly one batch, "
                                  "then pause", "F10"),
            "step_epoch": _action(parent, "Step epoch", c.step_epoch, "Train to the end of "
                                  "the epoch, then pause", "Shift+F10"),
            "reset": _action(parent, "Reset weights", c.reset_weights, "Start the next run "
                             "from fresh weights; earlier runs keep their records (undoable)"),
        }
        self.tips = {name: action.toolTip() for name, action in self.by_name.items()}
        self.gradient_overlay = _action(parent, "Show Gradients on Edges", overlays_changed,
                                        "Colour edges by gradient magnitude instead of "
                                        "weights")
        self.gradient_overlay.setCheckable(True)
        self.neuron_maps = _action(parent, "Show Neuron Maps on Canvas", overlays_changed,
                                   "Draw each hidden neuron's output over the plane inside "
                                   "its node (2-D data)")
        self.neuron_maps.setCheckable(True)
        self.neuron_maps.setChecked(True)
        menu = host.menu("training")
        for group in (("train", "pause", "stop"), ("step_batch", "step_epoch"), ("reset",)):
            for name in group:
                menu.addAction(self.by_name[name])
            menu.addSeparator()
        menu.addAction(self.gradient_overlay)
        menu.addAction(self.neuron_maps)
        self.menu = menu
        host.add_toolbar_actions([self.by_name[name] for name in TOOLBAR])

    def update(self, state: str, has_run: bool, blocked: str | None = None) -> None:
        """Enable what fits ``state``; Train reads "Continue training" when there is a
        current run to continue. ``blocked``: why no run can start (Train and Step are
        off, the sentence is their tooltip)."""
        a = self.by_name
        active = state in (RUNNING, PAUSED)
        startable = blocked is None
        a["train"].setEnabled(not active and startable)  # paused: Pause reads "Resume"
        a["train"].setText("Continue training" if has_run else "Train")
        a["train"].setIconText("Train")  # the toolbar's buttons keep their places
        a["pause"].setEnabled(active)
        a["pause"].setText("Resume" if state == PAUSED else "Pause")
        a["stop"].setEnabled(active)
        a["step_batch"].setEnabled(state == PAUSED or (state != RUNNING and startable))
        a["step_epoch"].setEnabled(state == PAUSED or (state != RUNNING and startable))
        a["reset"].setEnabled(not active)
        for name, tip in self.tips.items():
            off = blocked is not None and not active and name in STARTERS
            text = f"Cannot train: {blocked} (F5 shows where)" if off else tip
            if name == "train" and not off and has_run:
                text = "Continue training the current run (F5)"
            a[name].setToolTip(text)
            a[name].setStatusTip(text)


def _action(parent: QWidget, text: str, slot: Callable[[], object], tip: str,
            keys: str = "") -> QAction:
    action = QAction(text, parent)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(lambda _=False: slot())
    parent.addAction(action)
    return action
