"""Test configuration: every test runs offscreen, without a real display."""

import gc
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


@pytest.fixture(autouse=True)
def _collect_garbage_between_tests() -> Iterator[None]:
    """Collect each test's garbage at a quiet moment, after its widgets were closed.

    Left to itself, Python's collector may run inside a later test while Qt holds a
    signal-connection lock (seen: pyqtgraph's ``ViewBox.addItem`` disconnecting a signal
    triggered a collection that destroyed an earlier test's QObject, whose destructor
    waited on that same lock: the test run hung for good with PySide6 6.11).
    """
    yield
    gc.collect()
