"""No traceback reaches the user: unexpected exceptions become a dialog, the app keeps running.

PySide6 hands an exception raised inside a slot (or a Qt virtual method) to ``sys.excepthook``
and then returns to the event loop. ``install_exception_hook`` replaces that hook with one that
shows the message in a dialog. A known error class (``KNOWN_ERRORS``: a file, a dataset, the
network or the settings refused with a sentence that names the file or the field) is shown
as that sentence alone; anything else is a bug, shown as "Unexpected error" with the
traceback behind "Show Details..." (and written to stderr).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from nnstudio.graph.errors import GraphError
from nnstudio.graph.files.project_file import ProjectFileError
from nnstudio.safe_io import FileRefusedError
from nnstudio.training.datasets.errors import DatasetError
from nnstudio.training.settings import TrainingError

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
KNOWN_ERRORS: tuple[type[BaseException], ...] = (
    ProjectFileError, DatasetError, TrainingError, GraphError, FileRefusedError)
"""Errors whose text is a sentence for the user (they name the file or the field)."""
MAX_SENTENCE_CHARS = 600


def error_sentence(exc: BaseException) -> str:
    """The one-line text shown for an exception: its message (cut to a readable length),
    or its type if it has none."""
    message = " ".join(str(exc).split())
    if len(message) > MAX_SENTENCE_CHARS:
        message = message[:MAX_SENTENCE_CHARS - 1] + "…"
    return message if message else type(exc).__name__


def show_known_error(parent: QWidget | None, exc: BaseException) -> None:
    """A known error: its sentence in a plain warning, no traceback."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("NN Studio")
    box.setText(error_sentence(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def show_error_dialog(parent: QWidget | None, exc: BaseException, details: str) -> None:
    """Show a modal dialog with the exception's sentence and the traceback as details."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Unexpected error")
    box.setText("Something went wrong, but your work is still open.")
    box.setInformativeText(error_sentence(exc))
    box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


class ExceptionHook:
    """Callable installed as ``sys.excepthook``; ``show`` is replaceable in tests."""

    def __init__(self, parent: Callable[[], QWidget | None] | None = None) -> None:
        self._parent = parent or (lambda: QApplication.activeWindow())
        self._showing = False
        self.show: Callable[[QWidget | None, BaseException, str], None] = show_error_dialog
        self.show_known: Callable[[QWidget | None, BaseException], None] = show_known_error

    def __call__(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        known = isinstance(exc, KNOWN_ERRORS)
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(f"{error_sentence(exc)}\n" if known else details)
        if issubclass(exc_type, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        if self._showing or QApplication.instance() is None:
            return  # an error while the dialog is up (or without an app) is only logged
        self._showing = True
        try:
            if known:
                self.show_known(self._parent(), exc)
            else:
                self.show(self._parent(), exc, details)
        finally:
            self._showing = False


def install_exception_hook(
    parent: Callable[[], QWidget | None] | None = None,
) -> tuple[ExceptionHook, Callable[[], None]]:
    """Install the dialog hook; returns it and a function that restores the previous hook."""
    previous: ExceptHook = sys.excepthook
    hook = ExceptionHook(parent)
    sys.excepthook = hook

    def uninstall() -> None:
        sys.excepthook = previous

    return hook, uninstall
