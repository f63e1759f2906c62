"""Live pictures never starve training: a snapshot or confusion matrix that took t seconds
waits at least 4t before the next (LIVE_VIEW_SHARE), and a large network or ensemble gets
a coarser map. Found by the hostile-project corpus: 50 bagging members of a 5,000-unit
Dense trained at 6 samples/s in the window (each 100×100 map took seconds, four a second
were asked for) and never finished its epoch."""

from __future__ import annotations

import time
from pathlib import Path

from nnstudio.graph.files.project_file import load_project
from nnstudio.training import Trainer
from nnstudio.training.pacing import LIVE_VIEW_SHARE
from nnstudio.training.snapshots import GRID_SIZE, MIN_GRID_SIZE, grid_side

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_snapshot_waits_in_proportion_to_its_cost() -> None:
    trainer = Trainer(load_project(EXAMPLES / "xor.nnstudio"), snapshot_interval_s=0.25)
    list(trainer.run(epochs=1))
    snaps = trainer._snaps  # the trainer's snapshots and the server's evaluations alike
    now = time.perf_counter()
    snaps.cost = 1.0
    wait = 1.0 * (1 / LIVE_VIEW_SHARE - 1)
    snaps.last = now - wait + 0.5
    assert not trainer._snapshot_due(now)
    snaps.last = now - wait - 0.01
    assert trainer._snapshot_due(now)
    snaps.cost = 0.001  # a cheap one: the interval rules
    snaps.last = now - 0.2
    assert not trainer._snapshot_due(now)
    snaps.last = now - 0.26
    assert trainer._snapshot_due(now)


def test_the_map_is_fine_for_small_networks_and_coarser_for_big_ensembles() -> None:
    assert grid_side(4_500) == GRID_SIZE  # the spiral's network
    assert MIN_GRID_SIZE <= grid_side(50 * 335_000) < GRID_SIZE
    assert grid_side(10**12) == MIN_GRID_SIZE
    assert grid_side(0) == GRID_SIZE


def test_the_window_gets_at_most_shown_samples_points_of_each_split() -> None:
    from nnstudio.training.prepared import prepare_run
    from nnstudio.training.run_info import SHOWN_SAMPLES, describe_run

    project = load_project(EXAMPLES / "spiral_regularization.nnstudio")
    project.dataset["params"] = {**project.dataset.get("params", {}), "n_samples": 40_000}
    info = describe_run(prepare_run(project), 0, 0)
    assert len(info.train_x) == SHOWN_SAMPLES == len(info.val_x)
    assert info.train_samples == 32_000  # the count is still the split's
