"""Export a project as a PyTorch training project: a folder a PyTorch user recognises.

    write_torch_project(project, Path("digits_pytorch"), base_dir=project_folder)

writes ``model.py`` + ``model.npz`` (the module and the project's weights, an ensemble
for bagging), ``data.py`` + ``data/`` (the dataset, split and scaled as NN Studio does),
``train.py`` (NN Studio's training, with ``--device cpu|cuda`` and ``torchrun``), a
``README.md`` and ``nnstudio-export.json`` (which marks the folder as an export, so a
later export may replace it). The scripts are the files in ``templates/`` with their
settings blocks filled in by literals only (``fill.filled``).
"""

from __future__ import annotations

import json
from pathlib import Path

import nnstudio
from nnstudio.export.codegen import md_text, one_line, shell_arg
from nnstudio.export.common import ExportError
from nnstudio.export.plans import ensemble_note, member_plans, node_titles
from nnstudio.export.project_fields import name_of, seed_of, training_of
from nnstudio.export.pytorch import write_pytorch
from nnstudio.export.torch_project.data_files import (
    ARRAYS_FILE,
    SPLIT_FILE,
    data_settings,
    project_data,
    reads_the_same,
    write_arrays,
    write_split,
)
from nnstudio.export.torch_project.fill import filled, template
from nnstudio.export.torch_project.train_config import train_settings
from nnstudio.graph.model.project import Project
from nnstudio.training.settings import TrainingError, TrainingSettings

MARKER = "nnstudio-export.json"
FORMAT = "nnstudio-pytorch-project"

__all__ = ["MARKER", "write_torch_project"]


def write_torch_project(project: Project, folder: Path, *, base_dir: Path | None = None,
                        project_file: Path | None = None) -> list[Path]:
    """Write the PyTorch project into ``folder`` (new, empty, or an earlier export);
    ``base_dir``: the project's folder (its relative data paths); ``project_file``: shown
    in the README. Returns the files written; ExportError with one sentence on failure."""
    try:
        settings = TrainingSettings.from_dict(training_of(project))
    except TrainingError as error:
        raise ExportError(f"The training settings cannot be exported: {error}") from None
    _prepare(folder)
    data = project_data(project, base_dir)
    seed = seed_of(project)
    plans = member_plans(project, data.dataset.signature())
    titles = node_titles(project)
    name = name_of(project) or folder.name
    try:
        written = list(write_pytorch(
            plans, folder / "model.py", titles=titles, name=name,
            preprocessing={"scaler": data.scaler.to_dict()},
            note=f"{ensemble_note(len(plans))} train.py trains it as NN Studio does; see "
                 "README.md."))
        written.append(write_split(data, folder))
        spec = data_settings(data, settings, base_dir, seed)
        note = ""
        if spec["DATASET"]["source"] == "arrays":
            written.append(write_arrays(data, folder))
        written.append(_write(folder / "data.py", filled("data.py", spec)))
        if spec["DATASET"]["source"] != "arrays":
            problem = reads_the_same(folder / "data.py", data)
            if problem:
                note = (f"NN Studio keeps a copy of the data in {ARRAYS_FILE}, because "
                        f"{problem}.")
                spec["DATASET"] = {"source": "arrays", "file": ARRAYS_FILE}
                written.append(write_arrays(data, folder))
                _write(folder / "data.py", filled("data.py", spec))
        n_classes = data.dataset.n_classes if data.dataset.task == "classification" else 0
        config = train_settings(plans, project.graph, titles, settings, name=name, seed=seed,
                                task=data.dataset.task, n_classes=n_classes)
        written.append(_write(folder / "train.py", filled("train.py", config)))
        written.append(_write(folder / "README.md", _readme(
            name, project_file, settings, len(plans), spec["DATASET"], note, seed)))
        written.append(_write(folder / MARKER, json.dumps(
            {"format": FORMAT, "version": 1, "written_by": f"NN Studio {nnstudio.__version__}",
             "files": sorted(str(p.relative_to(folder)) for p in written)}, indent=1) + "\n"))
    except OSError as error:
        raise ExportError(f"Cannot write the PyTorch project into {folder}: "
                          f"{error.strerror or error}.") from None
    return written


def _prepare(folder: Path) -> None:
    """Create ``folder``; refuse a file, or a folder with other things than an export."""
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; choose a new or empty folder for the "
                          "PyTorch project.")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise ExportError(f"The folder {folder} is not empty and holds no earlier export; "
                          "choose a new or empty folder for the PyTorch project.")
    try:
        (folder / "data").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"Cannot create the folder {folder}: "
                          f"{error.strerror or error}.") from None
    for stale in (ARRAYS_FILE, SPLIT_FILE):   # an earlier export's data, written anew
        (folder / stale).unlink(missing_ok=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _readme(name: str, project_file: Path | None, settings: TrainingSettings, members: int,
            dataset: dict[str, object], note: str, seed: int) -> str:
    s = settings
    optimizer = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}[s.optimizer]
    batch = "the whole training set" if s.batch_size == 0 else f"{s.batch_size}"
    summary = (f"{optimizer}, learning rate {s.lr:g} ({s.schedule} schedule), batch size "
               f"{batch}, {s.epochs} epochs")
    if s.early_stopping:
        summary += f", early stopping after {s.patience} epochs without improvement"
    if members > 1:
        summary += f", {members} bagging members"
    if dataset.get("source") == "arrays":
        data_row = f"; the data are in `{ARRAYS_FILE}`"
        data_note = note or (f"The data: NN Studio's built-in set, written to "
                             f"`{ARRAYS_FILE}`.")
    else:
        files = [str(dataset[k]) for k in ("path", "images", "labels") if k in dataset]
        data_row = ", from " + ", ".join(md_text(f) for f in files)
        data_note = ("The data are read from where the project has them; "
                     "`--data-dir DIR` reads files of the same names from DIR instead "
                     "(with another number of rows, the split is drawn and the scaler "
                     "fitted anew, with NN Studio's rules).")
    project_name = project_file.name if project_file is not None else "PROJECT.nnstudio"
    return template("README.md").format(
        title=md_text(f'"{one_line(name, 80)}"'),
        project_file=md_text(project_name) if project_file else "(not saved yet)",
        project_arg=shell_arg(str(project_file.resolve()) if project_file
                              else "PROJECT.nnstudio"),
        window_import=("A bagging ensemble comes back on the command line (the window's "
                       "**File › Import weights…** takes one network's weights)."
                       if members > 1 else
                       "In the window: **File › Import weights…** and choose "
                       "`output/trained.npz` (one undoable step)."),
        ensemble_row=(f"; an `Ensemble` of {members} bagging members, averaged as "
                      "NN Studio averages them" if members > 1 else ""),
        data_row=data_row, training_summary=summary, seed=seed, data_note=md_text(
            data_note, 1000) if note else data_note)
