"""Regression guard for the PySide6 6.12.0 ``none_dealloc`` abort (see pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("repaint_while_numpy.py")


def test_plot_repaints_while_a_qthread_runs_numpy() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "4"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert "Fatal Python error" not in result.stderr, result.stderr
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "repaints=" in result.stdout
