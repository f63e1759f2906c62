"""Comparing runs: their key numbers, and only the settings that differ between them.

    rows = differences([run1, run2])   # [("dropout p on Dropout 10 %", ["0.1", "0"]), ...]
    summary_row(run)                   # the Runs panel's columns for one run

Settings come from the run records (``Run.settings``, ``Run.dataset``, ``Run.seed``,
``Run.network``): what each run trained with, even after the project changed since.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.graph.model.runs import Run
from nnstudio.training.runs import summary
from nnstudio.training.settings import FIELD_LABELS, TrainingSettings

ABSENT = "—"
_DEFAULTS = TrainingSettings().to_dict()
_SETTING_LABELS = {
    "optimizer": "optimizer", **FIELD_LABELS, "nesterov": "Nesterov",
    "shuffle": "shuffle", "schedule": "learning-rate schedule", "scaling": "input scaling",
    "early_stopping": "early stopping", "restore_best": "restore best weights",
}


def show(value: Any) -> str:
    """A value as a table cell: numbers short ("0.0001", "1e-05"), yes/no, or ``ABSENT``."""
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def setting_values(run: Run) -> dict[str, Any]:
    """label -> value of every setting a run trained with (defaults filled in)."""
    values: dict[str, Any] = {}
    settings = {**_DEFAULTS, **dict(run.settings)}
    for key, label in _SETTING_LABELS.items():
        values[label] = settings.get(key)
    dataset = dict(run.dataset)
    values["dataset"] = dataset.get("name") or dataset.get("path") or dataset.get("images")
    for key, value in sorted(dict(dataset.get("params") or {}).items()):
        values[f"dataset {key.replace('_', ' ')}"] = value
    values["seed"] = run.seed
    values.update(_network_values(run.network))
    return values


def _network_values(network: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """label -> value of each node setting, named after its node ("L2 on Dense 64"; a
    title that several nodes share gets the node's id: "dropout p on Dropout (n4)")."""
    values: dict[str, Any] = {}
    titles = [str(entry.get("title", "")) for entry in network.values()]
    for node_id, entry in network.items():
        kind = NODE_TYPES.get(str(entry.get("type")))
        title = str(entry.get("title", ""))
        if titles.count(title) > 1:
            title = f"{title} ({node_id})"
        params = dict(entry.get("params") or {})
        if kind is None:
            continue
        penalty = str(params.get("penalty", "none"))
        for spec in kind.params:
            name = spec.name
            if name == "penalty":
                continue
            if name in ("l1", "l2"):
                active = penalty in (name, "l1_l2")
                values[f"{name.upper()} on {title}"] = params.get(name) if active else None
                continue
            label = "dropout p" if name == "p" else spec.label.lower()
            values[f"{label} on {title}"] = params.get(name, spec.default)
    return values


def differences(runs: Sequence[Run]) -> list[tuple[str, list[str]]]:
    """(label, one shown value per run) for exactly the settings that differ."""
    per_run = [setting_values(run) for run in runs]
    labels: list[str] = []
    for values in per_run:
        labels += [label for label in values if label not in labels]
    rows = []
    for label in labels:
        shown = [show(values.get(label)) for values in per_run]
        if len(set(shown)) > 1:
            rows.append((label, shown))
    return rows


def metric_rows(runs: Sequence[Run]) -> list[tuple[str, list[str]]]:
    """Best and final validation loss and accuracy, and the epochs, per run."""
    sums = [summary(run) for run in runs]

    def row(label: str, key: str, digits: int = 4) -> tuple[str, list[str]]:
        return label, [ABSENT if s[key] is None else f"{s[key]:.{digits}g}" for s in sums]

    rows = [row("final validation loss", "final_val_loss"),
            row("best validation loss", "best_val_loss"),
            row("final validation accuracy", "final_val_accuracy"),
            ("epochs", [str(s["epochs"]) for s in sums])]
    return [r for r in rows if any(cell != ABSENT for cell in r[1])]


def duration(run: Run) -> str:
    """"1:05" from the run's start and end times ("" when unknown)."""
    try:
        start = datetime.datetime.strptime(run.started or "", "%Y-%m-%dT%H:%M:%SZ")
        end = datetime.datetime.strptime(run.ended or "", "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return ""
    seconds = max(int((end - start).total_seconds()), 0)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


COLUMNS = ("Run", "Started", "Optimizer", "Epochs", "Final val loss", "Best val loss",
           "Final val acc", "Time", "Weights")


def summary_row(run: Run, active: bool) -> list[str]:
    """The Runs panel's columns (``COLUMNS``) for one run."""
    s = summary(run)
    settings = {**_DEFAULTS, **dict(run.settings)}
    started = (run.started or "").replace("T", " ").rstrip("Z")[:16]

    def num(key: str) -> str:
        value = s[key]
        return ABSENT if value is None else f"{value:.4g}"

    weights = ("current" if active else "kept" if run.weights is not None
               else "dropped (size limit)" if run.weights_dropped else "not stored")
    return [run.name, started, f"{settings.get('optimizer')} {show(settings.get('lr'))}",
            str(s["epochs"]), num("final_val_loss"), num("best_val_loss"),
            num("final_val_accuracy"), duration(run), weights]
