"""Help › Lecture Tour: a panel beside the canvas that walks through ``TOUR``.

Going to a step calls ``open_example(path)`` (which opens a fresh copy and may ask about
unsaved changes first; False leaves everything as it was) and then ``focus(step)``
(which brings the step's panel to the front). The panel shows what to look at, one thing
to try, and the example's own description.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nnstudio.graph.files.project_file import ProjectFileError, load_project
from nnstudio.paths import examples_dir
from nnstudio.ui.explain.tour_steps import TOUR, TourStep


def example_text(path: Path) -> tuple[str, str]:
    """(name, description) of an example file, or a sentence if it cannot be read."""
    try:
        project = load_project(path)
    except (ProjectFileError, OSError):
        return path.stem, f"The example {path.name} could not be read."
    return project.name or path.stem, project.description


class TourPanel(QWidget):
    """The tour's text and its Back / Next buttons."""

    def __init__(self, open_example: Callable[[Path], bool],
                 focus: Callable[[TourStep], None],
                 steps: tuple[TourStep, ...] = TOUR, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tour_panel")
        self.steps = steps
        self._open_example = open_example
        self._focus = focus
        self.index = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.step_combo = QComboBox()
        self.step_combo.setObjectName("tour_steps")
        self.step_combo.setMinimumContentsLength(10)
        self.step_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for i, step in enumerate(steps, start=1):
            self.step_combo.addItem(f"{i}. {step.title}")
        self.step_combo.activated.connect(self.go_to)
        layout.addWidget(self.step_combo)
        self.text = QLabel()
        self.text.setObjectName("tour_text")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("◀")
        self.back_button.setToolTip("The previous step")
        self.back_button.setObjectName("tour_back")
        self.again_button = QPushButton("Again")
        self.again_button.setObjectName("tour_again")
        self.again_button.setToolTip("Open a fresh copy of this step's example")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("The next step")
        self.next_button.setObjectName("tour_next")
        self.back_button.clicked.connect(lambda: self.go_to(self.index - 1))
        self.again_button.clicked.connect(lambda: self.go_to(self.index))
        self.next_button.clicked.connect(lambda: self.go_to(self.index + 1))
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.next_button, 1)
        layout.addLayout(buttons)
        self._show(None)

    def go_to(self, index: int) -> bool:
        """Open step ``index``'s example and bring its panel forward; False if the user
        kept the current project (or there is no such step)."""
        if not 0 <= index < len(self.steps):
            return False
        step = self.steps[index]
        if not self._open_example(examples_dir() / step.example):
            self._show(self.steps[self.index] if self.index >= 0 else None)
            return False
        self.index = index
        self._show(step)
        self._focus(step)
        return True

    def _show(self, step: TourStep | None) -> None:
        self.step_combo.setCurrentIndex(max(self.index, 0))
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.steps) - 1)
        self.again_button.setEnabled(step is not None)
        if step is None:
            self.text.setText(
                f"<p>{len(self.steps)} short steps through the lecture, from one neuron to "
                "the digits practical. Each step opens its example as a fresh copy (your "
                "own files are never changed) and brings the right panel to the front.</p>"
                "<p>Choose a step above, or press Next.</p>")
            return
        name, description = example_text(examples_dir() / step.example)
        number = self.steps.index(step) + 1
        self.text.setText(
            f"<h3 style='margin:2px 0'>{number}. {html.escape(step.title)}</h3>"
            f"<p><b>Look at:</b> {html.escape(step.look)}</p>"
            f"<p><b>Try:</b> {html.escape(step.try_this)}</p>"
            f"<p style='color:#4b5563'><b>The example: {html.escape(name)}.</b> "
            f"{html.escape(description)}</p>")
