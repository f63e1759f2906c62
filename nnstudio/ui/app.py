"""Start the desktop app: ``run_app(argv)`` returns the process exit code.

``argv`` may hold one project file to open. Without it the bundled chocolate → happiness
example opens as an untitled copy (or an empty project with a welcome hint if it is missing).
``NNSTUDIO_QUIT_AFTER_MS`` makes the app quit by itself after that many milliseconds (smoke
tests of the frozen app and of an installed wheel); recovery questions are then skipped, and
the Qt platform and the window's title (the project shown) are printed on stderr before
quitting.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from nnstudio.paths import examples_dir
from nnstudio.ui.error_dialog import install_exception_hook
from nnstudio.ui.fonts import ensure_symbol_font
from nnstudio.ui.palette import icon_for_name

QUIT_ENV = "NNSTUDIO_QUIT_AFTER_MS"
WELCOME_EXAMPLE = "chocolate_happiness.nnstudio"


def quit_after_ms() -> int | None:
    """The self-quit delay from ``$NNSTUDIO_QUIT_AFTER_MS``, or None if unset or invalid."""
    text = os.environ.get(QUIT_ENV, "").strip()
    try:
        return max(0, int(text)) if text else None
    except ValueError:
        return None


def make_application(argv: list[str]) -> QApplication:
    """The QApplication with the names QSettings uses and the app icon."""
    QCoreApplication.setOrganizationName("NN Studio")
    QCoreApplication.setApplicationName("NN Studio")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["nnstudio", *argv])
    app.setApplicationDisplayName("NN Studio")
    app.setWindowIcon(icon_for_name("app"))
    ensure_symbol_font(app)
    return app


def run_app(argv: list[str]) -> int:
    """Open the main window (on ``argv[0]`` if given) and run the event loop."""
    app = make_application(argv)
    from nnstudio.ui.main_window import MainWindow

    window = MainWindow()
    _hook, uninstall = install_exception_hook(lambda: window)
    quit_ms = quit_after_ms()

    def start() -> None:
        # Inside the event loop, so a dialog (a bad file, recovery) cannot outlive a quit.
        if argv:
            path = Path(argv[0])
            if not window.files.open_path(path, ask=False):
                print(f"nnstudio: could not open {path}", file=sys.stderr)
        else:
            example = examples_dir() / WELCOME_EXAMPLE
            if example.exists():
                window.files.open_example(example)
        if quit_ms is None:
            window.files.offer_recovery()

    def leave() -> None:
        title = window.windowTitle().replace("[*]", "")
        print(f"nnstudio: quitting after {quit_ms} ms on Qt's {app.platformName()} platform; "
              f"the window showed: {title}", file=sys.stderr)
        window.files.recovery.close()
        window.hide()
        app.exit(0)

    window.show()
    QTimer.singleShot(0, start)
    if quit_ms is not None:
        QTimer.singleShot(quit_ms, leave)
    try:
        return int(app.exec())
    finally:
        uninstall()
