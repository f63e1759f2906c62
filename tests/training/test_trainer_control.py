"""Stop, pause, single batch and single epoch steps, driven from another thread."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

from nnstudio.graph.files.project_file import load_project
from nnstudio.training import EpochRecord, Finished, StepRecord, Trainer, TrainingControl

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def start(trainer: Trainer, control: TrainingControl) -> queue.Queue:
    records: queue.Queue = queue.Queue()

    def work() -> None:
        for record in trainer.run(control):
            records.put(record)

    threading.Thread(target=work, daemon=True).start()
    return records


def next_of(records: queue.Queue, kind: type) -> object:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        record = records.get(timeout=10)
        if isinstance(record, kind):
            return record
    raise AssertionError(f"no {kind.__name__} arrived")


def test_stop_before_the_first_batch() -> None:
    trainer = Trainer(load_project(EXAMPLES / "xor.nnstudio"))
    control = TrainingControl()
    control.request_stop()
    records = list(trainer.run(control))
    assert len(records) == 1 and isinstance(records[0], Finished)
    assert records[0].reason == "stopped" and trainer.step == 0


def test_pause_single_batch_single_epoch_resume_and_stop() -> None:
    project = load_project(EXAMPLES / "xor.nnstudio")
    project.training["epochs"] = 1000
    trainer = Trainer(project)
    control = TrainingControl()
    control.pause()
    records = start(trainer, control)
    assert control.wait_for_rest(1)  # at rest before the first batch
    assert trainer.step == 0 and records.empty()
    control.step_batch()
    step = next_of(records, StepRecord)
    assert isinstance(step, StepRecord) and step.step == 1
    assert control.wait_for_rest(2)  # at rest again after exactly one batch
    assert trainer.step == 1 and control.paused
    control.step_epoch()
    epoch = next_of(records, EpochRecord)
    assert isinstance(epoch, EpochRecord) and epoch.epoch == 1
    batches = trainer.history[0]["step"]
    assert batches == 20  # 320 training samples, batch size 16
    assert control.wait_for_rest(3)
    assert trainer.step == batches
    control.resume()
    next_of(records, EpochRecord)
    control.request_stop()
    finished = next_of(records, Finished)
    assert isinstance(finished, Finished) and finished.reason == "stopped"
    assert finished.epochs_run < 1000
