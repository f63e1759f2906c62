"""``nnstudio`` with no arguments opens the bundled welcome example, wherever it is
installed, and the self-quit smoke mode says which project the window showed."""

from __future__ import annotations

import pytest
from window_helpers import isolate_settings

from nnstudio.graph.files.project_file import load_project
from nnstudio.paths import examples_dir
from nnstudio.ui import app as app_module


def test_no_arguments_open_the_bundled_example_and_report_it(
        qtbot, tmp_path, monkeypatch, capfd: pytest.CaptureFixture[str]) -> None:
    isolate_settings(tmp_path, monkeypatch)
    monkeypatch.setenv(app_module.QUIT_ENV, "200")
    welcome = examples_dir() / app_module.WELCOME_EXAMPLE
    name = load_project(welcome).name
    assert name
    assert app_module.run_app([]) == 0
    err = capfd.readouterr().err
    assert "quitting after 200 ms on Qt's offscreen platform" in err
    assert f"the window showed: {name} — NN Studio" in err


def test_without_the_example_the_report_says_untitled(
        qtbot, tmp_path, monkeypatch, capfd: pytest.CaptureFixture[str]) -> None:
    isolate_settings(tmp_path, monkeypatch)
    monkeypatch.setenv(app_module.QUIT_ENV, "100")
    monkeypatch.setattr(app_module, "examples_dir", lambda: tmp_path / "no-examples")
    assert app_module.run_app([]) == 0
    assert "the window showed: Untitled — NN Studio" in capfd.readouterr().err
