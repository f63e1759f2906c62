"""Pictures of every workspace as a student meets it, offscreen, one PNG each.

    python bench/screenshots.py [--out FOLDER] [--size 1440x900 ...] [--only NAME ...]
    python bench/screenshots.py FILE.nnstudio ...      (those projects, untrained)

Without files: chocolate and xor as opened, spiral and digits_cnn after a short run
(``<name>_<workspace>_<W>x<H>.png``) at 1440×900 and 1280×720, and a run diverged by a
learning rate of 100 (``diverged_train_<W>x<H>.png``). Each picture selects a node so the
inspector has content. Look at them: nothing may be clipped or overlap, every tab name
must be whole, the plots must say what the run did.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QTabBar  # noqa: E402

from nnstudio.graph.files.project_file import load_project  # noqa: E402
from nnstudio.graph.model.project import Project  # noqa: E402

SIZES = ((1440, 900), (1280, 720))
WORKSPACES = ("build", "train", "explain")
TRAINED = {"spiral_regularization": 60, "digits_cnn": 4}
"""Examples trained before their pictures, and for how many epochs."""
SELECT = {"chocolate_happiness": "neuron.neuron", "xor": "neuron.neuron",
          "spiral_regularization": "layer.dense", "digits_cnn": "layer.conv2d",
          "diverged": "layer.dense"}


def wait(app: QApplication, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def until(app: QApplication, condition: Callable[[], bool], timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not condition() and time.perf_counter() < end:
        wait(app, 0.02)


def clipped_tabs(window: object) -> list[str]:
    """Tab bars of the window whose tabs do not fit (Qt would elide their names)."""
    bad = []
    for bar in window.findChildren(QTabBar):  # type: ignore[attr-defined]
        if bar.isVisible() and bar.count() > 1 and bar.sizeHint().width() > bar.width() + 1:
            bad.append(" | ".join(bar.tabText(i) for i in range(bar.count())))
    return bad


def train(app: QApplication, window: object, epochs: int, lr: float | None = None) -> None:
    ui = window.training_ui  # type: ignore[attr-defined]
    project = window.project  # type: ignore[attr-defined]
    project.training["epochs"] = epochs
    if lr is not None:
        project.training.update(optimizer="sgd", lr=lr)
    ui.controller.train()
    until(app, lambda: ui.controller.state == "finished")
    wait(app, 0.5)
    ui.show_saved_weights()
    wait(app, 1.0)
    ui.refresh_all()


def shoot_project(app: QApplication, name: str, project: Project | None, path: Path | None,
                  out: Path, sizes: tuple[tuple[int, int], ...], epochs: int = 0,
                  lr: float | None = None, workspaces: tuple[str, ...] = WORKSPACES) -> None:
    from nnstudio.ui.main_window import MainWindow

    window = MainWindow()
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    window.resize(*sizes[0])
    window.show()
    if path is not None and not window.files.open_path(path, ask=False):
        raise SystemExit(f"could not open {path}")
    if project is not None:
        window.set_project(project, None)
    wait(app, 0.3)
    if epochs:
        train(app, window, epochs, lr)
    wanted = SELECT.get(name, "activation")
    node = next((n.id for n in window.project.graph.nodes.values() if n.type_id == wanted),
                next(iter(window.project.graph.nodes), None))
    for width, height in sizes:
        window.resize(width, height)
        window.workspaces.states.clear()  # each size shows the default layouts
        wait(app, 0.2)
        if (window.width(), window.height()) != (width, height):
            print(f"the window cannot be {width}×{height}: it is {window.width()}×"
                  f"{window.height()} (minimum {window.minimumSizeHint().width()}×"
                  f"{window.minimumSizeHint().height()})")
        for workspace in workspaces:
            window.workspaces.switch(workspace)
            wait(app, 0.3)
            window.view.fit_all()
            if node is not None:
                window.scene.select_nodes([node])
            window.training_ui.refresh_all()
            wait(app, 0.3)
            if (window.width(), window.height()) != (width, height):
                print(f"{workspace}: the window grew to {window.width()}×{window.height()}")
            target = out / f"{name}_{workspace}_{width}x{height}.png"
            window.grab().save(str(target))
            problems = clipped_tabs(window)
            print(target, f"CLIPPED TABS: {problems}" if problems else "")
    window.close()
    wait(app, 0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--size", action="append", default=None,
                        help="WIDTHxHEIGHT (repeatable; default 1440x900 and 1280x720)")
    parser.add_argument("--only", action="append", default=None,
                        help="chocolate_happiness, xor, spiral_regularization, digits_cnn, "
                             "diverged (repeatable)")
    args = parser.parse_args(argv)
    sizes = tuple(tuple(int(v) for v in s.split("x")) for s in args.size) if args.size \
        else SIZES
    settings_dir = tempfile.mkdtemp()
    QCoreApplication.setOrganizationName("NNStudioScreenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    os.environ["NNSTUDIO_RECOVERY_DIR"] = str(Path(settings_dir) / "recovery")
    app = QApplication.instance() or QApplication(["screenshots"])
    assert isinstance(app, QApplication)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.files:
        for file in args.files:
            shoot_project(app, file.stem, None, file, args.out, sizes)  # type: ignore[arg-type]
        return 0
    examples = ROOT / "examples"
    for name in ("chocolate_happiness", "xor", "spiral_regularization", "digits_cnn"):
        if args.only and name not in args.only:
            continue
        shoot_project(app, name, None, examples / f"{name}.nnstudio", args.out,
                      sizes, TRAINED.get(name, 0))  # type: ignore[arg-type]
    if not args.only or "diverged" in args.only:
        project = load_project(examples / "spiral_regularization.nnstudio")
        shoot_project(app, "diverged", project, None, args.out, sizes,  # type: ignore[arg-type]
                      epochs=30, lr=100.0, workspaces=("train",))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
