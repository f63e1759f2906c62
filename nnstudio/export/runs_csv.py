"""The Runs panel's tables as CSV: every run's key numbers, then the settings that differ
between the compared runs and their metrics side by side. Text cells never start like a
spreadsheet formula (``codegen.csv_text``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from nnstudio.export.codegen import csv_text
from nnstudio.export.common import ExportError
from nnstudio.graph.model.runs import Run
from nnstudio.training.compare import COLUMNS, differences, metric_rows, summary_row


def runs_csv_text(runs: Sequence[Run], active: str | None, compared: Sequence[Run]) -> str:
    """The runs list, a blank line, then the comparison of ``compared`` (2 or more)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_text(c) for c in COLUMNS])
    for run in runs:
        writer.writerow([csv_text(cell) for cell in summary_row(run, run.id == active)])
    if len(compared) >= 2:
        writer.writerow([])
        writer.writerow([csv_text(c) for c in ["setting", *(r.name for r in compared)]])
        for label, values in [*differences(compared), *metric_rows(compared)]:
            writer.writerow([csv_text(c) for c in [label, *values]])
    return buffer.getvalue()


def write_runs_csv(runs: Sequence[Run], active: str | None, compared: Sequence[Run],
                   path: str | Path) -> Path:
    """Write ``runs_csv_text`` to ``path`` (``.csv`` appended without a suffix)."""
    if not runs:
        raise ExportError("The project has no runs yet; train it first.")
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".csv")
    try:
        target.write_text(runs_csv_text(runs, active, compared), encoding="utf-8")
    except OSError as error:
        raise ExportError(f"Cannot write the runs table to {target}: "
                          f"{error.strerror or error}.") from None
    return target
