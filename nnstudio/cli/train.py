"""``nnstudio train PROJECT``: train a project headless and save what it learned.

Prints one line per epoch (losses, metrics, learning rate) and a summary. ``--json``
prints one JSON object per epoch on stdout and nothing else there (human text goes to
stderr). Weights, history and optimizer state are saved to ``--save OUT``, or back into
PROJECT with ``--in-place``; without either nothing is written. Exit codes: 0 trained
(completed, early-stopped), 1 training failed (bad settings, invalid network, dataset
mismatch, diverged), 2 the project file cannot be read or written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNREADABLE = 2


def add_parser(subparsers: Any) -> None:
    """Register the ``train`` subcommand."""
    parser = subparsers.add_parser(
        "train", help="train a project headless",
        description="Train a project file with its own settings, print one line per epoch "
        "and a summary, and save the weights and history (--save OUT or --in-place).")
    parser.add_argument("project", help="a .nnstudio project file")
    parser.add_argument("--epochs", type=int, metavar="N",
                        help="number of epochs to train (default: the project's setting)")
    parser.add_argument("--seed", type=int, metavar="S", help="random seed (default: the "
                        "project's seed); the same seed reproduces a run exactly")
    parser.add_argument("--save", metavar="OUT", help="save the trained project to OUT")
    parser.add_argument("--in-place", action="store_true",
                        help="save the trained project back into PROJECT")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per epoch on stdout and nothing else")


def run(args: argparse.Namespace) -> int:
    """Train ``args.project``; returns the exit code."""
    try:
        return _train(args)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # the promise: one sentence, never a traceback
        print(f"nnstudio train: unexpected error ({type(error).__name__}: {error}).",
              file=sys.stderr)
        return EXIT_FAILED


def _train(args: argparse.Namespace) -> int:
    from nnstudio.cli.saving import save_result, save_target
    from nnstudio.graph.files.project_file import ProjectFileError, load_project
    from nnstudio.graph.model.fields import SEED, TRAINING_FIELDS, bounds_text, short
    from nnstudio.training import EpochRecord, Finished, Trainer, TrainingError
    from nnstudio.training.runs import begin_run, run_project

    human: TextIO = sys.stderr if args.json else sys.stdout
    path = Path(args.project)
    if args.save and args.in_place:
        print("nnstudio train: use either --save OUT or --in-place, not both.", file=sys.stderr)
        return EXIT_FAILED
    for option, field in (("--epochs", TRAINING_FIELDS["epochs"]), ("--seed", SEED)):
        value = getattr(args, option[2:])
        if value is not None and not (field.minimum or 0) <= value <= (field.maximum or 0):
            print(f"nnstudio train: {option} must be a whole number {bounds_text(field)}, "
                  f"not {short(value)}.", file=sys.stderr)
            return EXIT_FAILED
    try:
        project = load_project(path)
    except ProjectFileError as error:
        print(f"nnstudio train: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.seed is not None:
        project.seed = args.seed
    start = time.perf_counter()
    run = begin_run(project)
    try:
        trainer = Trainer(run_project(project, run), base_dir=path.parent)
    except TrainingError as error:
        print(f"nnstudio train: {path.name}: {error}", file=sys.stderr)
        return EXIT_FAILED
    for note in trainer.prepared.notes:
        print(f"Note: {note}", file=human)
    epochs = args.epochs or trainer.settings.epochs
    n_train = trainer.split.train.n_samples
    print(f"Training {path.name}: {trainer.task} on {trainer.dataset.name} "
          f"({n_train} training, {trainer.split.val.n_samples} validation samples), "
          f"{trainer.settings.optimizer}, {trainer.settings.descent_kind(n_train)} "
          f"gradient descent, {epochs} epochs.", file=human)
    finished: Finished | None = None
    last: EpochRecord | None = None
    for record in trainer.run(epochs=epochs):
        if isinstance(record, EpochRecord) and record.member is None:
            last = record
            if args.json:
                print(json.dumps(record.to_json()), flush=True)
            else:
                print(_epoch_line(record), file=human, flush=True)
        elif isinstance(record, Finished):
            finished = record
    assert finished is not None
    print(_summary(finished, last, time.perf_counter() - start), file=human)
    target = save_target(args, path)
    if target is not None:
        trainer.apply_to(project, run)
        if not save_result(project, path, target, "train"):
            return EXIT_UNREADABLE
        print(f"Saved the trained project to {target}.", file=human)
    else:
        print("Not saved (use --save OUT or --in-place to keep the weights).", file=human)
    return EXIT_FAILED if finished.reason in ("diverged", "error") else EXIT_OK


def _value(key: str, value: float) -> str:
    if key.endswith("accuracy"):
        return f"{key} {100 * value:.2f} %"
    return f"{key} {value:.4g}"


def _epoch_line(record: Any) -> str:
    parts = [f"epoch {record.epoch:>4}", f"train_loss {record.train_loss:.4g}"]
    if record.val_loss is not None:
        parts.append(f"val_loss {record.val_loss:.4g}")
    if record.test_loss is not None:
        parts.append(f"test_loss {record.test_loss:.4g}")
    parts += [_value(k, v) for k, v in record.metrics.items()
              if k.startswith("val_") and not k.startswith("member")]
    parts.append(f"lr {record.lr:.3g}")
    return "  ".join(parts)


def _summary(finished: Any, last: Any, seconds: float) -> str:
    text = f"{finished.message} ({finished.epochs_run} epochs in {seconds:.1f} s)"
    if last is not None:
        scores = [f"train_loss {last.train_loss:.4g}"]
        if last.val_loss is not None:
            scores.append(f"val_loss {last.val_loss:.4g}")
        scores += [_value(k, v) for k, v in last.metrics.items() if k.startswith("val_")
                   and not k.startswith("member")]
        text += f"\nLast epoch {last.epoch}: " + ", ".join(scores) + "."
    if finished.best_epoch is not None:
        text += f"\nBest validation loss at epoch {finished.best_epoch}."
    return text
