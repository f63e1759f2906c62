"""Repaint a pyqtgraph plot on a timer while a QThread multiplies matrices.

PySide6 6.12.0 on Python 3.11 aborts this process with ``Fatal Python error:
none_dealloc``; 6.11.3 runs it cleanly. ``test_pyside_thread_crash.py`` runs this file in a
subprocess and requires exit code 0, so a PySide6 upgrade that brings the crash back fails
the suite instead of the user's session.

Usage: ``python repaint_while_numpy.py SECONDS``
"""

from __future__ import annotations

import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication


class MatrixWorker(QThread):
    """Multiplies random matrices until asked to stop; counts the products."""

    def __init__(self) -> None:
        super().__init__()
        self.stop_requested = threading.Event()
        self.products = 0

    def run(self) -> None:
        rng = np.random.default_rng(0)
        a = rng.standard_normal((256, 256))
        while not self.stop_requested.is_set():
            a = np.tanh(a @ a.T / 256.0)
            self.products += 1


def main(seconds: float) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    plot = pg.PlotWidget()
    plot.resize(400, 300)
    plot.show()
    curve = plot.plot(pen=pg.mkPen(width=1))
    rng = np.random.default_rng(1)
    repaints = 0

    def repaint() -> None:
        nonlocal repaints
        curve.setData(np.cumsum(rng.standard_normal(500)))
        plot.repaint()
        repaints += 1

    worker = MatrixWorker()
    timer = QTimer()
    timer.timeout.connect(repaint)
    timer.start(5)
    worker.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    timer.stop()
    worker.stop_requested.set()
    worker.wait()
    print(f"repaints={repaints} products={worker.products}")
    return 0 if repaints > 10 and worker.products > 0 else 1


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 4.0))
