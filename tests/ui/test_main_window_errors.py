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


@pytest.mark.qt_no_exception_capture
def test_a_known_error_is_its_sentence_not_an_unexpected_error(qtbot, tmp_path, monkeypatch,
                                                               capsys) -> None:
    """Issue 16: a refusal that escapes to the hook (a file, a dataset, the settings) is
    shown as its own sentence; only a bug says "Unexpected error"."""
    from nnstudio.graph.files.project_file import ProjectFileError
    from nnstudio.training.settings import TrainingError

    window = make_window(qtbot, tmp_path, monkeypatch)
    hook, uninstall = install_exception_hook(lambda: window)
    known: list[str] = []
    unexpected: list[str] = []
    hook.show_known = lambda parent, exc: known.append(error_dialog.error_sentence(exc))
    hook.show = lambda parent, exc, details: unexpected.append(str(exc))
    try:
        emitter = _Emitter()
        errors = [ProjectFileError("Cannot open a.nnstudio: the seed is too large."),
                  TrainingError("The batch size must be a whole number " + "9" * 4000)]
        for error in errors:
            def slot(error: Exception = error) -> None:
                raise error
            emitter.fired.connect(slot)
            emitter.fired.emit()
            emitter.fired.disconnect(slot)
    finally:
        uninstall()
    assert unexpected == []
    assert known[0] == "Cannot open a.nnstudio: the seed is too large."
    assert len(known[1]) <= error_dialog.MAX_SENTENCE_CHARS
    assert "Traceback" not in capsys.readouterr().err
