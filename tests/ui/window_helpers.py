"""Shared set-up for the main-window tests: an isolated window (settings, recovery folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from nnstudio.graph.model.document import Document
from nnstudio.ui.autosave import RECOVERY_ENV, RecoverySession
from nnstudio.ui.main_window import MainWindow


def isolate_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point QSettings and the recovery folder into ``tmp_path``; returns the recovery folder."""
    QCoreApplication.setOrganizationName("NNStudioTests")
    QCoreApplication.setApplicationName("NNStudioTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    recovery = tmp_path / "recovery"
    monkeypatch.setenv(RECOVERY_ENV, str(recovery))
    return recovery


def make_window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # type: ignore[no-untyped-def]
    """A shown 1440×900 main window whose closing never asks questions."""
    recovery = isolate_settings(tmp_path, monkeypatch)
    window = MainWindow(recovery=RecoverySession(recovery))
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def build_small_network(doc: Document) -> dict[str, str]:
    """Input feature → Neuron ← Bias, Neuron → Output; returns the ids by role."""
    x = doc.add_node("neuron.input_feature", (0.0, 0.0))
    b = doc.add_node("neuron.bias", (0.0, 120.0))
    h = doc.add_node("neuron.neuron", (220.0, 40.0))
    y = doc.add_node("neuron.output", (440.0, 40.0))
    doc.connect(x, "out", h, "in", weight=0.5)
    doc.connect(b, "out", h, "in", weight=-0.25)
    doc.connect(h, "out", y, "in")
    return {"x": x, "b": b, "h": h, "y": y}
