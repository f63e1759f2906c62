"""Issue 16: values a file may hold never raise or warn in the window's panels.

On main a weights histogram of values near 1e30 raised "Too many bins" (an "Unexpected
error" dialog), float32 filters near ±3.4e38 overflowed while scaled (a RuntimeWarning on
the terminal), and a number of a whole-number setting written as 400.5 in a file made the
training panel's spin box raise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnstudio.graph.model.project import Project
from nnstudio.ui.training.plots.filters import mosaic
from nnstudio.ui.training.plots.norms import NormsPanel, histogram

BIG = float(np.finfo(np.float32).max)


@pytest.mark.parametrize("values", [np.full(5, 1e30), np.full(7, BIG, np.float32),
                                    np.array([BIG, -BIG], np.float32), np.array([3.0]),
                                    np.array([1e30, 1e30 * (1 + 1e-12)])])
def test_a_histogram_of_equal_or_extreme_values(values: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        counts, edges = histogram(np.asarray(values, dtype=float), 40)
    assert counts.sum() == values.size and np.isfinite(edges).all()


def test_the_weights_panel_shows_huge_constant_weights(qtbot) -> None:
    panel = NormsPanel("weights", lambda: {"n1": "Dense"})
    qtbot.addWidget(panel)
    panel.current = {"n1": np.full((3, 4), 1e30, np.float32)}
    panel.series = {"n1": [1e30, BIG]}
    panel.epochs = [1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel._sync_nodes()
        panel._redraw()


@pytest.mark.parametrize("symmetric", [True, False])
def test_filter_tiles_of_extreme_float32_values(symmetric: bool) -> None:
    images = np.array([[[BIG, -BIG], [0.0, 1.0]], [[BIG, BIG], [BIG, BIG]]], np.float32)
    lut = np.zeros((256, 3), np.uint8)
    lut[:, 0] = np.arange(256)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = mosaic(lut, images, symmetric)
    assert out.shape == (2, 5, 4) and out[0, 0, 0] == 255


def test_the_training_panel_shows_odd_numbers_from_a_file(qtbot, tmp_path, monkeypatch
                                                          ) -> None:
    from window_helpers import make_window

    window = make_window(qtbot, tmp_path, monkeypatch)
    project = Project(dataset={"source": "builtin", "name": "xor",
                               "params": {"n_samples": 400.5, "noise": 1e30}},
                      training={"epochs": 1_000_000, "lr": 1e6})
    window.set_project(project, None)
    panel = window.training_ui.panel
    assert panel.n_samples.value() == 400 and panel.noise.value() == panel.noise.maximum()
    fields = {path[-1]: box for path, box in panel._fields.items()}
    assert fields["epochs"].value() == 1_000_000 and fields["lr"].value() == 1e6
