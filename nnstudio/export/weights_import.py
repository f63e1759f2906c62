"""Weights trained outside NN Studio (by an exported ``train.py``) back into the project.

    imported = read_weights(project, Path("output/trained.npz"), base_dir=folder)
    session.push(import_edit(project, imported))   # or apply_weights(project, imported)

The weights become a new run of the project ("Run 3 · imported from trained.npz"), made
current, so Continue trains on from them and Restore weights can bring them back.

The file is the ``.npz`` that the PyTorch export writes (``model.npz``) or that its
``train.py`` writes (``trained.npz``): the generated module's state dict, the input scaler
it was trained with (``preprocessing.offset/scale``) and ``nnstudio.params``, which maps
each key to (bagging member, NN Studio's ``"owner/name"``), so renamed nodes still match.
It is untrusted: a regular file of bounded size, numeric arrays only (no pickle), exactly
the keys and shapes the project's network needs, finite values within float32's range,
and the scaler NN Studio would use for the project's data. Every problem is one sentence
naming the file (``WeightsError``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.export.common import ExportError
from nnstudio.export.plans import member_plans, node_titles
from nnstudio.export.pytorch import KEY_MAP, state_keys
from nnstudio.export.torch_project.data_files import ProjectData, project_data
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.edits import Compound, Edit
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.project_edits import AddRun, ProjectCompound, SetField
from nnstudio.graph.model.runs import Run, network_settings
from nnstudio.training.runs import begin_run, plan_fingerprint, weights_of

MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_KEY_MAP_CHARS = 4 * 1024 * 1024
FLOAT32_MAX = float(np.finfo(np.float32).max)
_BOOKKEEPING = ("num_batches_tracked",)


class WeightsError(ExportError):
    """A weights file that cannot be imported; ``str(e)`` is one sentence naming it."""


@dataclass(frozen=True, eq=False)
class WeightsImport:
    """What importing a weights file changes.

    edit: the learned values of the network on the canvas (bagging member 0), ONE edit;
    ensemble: every member's plan state when the project trains a bagging ensemble (else
    empty); members: how many networks the file held; preprocessing: the input scaler
    they were trained with (NN Studio's own for the data); fingerprint: the network's.
    """

    path: Path
    edit: Edit
    members: int
    ensemble: list[dict[str, np.ndarray]] = field(default_factory=list)
    preprocessing: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""

    def summary(self) -> str:
        what = (f"a bagging ensemble of {self.members} members" if self.members > 1
                else "the network's weights")
        return f"Imported {what} from {self.path.name}."


def read_weights(project: Project, path: str | Path, *,
                 base_dir: Path | None = None) -> WeightsImport:
    """Check ``path`` against ``project`` (its network, bagging members and the input
    scaling NN Studio uses for its data) and build the import; nothing changes yet.
    ``base_dir``: the project's folder (its relative data paths)."""
    path = Path(path)
    where = f"The weights file {path}"
    data = _project_data(project, base_dir, where)
    plans = member_plans(project, data.dataset.signature())
    expected = state_keys(plans, node_titles(project))
    targets = {key: where_ for key, (where_, _) in expected.items() if where_ is not None}
    arrays = _load(path, where, budget=sum(a.nbytes for _, a in expected.values()))
    mapping = _key_map(arrays, where, set(targets.values())) or targets
    _check_keys(arrays, mapping, expected, where)
    states: list[dict[str, np.ndarray]] = [{} for _ in plans]
    for key, (member, name) in mapping.items():
        shape = plans[member].state_dict()[name].shape
        states[member][name] = _values(arrays[key], shape, f"{where}: array {key!r}")
    try:
        for plan, state in zip(plans, states, strict=True):
            plan.load_state_dict(state)
    except GraphError as error:
        raise WeightsError(f"{where} does not fit the network: {error}") from None
    _check_scaler(data, arrays, where)
    write_back = plans[0].write_back()
    edit = Compound(write_back.edits if isinstance(write_back, Compound) else (write_back,),
                    f"Import weights from {path.name}")
    ensemble = [plan.state_dict() for plan in plans] if len(plans) > 1 else []
    return WeightsImport(path, edit, len(plans), ensemble, {"scaler": data.scaler.to_dict()},
                         plan_fingerprint(plans[0]))


def _project_data(project: Project, base_dir: Path | None, where: str) -> ProjectData:
    try:
        return project_data(project, base_dir)
    except ExportError as error:
        raise WeightsError(f"{where} cannot be checked against the project's data: "
                           f"{error}") from None


def import_edit(project: Project, imported: WeightsImport) -> ProjectCompound:
    """ONE project edit storing the import: the weights (every bagging member) as a new
    run, made current, with the scaler they were trained with and a fresh optimizer."""
    start = begin_run(project, new=True)
    weights = dataclasses.replace(weights_of(imported.edit),
                                  ensemble=tuple(imported.ensemble))
    run = Run(id=start.run_id, name=f"Run {start.run_id[1:]} · imported from "
              f"{imported.path.name}", started=start.started, ended=start.started,
              settings=dict(project.training), dataset=dict(project.dataset),
              seed=int(project.seed), network=network_settings(project.graph.nodes),
              fingerprint=imported.fingerprint,
              message=f"Weights imported from {imported.path.name}.",
              preprocessing=dict(imported.preprocessing), weights=weights)
    return ProjectCompound((
        imported.edit, AddRun(run), SetField("optimizer_state", {}),
        SetField("ensemble", [dict(m) for m in imported.ensemble]),
        SetField("preprocessing", dict(imported.preprocessing)),
        SetField("active_run", run.id)), f"Import weights from {imported.path.name}")


def apply_weights(project: Project, imported: WeightsImport) -> None:
    """Store the import in ``project`` (the command line; the window pushes the same
    ``import_edit`` through its session)."""
    project.apply(import_edit(project, imported))


# --- reading the file ---------------------------------------------------------------------

def _load(path: Path, where: str, budget: int) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` (no pickle); sizes checked before anything is read."""
    try:
        info = os.stat(path)
    except OSError as error:
        raise WeightsError(f"{where} cannot be read: {error.strerror or error}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise WeightsError(f"{where} is not a regular file.")
    limit = min(MAX_FILE_BYTES, 2 * budget + MAX_KEY_MAP_CHARS * 4 + 2**20)
    if info.st_size > limit:
        raise WeightsError(f"{where} is {info.st_size:,} bytes, far more than this "
                           f"network's weights ({budget:,} bytes).")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > 10_000 or sum(m.file_size for m in members) > limit:
                raise WeightsError(f"{where} unpacks to more data than this network's weights.")
        with np.load(path, allow_pickle=False) as npz:
            return {key: np.asarray(npz[key]) for key in npz.files}
    except WeightsError:
        raise
    except ValueError as error:
        if "pickle" in str(error).lower() or "object" in str(error).lower():
            raise WeightsError(f"{where} holds Python objects, which NN Studio does not "
                               "load.") from None
        raise WeightsError(f"{where} is not a readable .npz archive ({error}).") from None
    except (OSError, zipfile.BadZipFile, EOFError, KeyError, zipfile.LargeZipFile) as error:
        raise WeightsError(f"{where} is not a readable .npz archive "
                           f"({type(error).__name__}).") from None


def _key_map(arrays: dict[str, np.ndarray], where: str,
             known: set[tuple[int, str]]) -> dict[str, tuple[int, str]] | None:
    """The file's own key map, checked: every entry a known (member, "owner/name")."""
    raw = arrays.get(KEY_MAP)
    if raw is None:
        return None
    if raw.ndim != 0 or raw.dtype.kind != "U" or len(str(raw)) > MAX_KEY_MAP_CHARS:
        raise WeightsError(f"{where}: its entry {KEY_MAP!r} is not a short text.")
    try:
        table = json.loads(str(raw))
    except (ValueError, RecursionError):
        raise WeightsError(f"{where}: its entry {KEY_MAP!r} is not valid JSON.") from None
    if not isinstance(table, dict):
        raise WeightsError(f"{where}: its entry {KEY_MAP!r} is not a JSON object.")
    mapping: dict[str, tuple[int, str]] = {}
    for key, value in table.items():
        if (not isinstance(value, list) or len(value) != 2 or isinstance(value[0], bool)
                or not isinstance(value[0], int) or not isinstance(value[1], str)):
            raise WeightsError(f"{where}: {KEY_MAP!r} maps {key[:80]!r} to something other "
                               "than [member, name].")
        target = (value[0], value[1])
        if target not in known:
            raise WeightsError(f"{where} holds weights for {value[1][:80]!r} of member "
                               f"{value[0]}, which this project's network does not have "
                               "(was the network changed since the export?).")
        mapping[key] = target
    return mapping


def _check_keys(arrays: dict[str, np.ndarray], mapping: dict[str, tuple[int, str]],
                expected: dict[str, Any], where: str) -> None:
    allowed = set(mapping) | {k for k, (w, _) in expected.items() if w is None}
    extra = sorted(k for k in arrays if k not in allowed and not k.startswith(
        ("preprocessing.", "nnstudio.")) and not k.endswith(_BOOKKEEPING))
    missing = sorted(k for k in mapping if k not in arrays)
    if len(set(mapping.values())) != len(mapping):
        raise WeightsError(f"{where} maps two arrays onto the same weights.")
    if extra or missing:
        parts = []
        if missing:
            parts.append(f"missing {_few(missing)}")
        if extra:
            parts.append(f"unknown {_few(extra)}")
        raise WeightsError(f"{where} does not fit this project's network ({'; '.join(parts)}"
                           "); was the network changed since the export?")


def _few(keys: list[str]) -> str:
    shown = ", ".join(repr(k[:60]) for k in keys[:4])
    return shown + (f" and {len(keys) - 4} more" if len(keys) > 4 else "")


def _values(array: np.ndarray, shape: tuple[int, ...], where: str) -> np.ndarray:
    if array.dtype.kind not in "fiu":
        raise WeightsError(f"{where} holds {array.dtype} values, not numbers.")
    if array.shape != shape:
        raise WeightsError(f"{where} has shape {array.shape}, but the network needs {shape}.")
    values = array.astype(np.float64)
    if not np.all(np.isfinite(values)) or (values.size and float(np.abs(values).max())
                                           > FLOAT32_MAX):
        raise WeightsError(f"{where} holds infinite, NaN or out-of-range values.")
    return values.astype(np.float32)


# --- the input scaling ---------------------------------------------------------------------

def _check_scaler(data: ProjectData, arrays: dict[str, np.ndarray], where: str) -> None:
    """The weights were trained on inputs scaled as NN Studio scales this project's data."""
    offset, scale = arrays.get("preprocessing.offset"), arrays.get("preprocessing.scale")
    if (offset is None) != (scale is None):
        raise WeightsError(f"{where} has an input offset without a scale or the other way.")
    ours = data.scaler
    scaled = ours.kind != "none" and ours.offset is not None and ours.scale is not None
    if not scaled and offset is None:
        return
    if not scaled or offset is None or scale is None:
        trained = "without" if offset is None else "with"
        raise WeightsError(f"{where} was trained {trained} input scaling, but the project "
                           f"scales its inputs {'differently' if scaled else 'not at all'}.")
    assert ours.offset is not None and ours.scale is not None
    if offset.shape != ours.offset.shape or scale.shape != ours.scale.shape or not (
            np.allclose(offset, ours.offset, rtol=1e-6, atol=1e-9)
            and np.allclose(scale, ours.scale, rtol=1e-6, atol=1e-9)):
        raise WeightsError(f"{where} was trained on inputs scaled differently from this "
                           "project's data (other data or settings since the export?).")


__all__ = ["WeightsError", "WeightsImport", "apply_weights", "import_edit", "read_weights"]
