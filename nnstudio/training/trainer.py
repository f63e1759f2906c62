"""The trainer: runs a compiled plan over a dataset and yields progress records.

    trainer = Trainer(project)                   # raises TrainingError with one sentence
    for record in trainer.run(control):          # StepRecord / EpochRecord / Snapshot / Finished
        ...
    project.apply(results_edit(project, start, trainer.results(), finished))
                                                 # see nnstudio.training.runs

Randomness: the split and the dataset come from ``project.seed``, shuffling from a
generator seeded with (seed, epoch), dropout from the plan's own seeded generator, so the
same seed reproduces a run bit for bit.

Divergence (see ``divergence.py``): a NaN, infinite or exploding loss, or a non-finite
parameter, buffer or optimizer state, ends the run as "diverged" with the newest
checkpoint of good values restored.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from nnstudio.engine.optimizers import Optimizer, make_optimizer
from nnstudio.graph.compiler import Plan
from nnstudio.graph.compiler.plan import Samples
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.project import Project
from nnstudio.training import bagging, metrics
from nnstudio.training.control import TrainingControl
from nnstudio.training.datasets import Dataset
from nnstudio.training.datasets.rows import ScaledRows, ScaledSplit
from nnstudio.training.divergence import CHECK_EVERY, Checkpoint, LossGuard
from nnstudio.training.early_stopping import EarlyStopping
from nnstudio.training.pacing import Pacer
from nnstudio.training.prepared import PreparedRun, prepare_run
from nnstudio.training.records import (
    EpochRecord,
    Finished,
    Progress,
    Snapshot,
    StepRecord,
    TrainingResults,
)
from nnstudio.training.runs import RunStart, begin_run, plan_fingerprint, results_edit
from nnstudio.training.schedules import LRSchedule
from nnstudio.training.settings import TrainingError
from nnstudio.training.snapshots import (
    Probe,
    grid_side,
    hidden_nodes,
    make_probe,
    take_snapshot,
)

STEP_RECORD_INTERVAL_S = 0.05   # at most ~20 StepRecords per second
TRAIN_EVAL_LIMIT = 5000         # training-set metrics use at most this many samples


@dataclass
class _Member:
    """One trained copy of the plan (several when bagging), with its training rows."""

    plan: Plan
    index: int | None
    params: dict[Any, np.ndarray]       # optimizer keys -> the plan's arrays
    grads: dict[Any, np.ndarray]
    x: ScaledRows                       # its training inputs, scaled batch by batch
    y: np.ndarray


class _StopError(Exception):
    """Ends a run early with a Finished record."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Trainer:
    """Trains a snapshot of ``project.graph`` on ``project.dataset`` (see TRAINER_API.md)."""

    def __init__(self, project: Project, *, base_dir: Path | None = None,
                 dataset: Dataset | None = None, prepared: PreparedRun | None = None,
                 snapshot_interval_s: float | None = None, snapshot_sample: int = 0) -> None:
        if prepared is None:
            prepared = prepare_run(project, base_dir, dataset=dataset)
        self.prepared = prepared
        self.finished: Finished | None = None
        """The last run's Finished record (None before any)."""
        self.settings = prepared.settings
        self.seed = prepared.seed
        self.snapshot_interval_s = snapshot_interval_s
        s = self.settings
        self.dataset = prepared.dataset
        self.task: str = prepared.task
        self.scaler = prepared.scaler
        self.split: ScaledSplit = prepared.split
        self.plan: Plan = prepared.plan
        plans = list(prepared.plans)
        self.heads = self.plan.heads
        self._y = prepared.targets
        self._check_targets()
        self._members = self._make_members(plans, project.ensemble)
        self.optimizer = self._make_optimizer(project.optimizer_state)
        self._checkpoint = self._make_checkpoint(project)
        self._guard = LossGuard()
        self._since_check = 0
        self.history: list[dict[str, Any]] = [dict(r) for r in project.history]
        self.member_history: list[list[dict[str, Any]]] = [[] for _ in self._members]
        main = [r for r in self.history if r.get("member") is None]
        self.epoch = int(main[-1].get("epoch", len(main))) if main else 0
        self.step = int(main[-1].get("step", 0) or 0) if main else 0
        self.schedule = LRSchedule(s)
        self.early = EarlyStopping(s.patience, s.min_delta)
        for record in main:
            loss = record.get("val_loss") if self.split.val.n_samples else record.get(
                "train_loss")
            self.schedule.observe(loss)
            self.early.update(int(record.get("epoch", 0)), loss)
        self.early.epochs_since_best = 0
        if self.early.best_epoch is not None and s.early_stopping and s.restore_best:
            self.early.best_state = self._states()
        node_types = {n.id: n.type_id for n in project.graph.nodes.values()}
        sample = self.split.train.x[min(max(snapshot_sample, 0), self.split.train.n_samples - 1)]
        weights = sum(int(v.size) for v in self.plan.params.values()) * len(self._members)
        self._probe: Probe = make_probe(self.dataset.x, self.task, sample[None].copy(),
                                        self.scaler.transform, hidden_nodes(node_types),
                                        grid_side(weights))

    # --- setting up ----------------------------------------------------------------------

    @np.errstate(over="ignore", invalid="ignore", divide="ignore")  # a shape check only:
    def _check_targets(self) -> None:  # huge stored weights overflow here, and diverge later
        try:
            self.plan.forward(self.split.train.x[:2], training=False)
            self.plan.loss(self._y["train"][:2])
        except GraphError as error:
            raise TrainingError(f"The network does not fit the dataset: {error}") from None

    def _make_members(self, plans: list[Plan], ensemble: list[dict[str, np.ndarray]]
                      ) -> list[_Member]:
        x, y = self.split.train.x, self._y["train"]
        bag = len(plans) > 1
        if bag and len(ensemble) == len(plans):
            try:
                for plan, state in zip(plans, ensemble, strict=True):
                    plan.load_state_dict(state)
            except GraphError as error:
                raise TrainingError(f"The saved ensemble does not fit the network: {error}"
                                    ) from None
        members = []
        for k, plan in enumerate(plans):
            def key(pk: tuple[str, str], k: int = k) -> Any:
                return (k, *pk) if bag else pk
            params = {key(pk): a for pk, a in plan.params.items()}
            grads = {key(pk): plan.grads[pk] for pk in plan.params}
            if bag:  # a bootstrap sample by row number: no copy of the inputs
                rows = bagging.bootstrap_indices(len(x), k, self.seed)
                mx, my = x.subset(rows), y[rows]
            else:
                mx, my = x, y
            members.append(_Member(plan, k if bag else None, params, grads, mx, my))
        return members

    def _make_checkpoint(self, project: Project) -> Checkpoint:
        """Watches every member's parameters and buffers and the optimizer's state."""
        titles = {n.id: n.title for n in project.graph.nodes.values()}
        names = {"running_mean": "running mean", "running_var": "running variance"}
        bag = len(self._members) > 1

        def label(node_id: str, name: str, member: int | None) -> str:
            text = f"{names.get(name, name)} of '{titles.get(node_id, node_id)}'"
            return text if member is None or not bag else f"{text} (member {member + 1})"

        params: dict[Any, np.ndarray] = {}
        labels: dict[Any, str] = {}
        buffers: dict[str, np.ndarray] = {}
        for m in self._members:
            params.update(m.params)
            labels.update({key: label(key[-2], key[-1], m.index) for key in m.params})
            buffers.update({label(node_id, name, m.index): array
                            for (node_id, name), array in m.plan.buffers.items()})
        return Checkpoint(params, buffers, labels, self.optimizer)

    def _make_optimizer(self, saved: dict[str, Any]) -> Optimizer:
        s = self.settings
        if s.optimizer == "sgd":
            opt = make_optimizer("sgd", lr=s.lr, momentum=s.momentum, nesterov=s.nesterov,
                                 weight_decay=s.weight_decay)
        elif s.optimizer == "adam":
            opt = make_optimizer("adam", lr=s.lr, betas=(s.beta1, s.beta2), eps=s.eps,
                                 weight_decay=s.weight_decay)
        else:
            opt = make_optimizer("rmsprop", lr=s.lr, alpha=s.alpha, eps=s.eps,
                                 momentum=s.momentum, weight_decay=s.weight_decay)
        meta = saved.get("meta") if isinstance(saved, dict) else None
        if isinstance(meta, dict) and meta.get("name") == opt.name:
            loaded = make_optimizer(opt.name)
            try:
                loaded.load_state_dict(saved)
            except ValueError:
                return opt
            params = {k: a for m in self._members for k, a in m.params.items()}
            for key, steps in loaded.steps.items():
                slots = loaded.state.get(key, {})
                if key in params and all(v.shape == params[key].shape for v in slots.values()):
                    opt.steps[key] = steps
                    if slots:
                        opt.state[key] = {n: v.astype(params[key].dtype) for n, v in
                                          slots.items()}
        return opt

    # --- running -------------------------------------------------------------------------

    def run(self, control: TrainingControl | None = None,
            epochs: int | None = None) -> Iterator[Progress]:
        """Train ``epochs`` more epochs (default: the settings'); ends with one Finished."""
        control = control or TrainingControl()
        n_epochs = self.settings.epochs if epochs is None else int(epochs)
        self._t0 = time.perf_counter()
        self._snaps = Pacer(self.snapshot_interval_s or 0.0, last=self._t0)
        self._snap_position: tuple[int, int] | None = None  # (epoch, step) of the last one
        self._last_step_t = self._t0 - STEP_RECORD_INTERVAL_S  # the first step is reported
        self._samples_since = 0
        main = [r for r in self.history if r.get("member") is None]
        self._guard = LossGuard(main[0].get("train_loss") if main else None)
        epochs_run = 0
        try:
            for _ in range(n_epochs):
                yield from self._one_epoch(control)
                epochs_run += 1
                if self.settings.early_stopping and self.early.should_stop:
                    raise _StopError("early_stopped", self._early_stop())
            reason, message = "completed", f"Training completed {epochs_run} epochs."
        except _StopError as stop:
            reason, message = stop.reason, stop.message
        except (GraphError, ValueError, FloatingPointError) as error:
            reason, message = "error", f"Training stopped: {error}"
        shown = self._snap_position == (self.epoch, self.step) and reason == "completed"
        if self.snapshot_interval_s is not None and not shown:  # else the last one still holds
            yield self._snapshot()
        self.finished = Finished(reason, message, epochs_run, self.early.best_epoch)
        yield self.finished

    def _early_stop(self) -> str:
        best = self.early.best_epoch
        text = (f"Early stopping: the validation loss did not improve for "
                f"{self.early.patience} epochs after epoch {best}")
        if self.settings.restore_best and self.early.best_state is not None:
            for member, state in zip(self._members, self.early.best_state, strict=True):
                member.plan.load_state_dict(state)
            return text + "; its weights were restored."
        return text + "."

    def _one_epoch(self, control: TrainingControl) -> Generator[Progress, None, None]:
        self.epoch += 1
        epoch = self.epoch
        lr = self.schedule.lr_for(epoch)
        self.optimizer.lr = lr
        train_losses = []
        batches = 0
        for member in self._members:
            loss, batches = yield from self._train_member(member, epoch, lr, control)
            train_losses.append(loss)
        problem = self._checkpoint.problem()
        if problem is not None:
            self._diverged(epoch, batches, problem)
        records = self._evaluate(epoch, lr, train_losses)
        for record in records:
            yield record
        main = records[-1]
        self.history.append(main.to_json())
        for record in records[:-1]:
            assert record.member is not None
            self.member_history[record.member].append(record.to_json())
        if control.epoch_done():
            yield self._snapshot()
            self._snaps.last = time.perf_counter()  # the pause after it is not its cost
        elif self._snapshot_due():
            yield self._snapshot()

    def _train_member(self, m: _Member, epoch: int, lr: float, control: TrainingControl
                      ) -> Generator[Progress, None, tuple[float, int]]:
        """One epoch of member ``m``: yields records; returns (mean loss, batches)."""
        n = len(m.x)
        bs = self.settings.effective_batch_size(n)
        if bs >= n:
            batches: list[Any] = [slice(None)]
        else:
            if self.settings.shuffle:
                stream = 0 if m.index is None else m.index + 1
                rng = np.random.default_rng([self.seed, epoch, stream])
                order = rng.permutation(n)
            else:
                order = np.arange(n)
            batches = [order[i:i + bs] for i in range(0, n, bs)]
        total, count = 0.0, 0
        for b, rows in enumerate(batches, start=1):
            if not control.wait_for_batch():
                raise _StopError("stopped", f"Training stopped by the user in epoch {epoch}.")
            loss, size = self._batch(m, rows, epoch, b)
            self.step += 1
            total += loss * size
            count += size
            self._samples_since += size
            stepped = control.batch_done()
            now = time.perf_counter()
            if stepped or now - self._last_step_t >= STEP_RECORD_INTERVAL_S:
                rate = self._samples_since / max(now - self._last_step_t, 1e-6)
                yield StepRecord(epoch, self.step, float(loss), lr, rate, m.index)
                self._last_step_t, self._samples_since = now, 0
            if stepped or self._snapshot_due(now):
                yield self._snapshot()
        return total / max(count, 1), len(batches)

    # A diverging run computes with inf and NaN on purpose; the checks below handle them,
    # so numpy's warnings about them would only reach the terminal.
    @np.errstate(over="ignore", invalid="ignore", divide="ignore")
    def _batch(self, m: _Member, rows: Any, epoch: int, b: int) -> tuple[float, int]:
        """One optimizer step of member ``m`` on its rows ``rows``: (loss, batch size).

        Cheap on purpose: the loss is looked at every batch; every array (and a copy of
        them) only every CHECK_EVERY batches, before the step the loss just vouched for.
        """
        plan = m.plan
        xb = m.x[rows]
        plan.forward(xb, training=True)
        loss = plan.loss(m.y[rows])
        problem = self._guard.problem(loss)
        if problem is None and (b == 1 or self._since_check >= CHECK_EVERY):
            problem = self._checkpoint.take(epoch, b)
            self._since_check = 0
        if problem is not None:
            self._diverged(epoch, b, problem)
        plan.zero_grad()
        plan.backward()
        self.optimizer.step(m.params, m.grads)
        self._since_check += 1
        return loss, len(xb)

    def _diverged(self, epoch: int, batch: int, what: str) -> NoReturn:
        """Restore the newest checkpoint and end the run with a sentence saying so."""
        restored = self._checkpoint.restore()
        for m in self._members:
            m.plan.zero_grad()
        text = f"Training diverged at epoch {epoch}, batch {batch}: {what}"
        if restored and self._checkpoint.position is not None:
            e, b = self._checkpoint.position
            text += f"; the last good values, from epoch {e}, batch {b}, were restored"
        raise _StopError("diverged", text + ". Try a smaller learning rate.")

    # --- evaluating ----------------------------------------------------------------------

    @np.errstate(over="ignore", invalid="ignore", divide="ignore")  # see _batch
    def _evaluate(self, epoch: int, lr: float, train_losses: list[float]) -> list[EpochRecord]:
        parts = {"train": (self.split.train.x.subset(slice(TRAIN_EVAL_LIMIT)),
                           self.split.train.y[:TRAIN_EVAL_LIMIT],
                           self._y["train"][:TRAIN_EVAL_LIMIT])}
        if self.split.val.n_samples:
            parts["val"] = (self.split.val.x, self.split.val.y, self._y["val"])
        if self.split.test is not None and self.split.test.n_samples:
            parts["test"] = (self.split.test.x, self.split.test.y, self._y["test"])
        preds = [{name: m.plan.predict(x) for name, (x, _, _) in parts.items()}
                 for m in self._members]
        elapsed = time.perf_counter() - self._t0
        records = []

        def scores(pred: dict[str, np.ndarray]) -> tuple[dict[str, float | None],
                                                         dict[str, float]]:
            losses: dict[str, float | None] = {"val": None, "test": None}
            found: dict[str, float] = {}
            for name, (_, y_task, y_loss) in parts.items():
                if name != "train":
                    losses[name] = metrics.eval_loss(self.heads, pred[name], y_loss)
                found.update(metrics.task_metrics(self.task, self.heads, pred[name], y_task,
                                                  name))
            return losses, found

        bag = len(self._members) > 1
        member_losses = []
        for m, pred, train_loss in zip(self._members, preds, train_losses, strict=True):
            if not bag:
                break
            losses, found = scores(pred)
            member_losses.append(losses["val"])
            records.append(self._record(epoch, m, train_loss, losses, found, lr, elapsed,
                                        None, m.index))
        if bag:
            ensemble = {name: bagging.average_predictions([p[name] for p in preds])
                        for name in parts}
            losses, found = scores(ensemble)
            valid = [v for v in member_losses if v is not None]
            if valid:
                found["member_mean_val_loss"] = float(np.mean(valid))
                found.update({f"member{k}_val_loss": float(v)
                              for k, v in enumerate(member_losses) if v is not None})
        else:
            losses, found = scores(preds[0])
        monitored = losses["val"] if losses["val"] is not None else float(np.mean(train_losses))
        self.schedule.observe(monitored)
        state = self._states if self.settings.early_stopping and self.settings.restore_best \
            else None
        self.early.update(epoch, monitored, state)
        records.append(self._record(epoch, self._members[0], float(np.mean(train_losses)),
                                    losses, found, lr, elapsed, self.early, None))
        return records

    def _record(self, epoch: int, m: _Member, train_loss: float,
                losses: dict[str, float | None], found: dict[str, float], lr: float,
                elapsed: float, early: EarlyStopping | None, member: int | None) -> EpochRecord:
        return EpochRecord(
            epoch=epoch, step=self.step, train_loss=float(train_loss),
            val_loss=losses["val"], test_loss=losses["test"], metrics=found, lr=lr,
            grad_norms=metrics.norms(m.plan.node_grads()),
            weight_norms=metrics.norms(m.plan.node_weights()),
            best_epoch=None if early is None else early.best_epoch,
            epochs_since_best=0 if early is None else early.epochs_since_best,
            elapsed_s=elapsed, member=member)

    def _states(self) -> list[dict[str, np.ndarray]]:
        return [m.plan.state_dict() for m in self._members]

    # --- snapshots -----------------------------------------------------------------------

    def _snapshot_due(self, now: float | None = None) -> bool:
        return self.snapshot_interval_s is not None and self._snaps.due(now)

    def _snapshot(self) -> Progress:
        start = time.perf_counter()
        snapshot = self.snapshot()
        self._snap_position = (self.epoch, self.step)
        self._snaps.done(start)
        return snapshot

    def snapshot(self) -> Snapshot:
        """What the live views show for the current weights (e.g. of a reopened project,
        without training): map or curve, filters, feature maps, weights."""
        plans = [m.plan for m in self._members]
        return take_snapshot(self.plan, self.epoch, self.step, self._probe, self.task,
                             plans if len(plans) > 1 else ())

    # --- results -------------------------------------------------------------------------

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Raw (unscaled) inputs (N, F) or (N, C, H, W) -> predictions (N, P); the ensemble
        average when bagging (probabilities for classification heads)."""
        return self.predict_scaled(self.scaler.transform(np.asarray(x, dtype=np.float32)))

    def predict_scaled(self, x: Samples) -> np.ndarray:
        """``predict`` for inputs already scaled as the split's are."""
        return bagging.average_predictions([m.plan.predict(x) for m in self._members])

    def results(self) -> TrainingResults:
        """The learned values and records, ready to store in a project."""
        ensemble = self._states() if len(self._members) > 1 else []
        return TrainingResults(
            weights_edit=self.plan.write_back(), history=[dict(r) for r in self.history],
            optimizer_state=self.optimizer.state_dict(),
            preprocessing={"scaler": self.scaler.to_dict()}, ensemble=ensemble,
            fingerprint=plan_fingerprint(self.plan))

    def apply_to(self, project: Project, start: RunStart | None = None) -> None:
        """Store what the run learned into ``project`` as ONE project edit: weights,
        history, optimizer state, scaler and the run record (``start``: the run it belongs
        to; default: the project's current run, or a new one)."""
        start = start or begin_run(project)
        finished = self.finished or Finished("completed", "", 0, None)
        project.apply(results_edit(project, start, self.results(), finished))
