"""Screenshots at 1440×900 while training, one per live plot tab that matters.

    python bench/training_screenshots.py [out_dir]   (default: ./screenshots)

Mid-run (the worker keeps training while the tabs are switched and grabbed):
``training_spiral*.png`` (decision boundary, loss, accuracy; neuron maps on the canvas),
``training_digits_cnn*.png`` (loss, filter grid, confusion matrix, gradients);
after the run: ``training_digits_draw_pad.png``; then ``training_chocolate*.png`` (the
fitted curve over the points, live edge weights on the canvas) and
``training_bagging_loss.png`` (members' and ensemble's validation loss).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnstudio.graph.files.project_file import load_project  # noqa: E402


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

    window = MainWindow()
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    ui = window.training_ui
    window.resize(1440, 900)
    window.show()

    def start(example: str) -> None:
        path = ROOT / "examples" / f"{example}.nnstudio"
        window.set_project(load_project(path), path)
        wait(app, 0.3)
        window.view.fit_all()
        ui.controller.train()

    def shoot(dock: str, name: str) -> None:
        ui.docks[dock].raise_()
        wait(app, 0.1)
        ui.refresh_all()
        wait(app, 0.1)
        window.grab().save(str(out / name))
        print("wrote", out / name)

    def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
        end = time.perf_counter() + timeout
        while not condition() and ui.controller.state == "running" \
                and time.perf_counter() < end:
            wait(app, 0.01)

    def stop() -> None:
        ui.controller.stop()
        while ui.controller.state in ("running", "paused"):
            wait(app, 0.05)

    # spiral trains ~150 epochs a second: one mid-run picture per run
    for dock, name in (("boundary", "training_spiral.png"), ("loss", "training_spiral_loss.png"),
                       ("metrics", "training_spiral_metrics.png")):
        ui.docks[dock].raise_()
        start("spiral_regularization")
        until(lambda: ui.controller.epoch >= 40)
        shoot(dock, name)
        stop()
    start("digits_cnn")
    until(lambda: ui.controller.epoch >= 3)
    shoot("loss", "training_digits_cnn.png")
    shoot("filters", "training_digits_filters.png")
    shoot("confusion", "training_digits_confusion.png")
    shoot("gradients", "training_digits_gradients.png")
    stop()
    shoot("draw_pad", "training_digits_draw_pad.png")
    start("chocolate_happiness")
    until(lambda: ui.controller.epoch >= 30)
    shoot("boundary", "training_chocolate.png")
    stop()
    start("bagging")
    until(lambda: ui.controller.epoch >= 30)
    shoot("loss", "training_bagging_loss.png")
    stop()
    shoot("boundary", "training_bagging_boundary.png")
    window.close()


if __name__ == "__main__":
    main()
