"""The training child process protocol (nnstudio.training.remote), without Qt."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nnstudio.graph.files.project_file import load_project, project_to_bytes
from nnstudio.graph.model.project import Project
from nnstudio.training.records import Finished, TrainingResults
from nnstudio.training.remote import ProgressBatch, RunOutcome, RunRequest, child_main
from nnstudio.training.runs import RunStart, results_edit
from nnstudio.training.trainer import Trainer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Child:
    """A spawned training child and the parent's ends of its pipes."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        child_commands, self.commands = ctx.Pipe(duplex=False)
        self.messages, child_messages = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=child_main, args=(child_commands, child_messages),
                                   daemon=True)
        self.process.start()
        child_commands.close()
        child_messages.close()
        assert self.receive(30.0) == ("ready",)

    def receive(self, timeout: float = 30.0) -> tuple[Any, ...]:
        assert self.messages.poll(timeout), "the child did not answer"
        message: tuple[Any, ...] = self.messages.recv()
        return message

    def run(self, request: RunRequest) -> tuple[list[ProgressBatch], RunOutcome, float]:
        """Send a run; (progress messages, outcome, seconds until the outcome came). The
        run's description comes first (``self.info``), unless the run cannot start."""
        start = time.perf_counter()
        self.commands.send(("run", request))
        progress: list[ProgressBatch] = []
        self.info = None
        while True:
            message = self.receive()
            if message[0] == "finished":
                return progress, message[1], time.perf_counter() - start
            if message[0] == "started":
                assert not progress and self.info is None, "the description comes first"
                self.info = message[1]
                continue
            progress.append(message[1])


@pytest.fixture(scope="module")
def child() -> Iterator[Child]:
    c = Child()
    yield c
    c.commands.send(("quit",))
    c.process.join(5.0)
    assert c.process.exitcode == 0


def example(name: str, **training: Any) -> Project:
    project = load_project(EXAMPLES / f"{name}.nnstudio")
    project.training.update(training)
    return project


def stored(project: Project, results: TrainingResults) -> bytes:
    """The project file after storing ``results`` (as the GUI stores them)."""
    start = RunStart("r1", "Run 1", "2026-12-03T00:00:00Z", continues=False)
    finished = Finished("completed", "", 0, None)
    project.apply(results_edit(project, start, results, finished, "2026-12-03T00:01:00Z"))
    return project_to_bytes(project)


@pytest.mark.parametrize(("name", "training"), [
    ("xor", {"epochs": 15}),
    ("digits_cnn", {"epochs": 1}),
    ("bagging", {"epochs": 3}),
])
def test_results_equal_an_in_process_run_bit_for_bit(child: Child, name: str,
                                                     training: dict[str, Any]) -> None:
    request = RunRequest(project_to_bytes(example(name, **training)),
                         snapshot_interval_s=0.0, evaluate_interval_s=0.0)
    progress, outcome, _ = child.run(request)
    assert outcome.finished.reason == "completed" and outcome.results is not None
    assert any(m.snapshot is not None for m in progress)

    trainer = Trainer(example(name, **training))
    for _record in trainer.run():
        pass
    assert (outcome.epoch, outcome.step) == (trainer.epoch, trainer.step)
    assert stored(example(name, **training), outcome.results) == \
        stored(example(name, **training), trainer.results())


def test_a_bad_project_ends_with_a_sentence_and_the_child_serves_on(child: Child) -> None:
    _, outcome, _ = child.run(RunRequest(b"this is not a project file"))
    assert outcome.finished.reason == "error" and outcome.results is None
    assert outcome.finished.message.startswith("Cannot train: Cannot open")
    assert "Traceback" not in outcome.finished.message
    no_dataset = example("xor")
    no_dataset.dataset = {}
    _, outcome, _ = child.run(RunRequest(project_to_bytes(no_dataset)))
    assert outcome.finished.message == ("Cannot train: The project has no dataset: choose "
                                        "one before training.")
    _, outcome, _ = child.run(RunRequest(project_to_bytes(example("xor", epochs=2))))
    assert outcome.finished.reason == "completed"


def test_a_diverging_run_reports_it_and_keeps_results(child: Child) -> None:
    project = example("linear_regression", optimizer="sgd", lr=50.0, momentum=0.0, epochs=50)
    _, outcome, _ = child.run(RunRequest(project_to_bytes(project)))
    assert outcome.finished.reason == "diverged"
    assert "smaller learning rate" in outcome.finished.message
    assert outcome.results is not None


def test_stop_ends_a_running_run_and_keeps_its_results(child: Child) -> None:
    """(How fast a stop lands is measured by bench/stop_latency.py, not here.)"""
    child.commands.send(("run", RunRequest(project_to_bytes(example("digits_cnn",
                                                                    epochs=10_000)),
                                           snapshot_interval_s=0.25)))
    while child.receive()[0] != "progress":
        pass
    child.commands.send(("stop",))
    while (message := child.receive(30.0))[0] != "finished":
        pass
    assert message[1].finished.reason == "stopped" and message[1].results is not None


def until_rest(child: Child) -> tuple[tuple[int, int], list[ProgressBatch]]:
    """The messages up to the next "paused" one: (its position, the progress before)."""
    progress: list[ProgressBatch] = []
    while (message := child.receive())[0] != "paused":
        assert message[0] == "progress", message[0]
        progress.append(message[1])
    return message[1], progress


def test_paused_run_steps_one_batch_then_one_epoch(child: Child) -> None:
    child.commands.send(("run", RunRequest(project_to_bytes(example("xor")), paused=True)))
    assert child.receive()[0] == "started"
    position, _ = until_rest(child)
    assert position == (1, 0)  # at rest before the first batch
    child.commands.send(("step_batch",))
    position, progress = until_rest(child)
    assert position == (1, 1)  # at rest again after exactly one batch
    assert [r.step for m in progress for r in m.steps] == [1]
    child.commands.send(("step_epoch",))
    position, progress = until_rest(child)
    assert [r.epoch for m in progress for r in m.epochs if r.member is None] == [1]
    assert position[0] == 2  # resting before the first batch of epoch 2
    child.commands.send(("resume",))
    child.commands.send(("stop",))
    while (message := child.receive())[0] != "finished":
        pass
    assert message[1].finished.reason == "stopped"


def test_messages_are_throttled_and_keep_every_epoch(child: Child) -> None:
    project = example("xor", epochs=300, batch_size=8, early_stopping=False)
    progress, outcome, seconds = child.run(RunRequest(project_to_bytes(project),
                                                      snapshot_interval_s=0.0))
    assert outcome.finished.reason == "completed"
    assert len(progress) <= seconds * 30 + 3
    epochs = [r.epoch for m in progress for r in m.epochs if r.member is None]
    assert epochs == list(range(1, 301))


def test_the_child_quits_when_the_parent_goes_away() -> None:
    c = Child()
    c.commands.close()
    c.process.join(5.0)
    assert c.process.exitcode == 0

