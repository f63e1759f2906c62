"""Reading and writing ``*.nnstudio`` project files, safely.

A project file is a zip archive with exactly two members:

- ``project.json``: UTF-8, indented, sorted keys. Top level: ``"format": "nnstudio-project"``,
  ``"schema_version"``, ``"written_by"``, ``"name"``, ``"description"``, ``"seed"``,
  ``"graph"`` (see ``nnstudio.graph.files.serialize``), ``"dataset"``, ``"training"``,
  ``"preprocessing"``, ``"ui"`` (free JSON), ``"runs"`` (see ``runs_data``),
  ``"active_run"`` (a run id or null), ``"run_weights_limit_mb"``, ``"optimizer_state"``
  (``{"meta": JSON, "arrays": {name: array ref}}``) and ``"ensemble"`` (a list of
  ``{name: array ref}``, one per bagging member).
- ``arrays.npz``: a NumPy ``.npz`` archive of every array (node values, optimizer arrays,
  ensemble arrays) under the keys ``a0``, ``a1``... in the order ``project.json`` refers to
  them (nodes in document order with value names sorted, then optimizer arrays by name, then
  the ensemble members, then the runs' weights). Each reference states the key, dtype and shape.

Opening never runs code: JSON only, arrays read with ``np.load(..., allow_pickle=False)``
after their headers were checked (numeric dtypes only, sizes matching the data). Sizes are
capped (``MAX_*``) against zip bombs. Every problem raises ``ProjectFileError``; nothing is
half-loaded. Saving is atomic: a temporary file next to the target is written, synced and
then moved over the target with ``os.replace``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO

import numpy as np

import nnstudio
from nnstudio.graph.files.field_checks import (
    clean_strings,
    dataset_from_data,
    seed_from_data,
    training_from_data,
    without_surrogates,
)
from nnstudio.graph.files.migrations import SCHEMA_VERSION, migrate
from nnstudio.graph.files.runs_data import runs_from_data, runs_to_data
from nnstudio.graph.files.serialize import (
    ArrayReader,
    ArrayWriter,
    FormatError,
    decode_json,
    document_from_data,
    document_to_data,
    encode_json,
    expect_int,
    expect_keys,
    expect_list,
    expect_text,
    is_numeric_dtype,
    show,
)
from nnstudio.graph.model.project import Project
from nnstudio.safe_io import FileRefusedError, read_regular

__all__ = ["SCHEMA_VERSION", "Project", "ProjectFileError", "load_project",
           "project_from_bytes", "project_to_bytes", "save_project"]

FORMAT = "nnstudio-project"
JSON_MEMBER = "project.json"
ARRAYS_MEMBER = "arrays.npz"

MAX_FILE_BYTES = 512 * 1024 * 1024       # the file on disk
MAX_TOTAL_BYTES = 512 * 1024 * 1024      # everything uncompressed, JSON and arrays together
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_ARRAYS = 20_000
MAX_NUMBER_DIGITS = 40
MAX_HEADER_BYTES = 10_000
MAX_ENSEMBLE = 1_000
MAX_RUN_WEIGHTS_LIMIT_MB = 100_000

_CHUNK = 2**20
_SPOOL_BYTES = 32 * 2**20
"""Arrays larger than this together are zipped into a temporary file, not into memory."""
_ARRAY_MEMBER = re.compile(r"a(0|[1-9][0-9]{0,5})\.npy")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_TOP_KEYS = {"format", "schema_version", "written_by", "name", "description", "seed", "graph",
             "dataset", "training", "preprocessing", "ui", "optimizer_state", "ensemble",
             "runs", "active_run", "run_weights_limit_mb"}
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
               ValueError, NotImplementedError, RuntimeError, OverflowError)


class ProjectFileError(Exception):
    """A project file could not be read or written; ``str(error)`` is one sentence that
    names the file."""


class _NewerSchemaError(FormatError):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


# ----------------------------------------------------------------------------- saving


def project_to_bytes(project: Project) -> bytes:
    """The bytes of a project file. The same project always gives the same bytes."""
    text, arrays = _file_parts(project)
    out = io.BytesIO()
    _write_file(out, text, arrays)
    return out.getvalue()


def _file_parts(project: Project) -> tuple[bytes, dict[str, np.ndarray]]:
    """The JSON text (UTF-8) and the arrays of a project file; a project that cannot be
    written is refused here, before any file is touched."""
    try:
        data, arrays = _project_to_data(project)
    except FormatError as error:
        raise ProjectFileError(f"The project cannot be saved: {error}.") from None
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
    text = without_surrogates(text)  # text typed into Qt may hold them; UTF-8 cannot
    return (text + "\n").encode("utf-8"), arrays


def _write_file(stream: BinaryIO, text: bytes, arrays: dict[str, np.ndarray]) -> None:
    """A project file into ``stream`` (binary, seekable), holding little besides the
    arrays: each ``.npy`` is compressed as numpy writes it (16 MB at a time), the inner npz
    goes to a temporary file when the arrays pass ``_SPOOL_BYTES``, and it is copied into
    the outer archive in chunks (a 236 MB file of 50 bagging members took four copies,
    0.76 GB, when it was built as bytes). The bytes are those of writing it whole."""
    large = sum(a.nbytes for a in arrays.values()) > _SPOOL_BYTES
    with (tempfile.TemporaryFile() if large else io.BytesIO()) as npz:
        with zipfile.ZipFile(npz, "w") as inner:
            for key, array in arrays.items():  # each .npy compressed as numpy writes it
                with inner.open(_member_info(f"{key}.npy", zipfile.ZIP_DEFLATED), "w") as npy:
                    _write_npy(npy, array)
        size = npz.seek(0, io.SEEK_END)
        npz.seek(0)
        with zipfile.ZipFile(stream, "w") as outer:
            _write_member(outer, JSON_MEMBER, text, zipfile.ZIP_DEFLATED)
            info = _member_info(ARRAYS_MEMBER, zipfile.ZIP_STORED)
            info.file_size = size  # as writestr sets it: the same bytes as writing it whole
            with outer.open(info, "w") as member:
                shutil.copyfileobj(npz, member, _CHUNK)


def save_project(project: Project, path: str | Path) -> None:
    """Write ``project`` to ``path`` atomically (the old file survives any failure).

    A symbolic link is written through: its target gets the new content and the link stays
    a link. The file keeps its permission bits. The temporary file next to the target has a
    short name of its own (a file name near the system's limit still saves), and stray
    temporary files of this project left by an earlier crash are removed.
    """
    path = Path(path)
    text, arrays = _file_parts(project)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    prefix = temp_prefix(target.name)
    temp_name: str | None = None
    try:
        handle, temp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            _write_file(stream, text, arrays)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
        temp_name = None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ProjectFileError(f"Could not save {shown(path)}: {reason}.") from None
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
    _sync_folder(folder)
    remove_stray_temps(folder, target.name)


STRAY_AGE_S = 600.0
"""A temporary file of a save this much older than now is a crash's leftover."""
_TEMP_NAME_CHARS = 60
_TEMP_RANDOM = re.compile(r"[a-z0-9_]{8}")


def temp_prefix(name: str) -> str:
    """``.<name>.`` for the temporary file of a save, the name cut to 60 characters (a
    long name plus the random part and ``.tmp`` would pass the file system's limit)."""
    return f".{name[:_TEMP_NAME_CHARS]}."


def remove_stray_temps(folder: Path, name: str, now: float | None = None) -> list[Path]:
    """Delete the temporary files of earlier saves of ``name`` in ``folder`` that are older
    than ``STRAY_AGE_S`` (a save in progress elsewhere is younger); returns them."""
    now = time.time() if now is None else now
    prefix = temp_prefix(name)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        if not _TEMP_RANDOM.fullmatch(entry.name[len(prefix):-len(".tmp")]):
            continue  # not tempfile's 8 random characters: someone else's file
        try:
            if not entry.is_file(follow_symlinks=False) \
                    or now - entry.stat(follow_symlinks=False).st_mtime < STRAY_AGE_S:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def shown(path: Path) -> str:
    """A path for a sentence, cut in the middle when it is very long."""
    text = str(path)
    return text if len(text) <= 160 else text[:70] + "…" + text[-80:]


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_npy(stream: IO[bytes], array: np.ndarray) -> None:
    """``np.lib.format.write_array``'s bytes, the data handed on in ``_CHUNK`` views of the
    array (numpy itself copies a C-ordered array whole with ``tobytes`` first)."""
    if not array.flags.c_contiguous or array.dtype.hasobject:
        np.lib.format.write_array(stream, array, allow_pickle=False)
        return
    header = np.lib.format.header_data_from_array_1_0(array)
    try:
        np.lib.format.write_array_header_1_0(stream, header)  # what write_array picks first
    except ValueError:  # a header too long for format 1.0 (not written): numpy decides
        np.lib.format.write_array(stream, array, allow_pickle=False)
        return
    flat = array.reshape(-1).view(np.uint8)
    for start in range(0, flat.size, _CHUNK):
        stream.write(flat[start:start + _CHUNK].data)  # a view of the bytes, no copy


def _member_info(name: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    return info


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes | memoryview,
                  compression: int) -> None:
    archive.writestr(_member_info(name, compression), data)


def _project_to_data(project: Project) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    writer = ArrayWriter()
    graph = document_to_data(project.graph, writer)
    optimizer: dict[str, Any] = {}
    state = project.optimizer_state
    if not isinstance(state, dict) or set(state) - {"meta", "arrays"}:
        raise FormatError("the optimizer state should be a dict with 'meta' and 'arrays'")
    if "meta" in state:
        optimizer["meta"] = encode_json(state["meta"], "the optimizer state")
    if "arrays" in state:
        optimizer["arrays"] = {
            name: writer.put(state["arrays"][name], f"optimizer array {name!r}", weights=False)
            for name in sorted(state["arrays"])}
    ensemble = [{name: writer.put(member[name], f"array {name!r} of bagging member {i + 1}")
                 for name in sorted(member)} for i, member in enumerate(project.ensemble)]
    runs = runs_to_data(project.runs, writer)
    if project.active_run is not None and project.find_run(project.active_run) is None:
        raise FormatError(f"the current run {project.active_run!r} is not among the runs")
    data = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "written_by": f"NN Studio {nnstudio.__version__}",
        "name": encode_json(project.name, "the project name"),
        "description": encode_json(project.description, "the description"),
        "seed": seed_from_data(project.seed, "the seed"),
        "graph": graph,
        "dataset": dataset_from_data(encode_json(project.dataset, "the dataset settings"),
                                     "the dataset settings"),
        "training": training_from_data(encode_json(project.training, "the training settings"),
                                       "the training settings"),
        "preprocessing": encode_json(project.preprocessing, "the preprocessing"),
        "ui": encode_json(project.ui, "the view settings"),
        "optimizer_state": optimizer,
        "ensemble": ensemble,
        "runs": runs,
        "active_run": project.active_run,
        "run_weights_limit_mb": project.run_weights_limit_mb,
    }
    return data, writer.arrays


