"""Issue 16, acceptance 5 in the window: lr 1e6 with SGD+momentum+BatchNorm, Adam and
RMSprop each end as "diverged", and the project keeps finite values (weights, BatchNorm
buffers, optimizer state) that reopen from its file."""

from __future__ import annotations

import numpy as np
import pytest
from training_helpers import training_window, wait_state

from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.ui.training.controller import FINISHED
from tests.training.test_divergence import OPTIMIZERS, lr_1e6


def finite_values(project) -> bool:  # type: ignore[no-untyped-def]
    weights = [e.weight for e in project.graph.edges.values() if e.weight is not None]
    values = [np.asarray(v) for n in project.graph.nodes.values() for v in n.values.values()]
    arrays = project.optimizer_state.get("arrays", {})
    return bool(values) and all(np.isfinite(weights)) \
        and all(np.isfinite(v).all() for v in values) \
        and all(np.isfinite(np.asarray(a)).all() for a in arrays.values())


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_lr_1e6_diverges_in_the_window_with_finite_values_kept(
        qtbot, tmp_path, monkeypatch, name: str) -> None:
    window, ui = training_window(qtbot, tmp_path, monkeypatch)
    window.set_project(lr_1e6(name), None)
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED, timeout=60_000)
    assert ui.controller.last_outcome.reason == "diverged"
    assert "diverged" in ui.panel.message.text().lower()
    assert ui.status.text().startswith("Diverged")
    assert finite_values(window.project)
    path = tmp_path / f"{name}.nnstudio"
    save_project(window.project, path)
    assert finite_values(load_project(path))
