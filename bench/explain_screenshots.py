"""Screenshots at 1440×900 of the explaining views, one PNG each.

    python bench/explain_screenshots.py [out_dir]   (default: ./screenshots)

``explain_landscape_linear.png`` (linear regression's true loss surface with the seven
optimizer paths), ``explain_landscape_valley.png`` (a built-in surface, paths half way),
``explain_landscape_digits.png`` (a random-direction slice of digits_mlp),
``explain_conv.png`` / ``explain_pool.png`` (the convolution explainer on digits_cnn),
``explain_activations.png`` (the gallery over the window), ``explain_tour_*.png`` (tour
steps with their panels), ``explain_runs.png`` / ``explain_runs_loss.png`` (spiral trained
with and without regularization: the Runs panel with both ticked, then their loss curves
overlaid). Look at each: nothing may overlap or be cut off, every number
must be readable.
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

from PySide6.QtCore import QCoreApplication, QPoint, QSettings  # noqa: E402
from PySide6.QtGui import QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SIZE = (1440, 900)


def wait(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def wait_for(app: QApplication, done, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + timeout
    while not done() and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)
    wait(app, 0.2)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-shots-"))
    QCoreApplication.setOrganizationName("NNStudioExplainShots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    os.environ["NNSTUDIO_RECOVERY_DIR"] = str(folder / "recovery")
    from nnstudio.ui.main_window import MainWindow

    def new_window() -> MainWindow:
        window = MainWindow()
        window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
        window.resize(*SIZE)
        window.show()
        wait(app, 0.3)
        return window

    def shoot(window: MainWindow, name: str) -> None:
        wait(app, 0.3)
        path = out / f"explain_{name}.png"
        window.grab().save(str(path))
        print(path)

    def example(window: MainWindow, name: str) -> None:
        window.files.open_example(ROOT / "examples" / f"{name}.nnstudio")
        wait(app, 0.3)

    window = new_window()
    ui = window.explain_ui
    landscape = ui.landscape

    def computed() -> bool:
        return not landscape.runner.busy and landscape.result is not None

    example(window, "linear_regression")
    landscape.result = None
    ui.show_landscape("network")
    wait_for(app, computed)
    shoot(window, "landscape_linear")

    landscape.result = None
    ui.show_landscape("valley")
    wait_for(app, computed)
    landscape.slider.setValue(landscape.slider.maximum() // 3)
    shoot(window, "landscape_valley")

    example(window, "digits_mlp")
    landscape.result = None
    ui.show_landscape("network")
    wait_for(app, computed)
    shoot(window, "landscape_digits")

    example(window, "digits_cnn")
    nodes = window.project.graph.nodes.values()
    conv = next(n.id for n in nodes if n.type_id == "layer.conv2d")
    pool = next(n.id for n in nodes if n.type_id == "layer.maxpool2d")
    ui.explain_node(conv)
    ui.conv.go_to(13)
    window.scene.select_nodes([conv])
    shoot(window, "conv")
    ui.explain_node(pool)
    ui.conv.go_to(6)
    window.scene.select_nodes([pool])
    shoot(window, "pool")
    window.close()

    window = new_window()
    example(window, "xor")
    gallery = window.explain_ui.show_activations("tanh")
    gallery.move(window.geometry().center() - gallery.rect().center())
    wait(app, 0.3)
    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(QPoint(gallery.x() - window.x(), gallery.y() - window.y()),
                       gallery.grab())
    painter.end()
    path = out / "explain_activations.png"
    picture.save(str(path))
    print(path)
    gallery.close()
    window.close()

    window = new_window()
    compare_runs(app, window, shoot)
    window.close()

    for step in (0, 6, 14):
        QSettings().clear()  # each tour picture starts from the default layout
        window = new_window()
        window.explain_ui.show_tour(step)
        if step == 6:
            wait_for(app, lambda w=window: not w.explain_ui.landscape.runner.busy)
        shoot(window, f"tour_{step + 1:02d}")
        window.close()


def compare_runs(app: QApplication, window, shoot) -> None:  # type: ignore[no-untyped-def]
    """Spiral trained twice (as shipped, then without dropout and L2); both runs ticked."""
    from nnstudio.graph.files.project_file import load_project
    from nnstudio.graph.model.edits import Compound, SetParam

    path = ROOT / "examples" / "spiral_regularization.nnstudio"
    window.set_project(load_project(path), path)
    ui = window.training_ui
    window.project.training["epochs"] = 60
    ui.controller.train()
    wait_for(app, lambda: ui.controller.state == "finished", timeout=300)
    ui.controller.reset_weights()
    nodes = window.project.graph.nodes.values()
    off = [SetParam(n.id, "p", 0.0) for n in nodes if n.type_id == "layer.dropout"]
    off += [SetParam(n.id, "penalty", "none") for n in nodes if n.params.get("penalty") == "l2"]
    window.push_edit(Compound(tuple(off), "No regularization"))
    ui.controller.train()
    wait_for(app, lambda: ui.controller.state == "finished", timeout=300)
    window.runs_ui.panel.tick([run.id for run in window.project.runs])
    window.runs_ui.show()
    shoot(window, "runs")
    ui.docks["loss"].raise_()
    ui.refresh_all()
    shoot(window, "runs_loss")


if __name__ == "__main__":
    main()
