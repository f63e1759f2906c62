"""Screenshots at 1440×900 while training ``spiral_regularization`` and ``digits_cnn``.

    python bench/training_screenshots.py [out_dir]   (default: ./screenshots)

Writes ``training_spiral.png`` (loss curves, decision boundary, neuron maps on the canvas)
and ``training_digits_cnn.png`` / ``training_digits_filters.png`` (curves, filter grid,
confusion matrix), each taken mid-run while the worker keeps training.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnstudio.graph.project_file import load_project  # noqa: E402


def wait(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-shots-"))
    QCoreApplication.setOrganizationName("NNStudioShots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    os.environ["NNSTUDIO_RECOVERY_DIR"] = str(folder / "recovery")
    from nnstudio.ui.main_window import MainWindow
    from nnstudio.ui.training.install import install_training_ui

    window = MainWindow()
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    ui = getattr(window, "training_ui", None) or install_training_ui(window)
    window.resize(1440, 900)
    window.show()

    def shoot(example: str, seconds: float, raise_docks: list[str], name: str) -> None:
        path = ROOT / "examples" / f"{example}.nnstudio"
        window.set_project(load_project(path), path)
        wait(app, 0.3)
        window.view.fit_all()
        for dock in raise_docks:
            ui.docks[dock].raise_()
        ui.controller.train()
        wait(app, seconds)
        ui.refresh_all()
        wait(app, 0.1)
        window.grab().save(str(out / name))
        print("wrote", out / name)

    shoot("spiral_regularization", 1.2, ["loss", "metrics", "boundary"], "training_spiral.png")
    ui.controller.stop()
    wait(app, 0.5)
    shoot("digits_cnn", 4.0, ["loss", "confusion", "filters"], "training_digits_cnn.png")
    ui.docks["boundary"].raise_()
    ui.controller.stop()
    wait(app, 0.5)
    window.close()


if __name__ == "__main__":
    main()