# ----------------------------------------------------------------------------- loading


def load_project(path: str | Path) -> Project:
    """Read and check a project file; raise ProjectFileError with a sentence naming it."""
    path = Path(path)
    try:  # regular files only: a FIFO or /dev/zero is refused before anything is read
        data = read_regular(path, "project file", MAX_FILE_BYTES)
    except FileRefusedError as error:
        raise ProjectFileError(f"Cannot open {path}: {error.reason}.") from None
    return project_from_bytes(data, str(path))


def project_from_bytes(data: bytes, name: str = "<memory>") -> Project:
    """A project from the bytes of a project file (``name`` is used in error sentences)."""
    try:
        return _project_from_bytes(data)
    except _NewerSchemaError as error:
        raise ProjectFileError(
            f"{name} was written by a newer NN Studio (schema {error.version}); "
            f"this version reads up to {SCHEMA_VERSION}.") from None
    except FormatError as error:
        raise ProjectFileError(f"Cannot open {name}: {error}.") from None
    except RecursionError:
        raise ProjectFileError(f"Cannot open {name}: its data is nested too deeply.") from None
    except MemoryError:
        raise ProjectFileError(f"Cannot open {name}: it needs more memory than "
                               "is available.") from None


def _project_from_bytes(data: bytes) -> Project:
    if len(data) > MAX_FILE_BYTES:
        raise FormatError("the file is too large for a project")
    limits = {JSON_MEMBER: MAX_JSON_BYTES, ARRAYS_MEMBER: MAX_TOTAL_BYTES}
    members = _read_zip(data, limits.get, 2, MAX_TOTAL_BYTES,
                        "it is not an NN Studio project (not a zip archive)")
    for member in (JSON_MEMBER, ARRAYS_MEMBER):
        if member not in members:
            raise FormatError(f"it is not an NN Studio project (no {member} inside)")
    raw = _parse_json(members[JSON_MEMBER])
    budget = MAX_TOTAL_BYTES - len(members[JSON_MEMBER])
    arrays = _read_arrays(members[ARRAYS_MEMBER], budget)
    return _project_from_data(raw, ArrayReader(arrays))


