"""No traceback reaches the user: an exception in a slot shows a dialog, the app keeps running."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox
from window_helpers import make_window

from nnstudio.ui import error_dialog
from nnstudio.ui.error_dialog import install_exception_hook


class _Emitter(QObject):
    fired = Signal()


@pytest.mark.qt_no_exception_capture  # our hook, not pytest-qt's, must see the exception
def test_exception_in_slot_shows_dialog_and_app_keeps_running(qtbot, tmp_path, monkeypatch
                                                              ) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    shown: list[tuple[str, str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.text(), box.informativeText(), box.detailedText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    hook, uninstall = install_exception_hook(lambda: window)
    try:
        assert sys.excepthook is hook
        emitter = _Emitter()

        def broken_slot() -> None:
            raise ValueError("The layer has no weights yet.")

        emitter.fired.connect(broken_slot)
        emitter.fired.emit()
        assert len(shown) == 1
        text, sentence, details = shown[0]
        assert text == "Something went wrong, but your work is still open."
        assert sentence == "The layer has no weights yet."
        assert "Traceback" in details and "broken_slot" in details

        # The event loop still runs and the window still works.
        ticks: list[int] = []
        QTimer.singleShot(0, lambda: ticks.append(1))
        qtbot.waitUntil(lambda: ticks == [1])
        window.add_node_at_center("neuron.bias")
        assert len(window.project.graph.nodes) == 1
    finally:
        uninstall()
    assert sys.excepthook is not hook


def test_error_sentence_falls_back_to_the_type_name() -> None:
    assert error_dialog.error_sentence(KeyError()) == "KeyError"
    assert error_dialog.error_sentence(RuntimeError(" Disk full. ")) == "Disk full."
