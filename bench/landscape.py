"""Loss-landscape speed: a 41×41 random-direction slice of digits_mlp (target < 10 s).

Measures, median of REPEATS runs each:
- the slice as the Landscape panel computes it (BLAS limited to all cores but one,
  ``nnstudio.training.blas.limited_blas``), and the same with BLAS's default threads;
- a reference measured in the same run: 1,681 plain forward passes and losses of the
  same plan on the same samples with unchanged weights (the least a 41×41 grid costs);
- the seven optimizer paths of 100 steps each;
- with ``--gui``: the GUI thread's latency (a 10 ms timer probe, p95 and max) while the
  Landscape panel computes the same slice in its worker thread, against the same probe
  with nothing computing.
Prints seconds and the ratio slice / reference.

Run: python bench/landscape.py [--gui]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnstudio.graph.files.project_file import load_project  # noqa: E402
from nnstudio.training.blas import limited_blas, worker_blas_threads  # noqa: E402
from nnstudio.training.explain_data import training_data  # noqa: E402
from nnstudio.training.landscape import (  # noqa: E402
    OPTIMIZER_PATHS,
    PathSettings,
    centred_bounds,
    compute_path,
    grid_axes,
    loss_grid,
)
from nnstudio.training.landscape_network import NetworkSlice, random_plane  # noqa: E402

RESOLUTION = 41
REPEATS = 3
TARGET_S = 10.0


def median_time(run, repeats: int = REPEATS) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    project = load_project(ROOT / "examples" / "digits_mlp.nnstudio")
    data = training_data(project)
    reference_plan = training_data(project).plan
    problem = NetworkSlice(data, random_plane(data.plan, project.graph, seed=0), "digits")
    xs, ys = grid_axes(centred_bounds((0.0, 0.0), 1.0), RESOLUTION)
    points = RESOLUTION * RESOLUTION

    def reference() -> None:
        for _ in range(points):
            reference_plan.forward(data.x, training=False)
            reference_plan.loss(data.y)

    with limited_blas():
        ref = median_time(reference)
        limited = median_time(lambda: loss_grid(problem, xs, ys))
        paths = median_time(lambda: [compute_path(problem, spec, PathSettings(steps=100),
                                                  (0.0, 0.0)) for spec in OPTIMIZER_PATHS],
                            1)
    default = median_time(lambda: loss_grid(problem, xs, ys))
    print(f"digits_mlp, {len(data.x)} training samples, {points} grid points, "
          f"median of {REPEATS}")
    print(f"  reference: {points} forward + loss, unchanged weights "
          f"(BLAS {worker_blas_threads()} thread(s)): {ref:.2f} s")
    print(f"  41×41 slice as the panel computes it (BLAS {worker_blas_threads()} "
          f"thread(s)):   {limited:.2f} s  ratio {limited / ref:.2f}  "
          f"{'PASS' if limited < TARGET_S else 'FAIL'} (< {TARGET_S:g} s)")
    print(f"  41×41 slice, BLAS default threads:                  {default:.2f} s  "
          f"ratio {default / ref:.2f}")
    print(f"  seven optimizer paths of 100 steps:                {paths:.2f} s")


def probe_latency(app, busy, seconds: float = 30.0) -> list[float]:  # type: ignore[no-untyped-def]
    """Lateness (ms) of a 10 ms timer while ``busy()`` is true (at most ``seconds``)."""
    from PySide6.QtCore import QTimer

    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    end = time.perf_counter() + seconds
    while busy() and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    return late


def gui_latency() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui.explain.landscape_panel import LandscapePanel

    app = QApplication.instance() or QApplication([])
    project = load_project(ROOT / "examples" / "digits_mlp.nnstudio")
    panel = LandscapePanel(lambda: project, lambda: None)
    panel.resize(900, 400)
    panel.show()
    idle_end = time.perf_counter() + 3
    idle = probe_latency(app, lambda: time.perf_counter() < idle_end)
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("random"))
    start = time.perf_counter()
    panel.compute()
    busy = probe_latency(app, lambda: panel.runner.busy)
    took = time.perf_counter() - start
    for name, late in (("idle", idle), ("computing", busy)):
        print(f"  GUI timer lateness {name:9s}: p95 {np.percentile(late, 95):5.1f} ms, "
              f"max {max(late):6.1f} ms ({len(late)} ticks)")
    print(f"  the panel's 41×41 slice and seven paths took {took:.2f} s")


if __name__ == "__main__":
    main()
    if "--gui" in sys.argv:
        gui_latency()