def _read_zip(data: bytes, limit_of: Callable[[str], int | None], max_members: int,
              budget: int, not_zip: str) -> dict[str, bytes]:
    """The members of a zip archive, checked against names, counts and sizes.

    limit_of(name): the largest size allowed for that member, None for a member that does
    not belong. ``budget`` caps all members together.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise FormatError(not_zip) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_members:
            raise FormatError(f"it holds {len(infos)} parts where at most {max_members} belong")
        members: dict[str, bytes] = {}
        for info in infos:
            name = info.filename
            limit = limit_of(name)
            if limit is None or info.is_dir():
                raise FormatError(f"it holds an unexpected part {show(name)}")
            limit = min(limit, budget)
            if name in members:
                raise FormatError(f"it holds the part {show(name)} twice")
            if info.flag_bits & 0x1:
                raise FormatError(f"its part {show(name)} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise FormatError(f"its part {show(name)} uses an unsupported compression")
            if info.file_size > limit:
                raise FormatError(f"its part {show(name)} would unpack to {_mb(info.file_size)}, "
                                  f"more than the {_mb(limit)} allowed")
            content = _read_member(archive, info)
            if len(content) > limit:
                raise FormatError(f"its part {show(name)} unpacks to more than the "
                                  f"{_mb(limit)} allowed")
            budget -= len(content)
            members[name] = content
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, unpacked in 1 MiB steps and never beyond its declared size.

    (A member that unpacks to more than it declares fails its checksum here.)
    """
    chunks: list[bytes] = []
    total = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > info.file_size:
                    raise FormatError(f"its part {show(info.filename)} is larger than declared")
                chunks.append(chunk)
    except _ZIP_ERRORS as error:
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"its part {show(info.filename)} is damaged") from None
    return b"".join(chunks)


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _parse_json(raw: bytes) -> Any:
    def bad_constant(token: str) -> Any:
        raise FormatError(f"project.json contains {token}, which JSON does not allow")

    def parse_int(text: str) -> int:
        if len(text) > MAX_NUMBER_DIGITS:
            raise FormatError("project.json contains a number that is too large")
        return int(text)

    def parse_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise FormatError("project.json contains a number that is too large")
        return value

    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=bad_constant, parse_int=parse_int,
                          parse_float=parse_float)
    except UnicodeDecodeError:
        raise FormatError("its project.json is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise FormatError(f"its project.json is not valid JSON (line {error.lineno}, "
                          f"column {error.colno}: {error.msg})") from None
    # "\ud800" is valid JSON but no valid Unicode: such text becomes U+FFFD
    return clean_strings(data) if _SURROGATE_ESCAPE.search(raw) else data


def _read_arrays(raw: bytes, budget: int) -> dict[str, np.ndarray]:
    def limit_of(name: str) -> int | None:
        return budget if _ARRAY_MEMBER.fullmatch(name) else None

    members = _read_zip(raw, limit_of, MAX_ARRAYS, budget,
                        "its arrays.npz is not a valid .npz archive")
    return {name[:-4]: _read_npy(content, name) for name, content in members.items()}


def _read_npy(raw: bytes, name: str) -> np.ndarray:
    """One ``.npy`` member: header checked first (numeric dtype, size matching), then loaded."""
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(
                stream, max_header_size=MAX_HEADER_BYTES)
        elif version == (2, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(
                stream, max_header_size=MAX_HEADER_BYTES)
        else:
            raise FormatError(f"array {show(name)} uses an unknown .npy version")
    except FormatError:
        raise
    except Exception:  # numpy parses the header with its own tokenizer: any failure = damage
        raise FormatError(f"array {show(name)} has a damaged header") from None
    if not is_numeric_dtype(dtype):
        raise FormatError(f"array {show(name)} has the non-numeric type {show(str(dtype))}")
    if len(shape) > 8 or any(not isinstance(d, int) or d < 0 for d in shape):
        raise FormatError(f"array {show(name)} has an invalid shape {show(shape)}")
    count = math.prod(shape)
    if count * dtype.itemsize != len(raw) - stream.tell():
        raise FormatError(f"array {show(name)} has {len(raw) - stream.tell()} bytes of data "
                          f"where its shape {show(shape)} needs {count * dtype.itemsize}")
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise FormatError(f"array {show(name)} cannot be read ({error})") from None
    if not isinstance(array, np.ndarray) or array.dtype != dtype or array.shape != shape:
        raise FormatError(f"array {show(name)} cannot be read")
    return np.array(array, order="C", copy=True)


def _project_from_data(raw: Any, arrays: ArrayReader) -> Project:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise FormatError("it is not an NN Studio project (its project.json has no "
                          "'format': 'nnstudio-project')")
    version = raw.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise FormatError("its schema version is missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise _NewerSchemaError(version)
    if version < 0:
        raise FormatError(f"its schema version {version} is not valid")
    raw = migrate(raw, version)
    optional = frozenset(_TOP_KEYS - {"format", "schema_version", "graph"})
    raw = expect_keys(raw, "the project", {"format", "schema_version", "graph"}, optional)
    expect_text(raw.get("written_by", ""), "the writer name")
    graph = document_from_data(raw["graph"], arrays)
    dicts = {}
    for key, label in (("dataset", "the dataset settings"), ("training", "the training settings"),
                       ("preprocessing", "the preprocessing"), ("ui", "the view settings")):
        value = decode_json(raw.get(key, {}), label)
        if not isinstance(value, dict):
            raise FormatError(f"{label} should be an object")
        dicts[key] = value
    dicts["training"] = training_from_data(dicts["training"], "the training settings")
    dicts["dataset"] = dataset_from_data(dicts["dataset"], "the dataset settings")
    optimizer = _optimizer_from_data(raw.get("optimizer_state", {}), arrays)
    members = expect_list(raw.get("ensemble", []), "the bagging ensemble")
    if len(members) > MAX_ENSEMBLE:
        raise FormatError(f"the ensemble has more than {MAX_ENSEMBLE} members")
    ensemble = []
    for i, member in enumerate(members):
        where = f"bagging member {i + 1}"
        if not isinstance(member, dict):
            raise FormatError(f"{where} should be an object")
        ensemble.append({expect_text(key, f"an array name of {where}", 200):
                         arrays.take(ref, f"array {show(key)} of {where}")
                         for key, ref in member.items()})
    runs = runs_from_data(raw.get("runs", []), arrays)
    active = raw.get("active_run")
    if active is not None and active not in {run.id for run in runs}:
        raise FormatError(f"its current run {show(active)} is not among its runs")
    arrays.check_all_used()
    return Project(
        graph=graph,
        name=expect_text(raw.get("name", "Untitled"), "the project name", 1000),
        description=expect_text(raw.get("description", ""), "the description", 100_000),
        dataset=dicts["dataset"], training=dicts["training"],
        preprocessing=dicts["preprocessing"],
        seed=seed_from_data(raw.get("seed", 0), "the seed"),
        runs=runs, active_run=active, optimizer_state=optimizer, ensemble=ensemble,
        run_weights_limit_mb=expect_int(raw.get("run_weights_limit_mb", 50),
                                        "the run weights limit", 0, MAX_RUN_WEIGHTS_LIMIT_MB),
        ui=dicts["ui"])


def _optimizer_from_data(raw: Any, arrays: ArrayReader) -> dict[str, Any]:
    raw = expect_keys(raw, "the optimizer state", set(), frozenset({"meta", "arrays"}))
    state: dict[str, Any] = {}
    if "meta" in raw:
        state["meta"] = decode_json(raw["meta"], "the optimizer state")
    if "arrays" in raw:
        refs = raw["arrays"]
        if not isinstance(refs, dict):
            raise FormatError("the optimizer arrays should be an object")
        state["arrays"] = {
            expect_text(key, "an optimizer array name", 200):
            arrays.take(ref, f"optimizer array {show(key)}", weights=False)
            for key, ref in refs.items()}
    return state
