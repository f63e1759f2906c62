"""Training history (one JSON-able dict per epoch, as ``Project.history`` holds) to CSV.

Columns are the union of the records' keys in the order they first appear (``epoch``
first); a missing, None or non-finite value is an empty cell; nested dicts become
``key/sub`` columns and lists a JSON text. Numbers keep full precision (``repr``), so
reading back is exact. Text (column names included) is one line and never starts like a
spreadsheet formula (``codegen.csv_text``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nnstudio.export.codegen import csv_text
from nnstudio.export.common import ExportError


def history_csv_text(history: Iterable[Mapping[str, Any]]) -> str:
    """The CSV text of ``history`` (a header line, then one line per record)."""
    rows = [_flat(record) for record in history]
    columns: dict[str, None] = {"epoch": None} if any("epoch" in r for r in rows) else {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_text(c) for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def write_history_csv(history: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write the history to ``path`` (``.csv`` appended if it has no suffix); returns it."""
    records = list(history)
    if not records:
        raise ExportError("The project has no training history yet; train it first.")
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".csv")
    try:
        target.write_text(history_csv_text(records), encoding="utf-8")
    except OSError as error:
        raise ExportError(f"Cannot write the training history to {target}: "
                          f"{error.strerror or error}.") from None
    return target


def _flat(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{name}/"))
        else:
            out[name] = value
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, list | tuple):
        return csv_text(json.dumps(list(value), ensure_ascii=True, default=str))
    return csv_text(value)
