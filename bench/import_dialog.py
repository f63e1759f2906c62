"""Import data dialog benchmark: time against the number of CSV columns, and how late the
GUI event loop runs while a big file is read.

    python bench/import_dialog.py [--repeats 3] [--skip-columns] [--skip-latency]

(a) Tables of 200 rows and 1,000 / 2,000 / 5,000 / 10,000 columns: seconds from choosing
    the file until the dialog shows the dataset, then for one change of the target column;
    medians over ``--repeats``, and each time divided by the 1,000-column time (linear:
    the ratio grows like the column count; before this work 2,000 columns took 94 s and
    10,000 never finished).
(b) While the dialog reads the 60,000-row MNIST-style CSV (~130 MB) and the MNIST-sized
    gzipped IDX pair (made by ``bench/csv_load.py``'s helpers), a 10 ms QTimer probe measures
    how late the event loop serves it (lateness = interval minus 10 ms): median, p99 and
    worst, against the target of a worst lateness under 100 ms; and the load's seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from csv_load import CACHE, make_csv, make_idx  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnstudio.training.datasets import recent  # noqa: E402
from nnstudio.ui.data_import.dialog import ImportDataDialog  # noqa: E402


def wide_csv(columns: int, rows: int = 200) -> Path:
    path = CACHE / f"wide-{columns}.csv"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        rng = np.random.default_rng(columns)
        values = rng.integers(0, 100, size=(rows, columns)).astype(str)
        values[:, -1] = (np.arange(rows) % 3).astype(str)
        lines = [",".join(f"c{i}" for i in range(columns))]
        lines += [",".join(row) for row in values.tolist()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wait_idle(app: QApplication, dialog: ImportDataDialog) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if not dialog.loading else None)
    timer.start(2)
    loop.exec()
    timer.stop()
    app.processEvents()


def columns_bench(app: QApplication, repeats: int) -> None:
    print("(a) columns   open s   target change s   open / open(1000)")
    base = None
    for columns in (1000, 2000, 5000, 10000):
        path = wide_csv(columns)
        opens, changes = [], []
        for _ in range(repeats):
            recent.clear()
            dialog = ImportDataDialog()
            dialog.show()
            start = time.perf_counter()
            dialog.set_path(path)
            wait_idle(app, dialog)
            opens.append(time.perf_counter() - start)
            assert dialog.dataset is not None, dialog.summary.text()
            start = time.perf_counter()
            dialog.csv_page.set_target(columns // 2)
            wait_idle(app, dialog)
            changes.append(time.perf_counter() - start)
            assert dialog.dataset is not None, dialog.summary.text()
            dialog.close()
            dialog.deleteLater()
            app.processEvents()
        open_s, change_s = statistics.median(opens), statistics.median(changes)
        base = base or open_s
        print(f"    {columns:>6}   {open_s:6.2f}   {change_s:15.2f}   {open_s / base:6.1f}")


def latency_bench(app: QApplication, repeats: int) -> None:
    print("(b) file               load s   lateness ms: median   p99   worst"
          "   (target: worst < 100)")
    mnist_csv = make_csv("mnist-60000", "mnist", rows=60000)
    _raw, packed = make_idx()
    for path in (mnist_csv, packed):
        for _ in range(repeats):
            recent.clear()  # read the file each time, not the dataset kept from the last
            dialog = ImportDataDialog()
            dialog.show()
            app.processEvents()
            late: list[float] = [0.0]
            clock = QElapsedTimer()
            probe = QTimer()
            probe.setInterval(10)

            def tick(clock: QElapsedTimer = clock, late: list[float] = late) -> None:
                late.append(max(clock.nsecsElapsed() / 1e6 - 10.0, 0.0))
                clock.restart()

            probe.timeout.connect(tick)
            clock.start()
            probe.start()
            start = time.perf_counter()
            dialog.set_path(path)
            wait_idle(app, dialog)
            seconds = time.perf_counter() - start
            probe.stop()
            assert dialog.dataset is not None, dialog.summary.text()
            late.sort()
            p99 = late[min(len(late) - 1, int(0.99 * len(late)))]
            print(f"    {path.name[:18]:18} {seconds:7.2f}   {statistics.median(late):19.1f}"
                  f"   {p99:4.0f}   {late[-1]:5.0f}")
            dialog.close()
            dialog.deleteLater()
            app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-columns", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    if not args.skip_columns:
        columns_bench(app, args.repeats)
    if not args.skip_latency:
        latency_bench(app, args.repeats)


if __name__ == "__main__":
    main()
