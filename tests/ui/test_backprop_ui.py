"""The backprop dock on the chocolate network: the highlighted node sequence, the numbers on
the canvas and in the panel, the chain rule of a clicked edge and the gradient check."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.ui.backprop import BackpropUi
from nnstudio.ui.backprop.overlay import NumberLabel
from tests.ui.window_helpers import make_window

SHOT_ENV = "NNSTUDIO_BACKPROP_SHOT"   # a path: save a screenshot of the window mid-step


def chocolate_project() -> tuple[Project, dict[str, str]]:
    d = Document()
    x = d.add_node("neuron.input_feature", (0, 0), {"column": 0}, "x (chocolate)")
    b1 = d.add_node("neuron.bias", (0, 160), title="b1 (bias)")
    h = d.add_node("neuron.neuron", (220, 0), title="h = w1·x + b1")
    b2 = d.add_node("neuron.bias", (220, 160), title="b2 (bias)")
    g = d.add_node("neuron.neuron", (440, 0), title="g = w2·h + b2")
    out = d.add_node("neuron.output", (660, 0), {"loss": "mse"}, "happiness (MSE)")
    ids = {"x": x, "b1": b1, "h": h, "b2": b2, "g": g, "out": out,
           "e_w1": d.connect(x, "out", h, "in", weight=0.7),
           "e_b1": d.connect(b1, "out", h, "in", weight=-0.2),
           "e_w2": d.connect(h, "out", g, "in", weight=1.3),
           "e_b2": d.connect(b2, "out", g, "in", weight=0.1)}
    d.connect(g, "out", out, "in")
    project = Project(graph=d, name="Chocolate", seed=1,
                      dataset={"source": "builtin", "name": "chocolate", "params": {}},
                      training={"scaling": "none", "val_fraction": 0.25})
    return project, ids


@pytest.fixture
def backprop(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> tuple[BackpropUi, dict[str, str]]:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    project, ids = chocolate_project()
    window.set_project(project, None)
    ui = window.backprop_ui
    ui.show()
    return ui, ids


def highlighted(ui: BackpropUi) -> str | None:
    return ui.overlay.highlighted_node


def test_dock_is_in_the_view_menu_and_hidden_at_first(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    ui = window.backprop_ui
    assert not ui.dock.isVisible()
    action = ui.dock.toggleViewAction()
    assert action in window.panels_menu.actions()
    action.trigger()
    assert ui.dock.isVisible()


def test_stepping_through_the_chocolate_network(backprop, qtbot) -> None:  # type: ignore[no-untyped-def]
    ui, ids = backprop
    panel = ui.panel
    seen: list[tuple[str, str | None]] = []
    panel.step_button.click()
    while True:
        current = ui.current()
        assert current is not None
        seen.append((current[0], highlighted(ui)))
        if not panel.step_button.isEnabled():
            break
        panel.step_button.click()
    forward = [n for phase, n in seen if phase == "forward"]
    backward = [n for phase, n in seen if phase == "backward"]
    assert forward == [ids[k] for k in ("x", "b1", "b2", "h", "g", "out")]
    assert backward == [ids["out"], ids["g"], ids["h"]]

    trace = ui.trace
    assert trace is not None and ui.batch is not None
    x, y = ui.batch.x[:, 0].astype(np.float64), ui.batch.y[:, 0].astype(np.float64)
    h = 0.7 * x - 0.2
    g = 1.3 * h + 0.1
    e = y - g
    w1_grad = -2 / 4 * np.sum(e * 1.3 * x)
    labels = ui.overlay.edge_labels
    assert labels[ids["e_w1"]] == f"∂L/∂w1 = {w1_grad:.4g}".replace("-", "−")
    assert labels[ids["e_b2"]] == f"∂L/∂b2 = {-2 / 4 * np.sum(e):.4g}".replace("-", "−")
    node_text = ui.overlay.node_labels[ids["g"]]
    assert f"g = {g.mean():.4g}".replace("-", "−") in node_text
    assert f"Σᵢ ∂L/∂gᵢ = {-2 / 4 * np.sum(e):.4g}".replace("-", "−") in node_text
    shown = [i.text for i in ui.overlay.items if isinstance(i, NumberLabel)]
    assert any(t.startswith("∂L/∂w1") for t in shown)
    assert "backward" in panel.step_label.text() and "h = w1·x + b1" in panel.step_label.text()
    assert "∂L/∂w1 = " in panel.explain_label.text()
    assert panel.samples.rowCount() == 4
    assert panel.samples.item(0, 3).text() == f"{h[0]:.4g}".replace("-", "−")

    panel.back_button.click()          # back to g
    assert highlighted(ui) == ids["g"] and ids["e_w1"] not in ui.overlay.edge_labels
    panel.reset_button.click()
    assert ui.trace is None and not ui.overlay.items
    panel.run_button.click()
    assert highlighted(ui) == ids["h"] and not panel.step_button.isEnabled()
    panel.forward_button.click()
    assert ui.current() == ("forward", ids["out"])
    assert not ui.overlay.edge_labels or all("∂" not in t for t in ui.overlay.edge_labels.values())


def test_clicking_an_edge_shows_its_chain_rule(backprop, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ui, ids = backprop
    window = ui.host
    ui.panel.forward_button.click()
    for _ in range(3):
        ui.panel.step_button.click()      # backward: out, g, h
    window.scene.edge_items[ids["e_w1"]].setSelected(True)
    text = ui.panel.chain_text.toPlainText()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[:3] == ["∂L/∂w1", "= ∂L/∂g · ∂g/∂h · ∂h/∂w1", "= −2/N Σᵢ eᵢ · w2 · xᵢ"]
    assert "(where eᵢ = yᵢ − gᵢ)" in lines
    assert lines[-1].endswith("✓")
    shot = os.environ.get(SHOT_ENV)
    if shot:
        ui.panel.check_button.click()
        window.view.fit_all()
        qtbot.wait(50)
        window.grab().save(shot)


def test_check_gradients_passes_on_a_good_graph(backprop) -> None:  # type: ignore[no-untyped-def]
    ui, _ids = backprop
    ui.panel.check_button.click()
    table = ui.panel.check_table
    assert table.rowCount() == 4
    names = {table.item(r, 0).text() for r in range(4)}
    assert names == {"w1", "b1", "w2", "b2"}
    assert all(table.item(r, 2).text() == "pass" for r in range(4))
    assert ui.panel.verdict_label.text().count("PASS") == 1


def test_editing_the_network_resets_the_trace(backprop, qtbot) -> None:  # type: ignore[no-untyped-def]
    ui, ids = backprop
    ui.panel.forward_button.click()
    assert ui.trace is not None
    ui.host.scene.document.set_edge_weight(ids["e_w1"], 0.1)
    qtbot.waitUntil(lambda: ui.trace is None, timeout=2000)
    assert not ui.overlay.items
    assert "press Forward" in ui.panel.explain_label.text()


def test_no_dataset_gives_a_sentence(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, tmp_path, monkeypatch)
    ui = window.backprop_ui
    ui.panel.step_button.click()
    assert ui.trace is None
    assert "no dataset" in ui.panel.explain_label.text()
