"""The window with MNIST-sized data: it must never stall (issue 14, acceptance 2).

    QT_QPA_PLATFORM=offscreen python bench/gui_mnist.py [--samples 60000] [--network mlp|cnn]

Makes its own MNIST-sized data (60,000 × 1 × 28 × 28 float32 images, 10 classes, as an
.npz in a temporary folder) and a project that trains on it, then drives the window as a
user would, with a 10 ms timer in the event loop measuring how late each tick comes:

1. opening the project (until the data's shape is known and the network checked),
2. choosing the dataset again through Load Data File (the same file: a new undo step),
3. pressing Train (until the run's first progress arrives in the plots).

Prints the worst lateness of each phase against the target (under 100 ms) and the time
from pressing Train to the first progress (target: within 5 s).
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

LATE_TARGET_MS = 100.0
FIRST_PROGRESS_TARGET_S = 5.0


def make_data(folder: Path, samples: int) -> Path:
    """Digit-like images: a class-dependent blob plus noise, float32 in [0, 1]."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, samples).astype(np.int64)
    yy, xx = np.mgrid[0:28, 0:28]
    centres = np.stack([6 + 1.6 * np.arange(10), 22 - 1.6 * np.arange(10)], axis=1)
    x = np.empty((samples, 1, 28, 28), dtype=np.float32)
    for start in range(0, samples, 5000):
        part = y[start:start + 5000]
        cy, cx = centres[part, 0][:, None, None], centres[part, 1][:, None, None]
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 18.0)
        noise = rng.random((len(part), 28, 28)) * 0.3
        x[start:start + len(part), 0] = np.clip(blob + noise, 0, 1)
    path = folder / "mnist_like.npz"
    np.savez(path, x=x, y=y)
    return path


def make_project(data: Path, network: str, folder: Path) -> Path:
    from nnstudio.graph.files.project_file import save_project
    from nnstudio.training.new_project import new_project_from_data

    hidden = [256, 128]
    project = new_project_from_data(data, hidden=hidden, project_dir=folder)
    if network == "cnn":
        from nnstudio.graph.model.document import Document

        d = Document()
        nodes = [d.add_node("layer.input", (0, 0), {"kind": "image", "channels": 1,
                                                     "height": 28, "width": 28}, "Input"),
                 d.add_node("layer.conv2d", (200, 0), {"out_channels": 8, "padding": 1}),
                 d.add_node("activation", (400, 0), {"function": "relu"}),
                 d.add_node("layer.maxpool2d", (600, 0), {"kernel_size": 2}),
                 d.add_node("layer.conv2d", (800, 0), {"out_channels": 16, "padding": 1}),
                 d.add_node("activation", (1000, 0), {"function": "relu"}),
                 d.add_node("layer.maxpool2d", (1200, 0), {"kernel_size": 2}),
                 d.add_node("layer.flatten", (1400, 0)),
                 d.add_node("layer.dense", (1600, 0), {"units": 10}),
                 d.add_node("layer.output", (1800, 0), {"loss": "cross_entropy"})]
        for a, b in itertools.pairwise(nodes):
            d.connect(a, "out", b, "in")
        project.graph = d
    project.training["epochs"] = 1
    path = folder / "mnist_like.nnstudio"
    save_project(project, path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--network", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument("--make", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:  # in a child: the window's process must not start with the data cached
        make_project(make_data(Path(args.make), args.samples), args.network, Path(args.make))
        return 0
    from gui_training import Probe, load_average
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-gui-mnist-"))
    QCoreApplication.setOrganizationName("NNStudioBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    os.environ["NNSTUDIO_RECOVERY_DIR"] = str(folder / "recovery")
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--make", str(folder), "--samples",
                    str(args.samples), "--network", args.network], check=True)
    data, project_path = folder / "mnist_like.npz", folder / "mnist_like.nnstudio"
    print(f"data: {data.stat().st_size / 2**20:.0f} MB ({args.samples} images), made in "
          f"{time.perf_counter() - start:.1f} s; load average {load_average()}")

    from nnstudio.ui.main_window import MainWindow

    window = MainWindow()
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    window.resize(1440, 900)
    window.show()
    ui = window.training_ui
    probe = Probe()

    def run_until(done, limit_s: float = 120.0) -> float:  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        while not done():
            app.processEvents()
            time.sleep(0.001)
            if time.perf_counter() - began > limit_s:
                raise SystemExit("gave up waiting")
        return time.perf_counter() - began

    for _ in range(20):  # settle: the pre-spawned training child, first paints
        app.processEvents()
        time.sleep(0.05)
    results: list[tuple[str, float, float]] = []

    signatures: list[object] = []
    window.session.data_signature_changed.connect(lambda: signatures.append(1))
    probe.start()
    began = time.perf_counter()
    window.files.open_path(project_path)
    run_until(lambda: window.data_signature is not None)
    results.append(("open the project", max(probe.late_ms, default=0.0),
                    time.perf_counter() - began))
    probe.stop()

    probe.start()
    began = time.perf_counter()
    known = len(signatures)
    window.data_import.set_dataset(dict(window.project.dataset))  # the signature anew
    run_until(lambda: len(signatures) > known and window.data_signature is not None)
    results.append(("choose the dataset", max(probe.late_ms, default=0.0),
                    time.perf_counter() - began))
    probe.stop()

    seen: list[object] = []
    ui.controller.progressed.connect(seen.append)
    probe.start()
    began = time.perf_counter()
    if not ui.controller.train():
        raise SystemExit(f"cannot train: {ui.controller.message}")
    first = run_until(lambda: bool(seen) or ui.controller.state == "finished")
    results.append(("press Train (to the first progress)", max(probe.late_ms, default=0.0),
                    first))
    probe.stop()
    ui.controller.stop()
    run_until(lambda: ui.controller.state == "finished", 300.0)

    ok = True
    for phase, late, seconds in results:
        met = late < LATE_TARGET_MS
        ok = ok and met
        print(f"{phase}: worst event-loop lateness {late:.0f} ms (target < "
              f"{LATE_TARGET_MS:.0f} ms), {seconds:.2f} s {'OK' if met else 'MISSED'}")
    first_ok = results[-1][2] <= FIRST_PROGRESS_TARGET_S
    ok = ok and first_ok
    print(f"first progress {results[-1][2]:.2f} s after pressing Train (target <= "
          f"{FIRST_PROGRESS_TARGET_S:.0f} s) {'OK' if first_ok else 'MISSED'}; load average "
          f"{load_average()}")
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
