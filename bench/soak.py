"""Soak test: ~60 s of training with every panel open and the canvas overlays on.

    python bench/soak.py [seconds]     (exit status 1 if it fails)

Trains ``digits_cnn`` and ``xor`` alternately (a new run whenever one ends), with all plot
docks visible and the neuron-map and gradient overlays on, with the window's default
training backend (``NNSTUDIO_TRAINING_BACKEND=thread`` for the other one). Passes when
the process stays up and resident memory grows by less than 20 MB between the 10th second
and the end, in the GUI process and (process backend) in the training child too.

Qt is imported inside ``main`` only: the training child (spawned) re-imports this file as
its main module and must stay free of Qt.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnstudio.graph.files.project_file import load_project  # noqa: E402

LIMIT_MB = 20.0


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def loads_qt(pid: int) -> bool:
    """True if the process has a Qt library mapped."""
    with open(f"/proc/{pid}/maps") as f:
        return any("libQt6" in line or "PySide6" in line for line in f)


def main() -> int:
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnstudio-soak-"))
    QCoreApplication.setOrganizationName("NNStudioSoak")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    os.environ["NNSTUDIO_RECOVERY_DIR"] = str(folder / "recovery")
    from nnstudio.ui.main_window import MainWindow

    window = MainWindow()
    window.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    ui = window.training_ui
    ui.show_all_panels()
    ui.neuron_maps.setChecked(True)
    ui.gradient_overlay.setChecked(True)
    window.resize(1440, 900)
    window.show()
    controller = ui.controller
    examples = ["digits_cnn", "xor"]
    runs = 0
    start = time.perf_counter()
    at_10: float | None = None
    child_at_10: float | None = None
    child_pids: set[int] = set()
    child: Any = None
    while time.perf_counter() - start < total:
        if controller.state in ("idle", "finished"):
            if runs and controller.last_outcome is not None and \
                    controller.last_outcome.reason == "error":
                print("a run failed:", controller.message)
                return 1
            name = examples[runs % 2]
            project = load_project(ROOT / "examples" / f"{name}.nnstudio")
            project.training["epochs"] = 30 if name == "digits_cnn" else 400
            window.set_project(project, None)
            if not controller.train():
                print("could not start:", controller.message)
                return 1
            runs += 1
            server = controller.server
            if server is not None and getattr(server, "pid", None) is not None:
                child_pids.add(server.pid)
                child = server
        app.processEvents()
        time.sleep(0.002)
        if at_10 is None and time.perf_counter() - start >= 10.0:
            at_10 = rss_mb()
            if child is not None and child.pid is not None:
                child_at_10 = rss_mb(child.pid)
    child_end = rss_mb(child.pid) if child is not None and child.pid is not None else None
    child_qt = loads_qt(child.pid) if child is not None and child.pid is not None else None
    controller.shutdown()
    end = rss_mb()
    growth = end - (at_10 or end)
    ok = growth < LIMIT_MB
    print(f"soak ({controller.backend} backend): {time.perf_counter() - start:.0f} s, {runs} "
          f"runs; GUI process RSS at 10 s {at_10 or end:.1f} MB, at the end {end:.1f} MB, "
          f"growth {growth:+.1f} MB (limit < {LIMIT_MB:.0f} MB)")
    if child_end is not None:
        child_growth = child_end - (child_at_10 or child_end)
        ok = ok and child_growth < LIMIT_MB and len(child_pids) == 1
        print(f"training child (pid {child.pid if child else '?'}, {len(child_pids)} "
              f"process(es) for all runs, Qt loaded: {child_qt}): RSS at 10 s "
              f"{child_at_10 or child_end:.1f} MB, at the end {child_end:.1f} MB, growth "
              f"{child_growth:+.1f} MB (limit < {LIMIT_MB:.0f} MB)")
    window.close()
    print("soak passed" if ok else "soak FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
