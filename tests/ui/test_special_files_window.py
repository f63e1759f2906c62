"""Issue 16, item 3 in the window: a project whose dataset is /dev/zero or a FIFO, or a
project path that is a FIFO, never blocks the GUI thread; each is refused with a sentence
naming the file. And the status bar says while a project's data file is read."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from training_helpers import wait_state
from window_helpers import make_window

from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.ui.training.controller import FINISHED

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NEEDS_FIFO = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


def project_on(tmp_path: Path, spec: dict[str, str]) -> Path:
    project = load_project(EXAMPLES / "xor.nnstudio")
    project.dataset = spec
    path = tmp_path / "special.nnstudio"
    save_project(project, path)
    return path


@NEEDS_FIFO
@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_dataset_that_is_a_device_or_fifo_is_refused_without_blocking(
        qtbot, tmp_path, monkeypatch, kind: str) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    data = "/dev/zero"
    if kind == "fifo":
        data = str(tmp_path / "data.csv")
        os.mkfifo(data)
    path = project_on(tmp_path, {"source": "csv", "path": data})
    started = time.perf_counter()
    assert window.files.open_path(path, ask=False)
    window.session.wait_for_signature(timeout_ms=5_000)
    assert time.perf_counter() - started < 5.0
    assert window.session.data_signature is None
    ui = window.training_ui
    ui.controller.train()  # refused in the child with the loader's sentence
    wait_state(qtbot, ui, FINISHED, timeout=20_000)
    message = ui.panel.message.text()
    assert Path(data).name in message and "Unexpected" not in message
    assert "\n" not in message.strip()


@NEEDS_FIFO
def test_a_project_path_that_is_a_fifo_is_refused_at_once(qtbot, tmp_path, monkeypatch) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    fifo = tmp_path / "pipe.nnstudio"
    os.mkfifo(fifo)
    shown: list[str] = []
    window.files.show_error = lambda _title, text: shown.append(text)  # type: ignore[method-assign]
    started = time.perf_counter()
    assert not window.files.open_path(fifo, ask=False)
    assert time.perf_counter() - started < 2.0
    assert len(shown) == 1 and "pipe.nnstudio" in shown[0]


def test_the_status_bar_says_while_a_data_file_is_read(qtbot, tmp_path, monkeypatch) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    data = tmp_path / "points.csv"
    data.write_text("a,b,y\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(200)))
    path = project_on(tmp_path, {"source": "csv", "path": str(data), "target_column": "y"})
    assert window.files.open_path(path, ask=False)
    assert window.statusBar().currentMessage().startswith("Reading points.csv")
    window.session.wait_for_signature()
    qtbot.waitUntil(lambda: window.session.data_signature is not None)
    assert not window.statusBar().currentMessage().startswith("Reading")
