"""Shared set-up for the training UI tests: a window with the training UI and an example."""

from __future__ import annotations

from pathlib import Path

import pytest
from window_helpers import make_window

from nnstudio.graph.files.project_file import load_project
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.training import TrainingUi

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def training_window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                    example: str = "xor") -> tuple[MainWindow, TrainingUi]:
    """A shown window (training UI installed once) showing ``examples/<example>``."""
    window = make_window(qtbot, tmp_path, monkeypatch)
    ui = window.training_ui
    path = EXAMPLES / f"{example}.nnstudio"
    window.set_project(load_project(path), path)
    return window, ui


def wait_state(qtbot, ui: TrainingUi, state: str, timeout: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: ui.controller.state == state, timeout=timeout)
