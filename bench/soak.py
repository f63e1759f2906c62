"""Soak test: ~60 s of training with every panel open and the canvas overlays on.

    python bench/soak.py [seconds]     (exit status 1 if it fails)

Trains ``digits_cnn`` and ``xor`` alternately (a new run whenever one ends), with all plot
docks visible and the neuron-map and gradient overlays on. Passes when the process stays up
and resident memory grows by less than 20 MB between the 10th second and the end.
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


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-soak-"))
    QCoreApplication.setOrganizationName("NNStudioSoak")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    os.environ["NNSTUDIO_RECOVERY_DIR"] = str(folder / "recovery")
    from nnstudio.ui.main_window import MainWindow
    from nnstudio.ui.training.install import install_training_ui

    window = MainWindow()
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    ui = getattr(window, "training_ui", None) or install_training_ui(window)
    ui.show_all_panels()
    ui.neuron_maps.setChecked(True)
    ui.gradient_overlay.setChecked(True)
    window.resize(1440, 900)
    window.show()
    examples = ["digits_cnn", "xor"]
    runs = 0
    start = time.perf_counter()
    at_10: float | None = None
    while time.perf_counter() - start < total:
        if ui.controller.state in ("idle", "finished"):
            name = examples[runs % 2]
            project = load_project(ROOT / "examples" / f"{name}.nnstudio")
            project.training["epochs"] = 30 if name == "digits_cnn" else 400
            window.set_project(project, None)
            if not ui.controller.train():
                print("could not start:", ui.controller.message)
                return 1
            runs += 1
        app.processEvents()
        time.sleep(0.002)
        if at_10 is None and time.perf_counter() - start >= 10.0:
            at_10 = rss_mb()
    ui.controller.shutdown()
    end = rss_mb()
    growth = end - (at_10 or end)
    print(f"soak: {time.perf_counter() - start:.0f} s, {runs} runs, RSS at 10 s "
          f"{at_10:.1f} MB, at the end {end:.1f} MB, growth {growth:+.1f} MB (limit < 20 MB)")
    window.close()
    return 0 if growth < 20.0 else 1


if __name__ == "__main__":
    sys.exit(main())
