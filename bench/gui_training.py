"""GUI training benchmark: throughput against the headless trainer, and event-loop latency.

    python bench/gui_training.py [--epochs-cnn 4] [--epochs-xor 60]

(a) trains ``examples/digits_cnn`` for a fixed number of steps (``--epochs-cnn`` epochs of
    the same split and batch size) headless (``Trainer.run``, no snapshots, as the command
    line does) and from the window with EVERY panel open and the canvas overlays on, and
    prints the throughput ratio GUI / headless (target >= 0.85);
(b) during the GUI runs of ``digits_cnn`` and of ``xor`` with batch size 8, a 10 ms QTimer
    probe measures how late the GUI event loop serves it: targets p95 <= 20 ms and
    p99 <= 50 ms (lateness = measured interval minus 10 ms).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnstudio.graph.project import Project  # noqa: E402
from nnstudio.graph.project_file import load_project  # noqa: E402
from nnstudio.training.trainer import Trainer  # noqa: E402

EXAMPLES = ROOT / "examples"


def example(name: str, **training: object) -> Project:
    project = load_project(EXAMPLES / f"{name}.nnstudio")
    project.training.update(training)
    return project


def headless(project: Project) -> tuple[float, int]:
    """(seconds, samples) for the whole run, Trainer construction included."""
    start = time.perf_counter()
    trainer = Trainer(project)
    steps_before = trainer.step
    for _record in trainer.run():
        pass
    seconds = time.perf_counter() - start
    batch = trainer.settings.effective_batch_size(trainer.split.train.n_samples)
    return seconds, (trainer.step - steps_before) * batch


class Probe:
    """A 10 ms timer; records how late each timeout comes."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.clock = QElapsedTimer()
        self.late_ms: list[float] = []
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.late_ms.clear()
        self.at: list[float] = []
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        elapsed = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.late_ms.append(max(elapsed - 10.0, 0.0))
        self.at.append(time.perf_counter())

    def percentiles(self) -> tuple[float, float, float]:
        a = np.asarray(self.late_ms[1:] or [0.0])
        return float(np.percentile(a, 50)), float(np.percentile(a, 95)), float(
            np.percentile(a, 99))


def gui_run(app: QApplication, window, ui, project: Project, probe: Probe  # type: ignore[no-untyped-def]
            ) -> tuple[float, int]:
    window.set_project(project, None)
    app.processEvents()
    controller = ui.controller
    probe.start()
    start = time.perf_counter()
    if not controller.train():
        raise SystemExit(f"cannot train: {controller.message}")
    print(f"  starting the run took {(time.perf_counter() - start) * 1000:.0f} ms "
          "in the GUI thread")
    trainer = controller.trainer
    steps_before = trainer.step
    worker = controller.worker
    while controller.state != "finished":
        app.processEvents()
        time.sleep(0.001)
    probe.stop()
    if os.environ.get("BENCH_DEBUG"):
        worst = np.argsort(probe.late_ms)[-5:]
        print("  worst ticks (ms late, s after start):",
              [(round(probe.late_ms[i]), round(probe.at[i] - start, 2)) for i in worst],
              "ticks", len(probe.late_ms), "run s", round(time.perf_counter() - start, 2))
    spent = {k: round(v, 3) for k, v in ui.update_seconds.items()}
    print(f"  GUI updates: {ui.update_count}, longest {ui.longest_update_s * 1000:.0f} ms, "
          f"seconds per panel {spent}")
    ui.update_seconds.clear()
    ui.update_count, ui.longest_update_s = 0, 0.0
    seconds = (worker.ended_at or time.perf_counter()) - start
    batch = trainer.settings.effective_batch_size(trainer.split.train.n_samples)
    return seconds, (trainer.step - steps_before) * batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-cnn", type=int, default=4)
    parser.add_argument("--epochs-xor", type=int, default=60)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-bench-"))
    QCoreApplication.setOrganizationName("NNStudioBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    os.environ["NNSTUDIO_RECOVERY_DIR"] = str(folder / "recovery")
    from nnstudio.ui.main_window import MainWindow
    from nnstudio.ui.training.install import install_training_ui

    window = MainWindow()
    ui = getattr(window, "training_ui", None) or install_training_ui(window)
    ui.show_all_panels()
    ui.gradient_overlay.setChecked(False)
    ui.neuron_maps.setChecked(True)
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    probe = Probe()

    cnn = {"epochs": args.epochs_cnn, "early_stopping": False}
    h_s, h_n = headless(example("digits_cnn", **cnn))
    g_s, g_n = gui_run(app, window, ui, example("digits_cnn", **cnn), probe)
    cnn_lat = probe.percentiles()
    ratio = (g_n / g_s) / (h_n / h_s)
    print(f"digits_cnn, {h_n // 32} steps: headless {h_n / h_s:,.0f} samples/s, "
          f"GUI {g_n / g_s:,.0f} samples/s -> ratio GUI/headless {ratio:.2f} (target >= 0.85)")
    print(f"digits_cnn GUI latency (10 ms probe, lateness): p50 {cnn_lat[0]:.1f} ms, "
          f"p95 {cnn_lat[1]:.1f} ms, p99 {cnn_lat[2]:.1f} ms (targets p95 <= 20, p99 <= 50)")

    xor = {"epochs": args.epochs_xor, "batch_size": 8, "early_stopping": False}
    hx_s, hx_n = headless(example("xor", **xor))
    x_s, x_n = gui_run(app, window, ui, example("xor", **xor), probe)
    xor_lat = probe.percentiles()
    print(f"xor batch 8: headless {hx_n / hx_s:,.0f} samples/s, GUI {x_n / x_s:,.0f} "
          f"samples/s -> ratio {(x_n / x_s) / (hx_n / hx_s):.2f}")
    print(f"xor batch 8 GUI latency: p50 {xor_lat[0]:.1f} ms, p95 {xor_lat[1]:.1f} ms, "
          f"p99 {xor_lat[2]:.1f} ms (targets p95 <= 20, p99 <= 50)")
    ok = ratio >= 0.85 and all(p95 <= 20 and p99 <= 50
                               for _, p95, p99 in (cnn_lat, xor_lat))
    print("ALL TARGETS MET" if ok else "SOME TARGETS MISSED")
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    window.close()


if __name__ == "__main__":
    main()
