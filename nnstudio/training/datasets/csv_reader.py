"""Read a CSV file under the strict rules of ``csv_text``: its first lines, then its columns.

``read_head`` reads a bounded prefix (the delimiter and the first rows, for the header
guess and a preview). ``read_columns`` reads the whole body in pieces of ``CHUNK_BYTES``:
numpy checks each piece's structure at once (quotes, line ends, field counts, blank
lines), numpy's C ``loadtxt`` converts the chosen columns straight into a preallocated
float32 array, and only a piece with a problem is read again in Python to name the line
and the column. Time and memory are linear in the file size.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import numpy as np

from nnstudio.safe_io import (
    FileRefusedError,
    echo,
    format_bytes,
    memory_shortfall,
    open_regular,
    shown_path,
)
from nnstudio.training.datasets.csv_text import (
    QuoteError,
    choose_delimiter,
    number_problem,
    split_line,
)
from nnstudio.training.datasets.errors import DatasetError, Progress, no_progress
from nnstudio.training.datasets.limits import (
    MAX_CSV_COLUMNS,
    MAX_CSV_LINE_BYTES,
    MAX_DATA_FILE_BYTES,
)

CHUNK_BYTES = 1 << 19
"""Bytes per piece. One ``loadtxt`` call holds the GIL for its whole piece: with 512 KB the
import dialog's event loop ran late by 1–2 ms (median) and 12–23 ms (p99) while reading the
MNIST-sized CSV, against 7–18 ms and 31–46 ms with 1 MB, at the same total time
(``bench/import_dialog.py``)."""
HEAD_ROWS = 200
HEAD_BYTES = 4 << 20
BOM = b"\xef\xbb\xbf"
_NL, _CR, _QUOTE, _SPACE, _TAB = 10, 13, 34, 32, 9

Rows = list[tuple[int, list[str]]]


@dataclass(frozen=True)
class CsvHead:
    """The first lines of a CSV file: delimiter and up to ``HEAD_ROWS`` non-blank rows as
    (line number, stripped cells); ``complete`` when those rows are the whole file."""

    path: Path
    delimiter: str
    rows: Rows
    complete: bool


@dataclass
class RowLines:
    """Maps a data row index to its 1-based file line, as runs of consecutive lines."""

    row_starts: list[int] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def add(self, first_row: int, lines: np.ndarray) -> None:
        """Record that rows ``first_row...`` come from ``lines`` (ascending)."""
        if lines.size == 0:
            return
        breaks = np.flatnonzero(np.diff(lines) != 1) + 1
        for start in np.concatenate(([0], breaks)).tolist():
            self.row_starts.append(first_row + start)
            self.line_starts.append(int(lines[start]))

    def line_of(self, row: int) -> int:
        i = int(np.searchsorted(self.row_starts, row, side="right")) - 1
        return self.line_starts[i] + row - self.row_starts[i]


@dataclass
class CsvColumns:
    """The columns read: ``values`` one (N, len(group)) float32 array per group of numeric
    columns asked, ``texts`` column index -> (N,) str array (stripped), ``lines`` row ->
    file line."""

    values: list[np.ndarray]
    texts: dict[int, np.ndarray]
    lines: RowLines


class NotANumberError(DatasetError):
    """A cell of a numeric column is text; ``column_index`` and ``cell`` say which."""

    def __init__(self, message: str, *, column_index: int, cell: str, **where: Any) -> None:
        super().__init__(message, **where)
        self.column_index = column_index
        self.cell = cell


def _fail(path: Path, line: int, clause: str) -> NoReturn:
    raise DatasetError(f"In {shown_path(path)}, line {line} {clause}.", path=path, line=line)


def _open(path: Path) -> BinaryIO:
    try:
        return open_regular(path, "CSV file", MAX_DATA_FILE_BYTES)
    except FileRefusedError as error:
        raise DatasetError(str(error), path=path) from None


def _decode(path: Path, data: bytes, first_line: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = first_line + data.count(b"\n", 0, error.start)
        _fail(path, line, "is not UTF-8 text (save the file as UTF-8)")


def read_head(path: Path | str) -> CsvHead:
    """The delimiter and first rows of ``path`` (reads at most a few MB)."""
    path = Path(path)
    with _open(path) as stream:
        try:
            data = stream.read(HEAD_BYTES)
            while b"\n" not in data and len(data) < MAX_CSV_LINE_BYTES:
                more = stream.read(HEAD_BYTES)
                if not more:
                    break
                data += more
            complete = not stream.read(1)
        except OSError as error:
            raise DatasetError(f"Cannot read the CSV file {shown_path(path)}: "
                               f"{error.strerror or error}.", path=path) from None
    data = data.removeprefix(BOM)
    if b"\r" in data and b"\n" not in data and data.count(b"\r") > 1:
        raise DatasetError(f"The CSV file {shown_path(path)} uses old Mac line ends (CR "
                           "only); save it with LF or CRLF line ends.", path=path)
    if not complete:
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            _fail(path, 1, f"is longer than {format_bytes(MAX_CSV_LINE_BYTES)}")
        data = data[:cut]
    lines = _decode(path, data, 1).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    delimiter = choose_delimiter(lines)
    rows: Rows = []
    for number, raw in enumerate(lines, start=1):
        line = raw.removesuffix("\r")
        if "\r" in line:
            _fail(path, number, "holds a carriage return (CR) inside the line")
        if not line.strip(" \r" if delimiter == "\t" else " \t\r"):
            continue
        try:
            cells = [c.strip() for c in split_line(line, delimiter)]
        except QuoteError as error:
            _fail(path, number, str(error))
        if len(cells) > MAX_CSV_COLUMNS:
            _fail(path, number, f"has {len(cells):,} fields; NN Studio reads at most "
                                f"{MAX_CSV_COLUMNS:,} columns")
        rows.append((number, cells))
        if len(rows) >= HEAD_ROWS:
            complete = False
            break
    return CsvHead(path, delimiter, rows, complete)


class _Pieces:
    """Checks and converts one piece of whole lines (see the module docstring)."""

    def __init__(self, head: CsvHead, width: int, skip_through: int, numeric: Sequence[int],
                 text: Sequence[int], names: Sequence[str], roles: dict[int, str]) -> None:
        self.path = head.path
        self.delimiter = head.delimiter
        self.sep = ord(head.delimiter)
        self.width = width
        self.skip_through = skip_through
        self.numeric = list(numeric)
        self.text = list(text)
        self.names = names
        self.roles = roles
        self.first_row_text = "the header" if skip_through else "the first row"

    def structure(self, a: np.ndarray, line0: int) -> tuple[np.ndarray, int, bool]:
        """(kept line indices in the piece, number of lines, whether it has quotes);
        raises on a broken line."""
        ends = np.flatnonzero(a == _NL)
        if a.size and a[-1] != _NL:
            ends = np.append(ends, a.size)
        starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
        last = np.maximum(ends - 1, 0)
        content_end = ends - ((ends > starts) & (a[last] == _CR))
        cr = np.flatnonzero(a == _CR)
        if cr.size:
            after = a[np.minimum(cr + 1, a.size - 1)]
            lone = cr[(cr + 1 < a.size) & (after != _NL)]
            if lone.size:
                self._fail_at(ends, lone[0], line0,
                              "holds a carriage return (CR) inside the line")
        counts = np.zeros(a.size + 1, np.int32)

        def per_line(mask: np.ndarray) -> np.ndarray:
            np.cumsum(mask, out=counts[1:])
            return counts[content_end] - counts[starts]

        quote = a == _QUOTE
        separators = a == self.sep
        quoted = bool(quote.any())
        if quoted:
            odd = np.flatnonzero(per_line(quote) % 2)
            if odd.size:
                _fail(self.path, line0 + int(odd[0]),
                      'has a quote (") that is not closed on that line')
            inside = np.bitwise_xor.accumulate(quote.view(np.uint8))
            where = np.flatnonzero(quote)
            before = a[np.maximum(where - 1, 0)]
            after = a[np.minimum(where + 1, a.size - 1)]
            ok_open = (where == 0) | (before == self.sep) | (before == _NL) | (before == _QUOTE)
            ok_close = ((where + 1 == a.size) | (after == self.sep) | (after == _NL)
                        | (after == _CR) | (after == _QUOTE))
            bad = where[np.where(inside[where] == 1, ~ok_open, ~ok_close)]
            if bad.size:
                self._fail_at(ends, bad[0], line0, 'has a quote (") inside a field; quote '
                              'whole fields, like "a, b"')
            separators &= inside == 0
        blank_bytes = (a == _SPACE) | (a == _CR) | (a == _NL)
        if self.delimiter != "\t":
            blank_bytes |= a == _TAB
        numbers = line0 + np.arange(ends.size)
        keep = (per_line(~blank_bytes) > 0) & (numbers > self.skip_through)
        fields = per_line(separators) + 1
        wrong = np.flatnonzero(keep & (fields != self.width))
        if wrong.size:
            i = int(wrong[0])
            _fail(self.path, line0 + i, f"has {fields[i]} fields but {self.first_row_text} "
                                        f"has {self.width}")
        return np.flatnonzero(keep), int(ends.size), quoted

    def _fail_at(self, ends: np.ndarray, position: int, line0: int, clause: str) -> NoReturn:
        _fail(self.path, line0 + int(np.searchsorted(ends, position)), clause)

    def convert(self, text: str, kept: np.ndarray, n_lines: int, line0: int, quoted: bool
                ) -> tuple[np.ndarray, list[np.ndarray]]:
        """float32 (rows, numeric) and one str array per text column for the kept lines."""
        if kept.size != n_lines:
            all_lines = text.split("\n")
            source = "\n".join([all_lines[i] for i in kept.tolist()])
        else:
            source = text
        numbers = line0 + kept
        quotechar = '"' if quoted else None  # loadtxt is a third faster without quotes

        def lines() -> list[str]:
            return source.split("\n")[: kept.size]

        values = np.empty((kept.size, len(self.numeric)), np.float32)
        if self.numeric and kept.size:
            try:
                values = np.loadtxt(io.StringIO(source), delimiter=self.delimiter,
                                    dtype=np.float32, comments=None, quotechar=quotechar,
                                    usecols=self.numeric, ndmin=2)
            except ValueError as error:
                self.diagnose(lines(), numbers, str(error))
            if values.shape != (kept.size, len(self.numeric)):
                self.diagnose(lines(), numbers, f"{values.shape[0]} rows for {kept.size} lines")
            finite = np.isfinite(values)
            if not finite.all():
                row = int(np.flatnonzero(~finite.all(axis=1))[0])
                self.diagnose(lines()[row:row + 1], numbers[row:row + 1], "not finite")
        texts = []
        for column in self.text:
            cells = np.loadtxt(io.StringIO(source), delimiter=self.delimiter, dtype=str,
                               comments=None, quotechar=quotechar, usecols=[column], ndmin=1)
            texts.append(np.char.strip(cells.reshape(-1)))
        return values, texts

    def diagnose(self, lines: list[str], numbers: np.ndarray, detail: str) -> NoReturn:
        """Find and report the first bad numeric cell of ``lines`` (they failed to convert)."""
        for raw, line in zip(lines, numbers.tolist(), strict=False):
            cells = split_line(raw.removesuffix("\r"), self.delimiter)
            for column in self.numeric:
                problem = number_problem(cells[column])
                if problem is None:
                    continue
                name = self.names[column]
                role = self.roles.get(column, "feature")
                where: dict[str, Any] = {"path": self.path, "line": line, "column": name}
                if problem == "missing":
                    target = "target " if role == "target" else ""
                    raise DatasetError(
                        f"In {shown_path(self.path)}, line {line} has a missing value in "
                        f"{target}column '{name}' ({echo(cells[column].strip())}); fill it "
                        "in or remove the row.", **where)
                raise NotANumberError(
                    f"In {shown_path(self.path)}, line {line}, {role} column '{name}' "
                    f"{problem}.", column_index=column, cell=cells[column].strip(), **where)
        first, last = int(numbers[0]), int(numbers[-1])
        raise DatasetError(f"In {shown_path(self.path)}, lines {first}–{last} could not be "
                           f"read as numbers ({echo(detail)}).", path=self.path, line=first)


def _count_lines(stream: BinaryIO, progress: Progress, total: int) -> int:
    count = 0
    while True:
        block = stream.read(16 << 20)
        if not block:
            return count + 1
        count += block.count(b"\n")
        progress(0, total)


def read_columns(head: CsvHead, width: int, skip_through: int,
                 groups: Sequence[Sequence[int]], text: Sequence[int], names: Sequence[str],
                 roles: dict[int, str], progress: Progress = no_progress) -> CsvColumns:
    """Read the body of ``head.path``: each group of numeric columns into its own float32
    array (e.g. features, targets), the ``text`` columns as strings, skipping lines up to
    ``skip_through`` (the header line) and blank lines; every other line must have
    ``width`` fields. ``roles`` names a column's role in sentences ("feature", "target")."""
    path = head.path
    numeric = [c for group in groups for c in group]
    bounds = np.cumsum([0] + [len(g) for g in groups]).tolist()
    pieces = _Pieces(head, width, skip_through, numeric, text, names, roles)
    with _open(path) as stream:
        total = os.fstat(stream.fileno()).st_size
        upper = _count_lines(stream, progress, total)
        shortfall = memory_shortfall(upper * max(len(numeric), 1) * 4)
        if shortfall is not None:
            raise DatasetError(f"Reading {shown_path(path)} {shortfall}.", path=path)
        arrays = [np.empty((upper, len(g)), np.float32) for g in groups]
        texts: dict[int, list[np.ndarray]] = {c: [] for c in text}
        lines = RowLines()
        stream.seek(0)
        done = len(BOM) if stream.read(len(BOM)) == BOM else 0
        stream.seek(done)
        leftover, line0, row = b"", 1, 0
        while True:
            data = stream.read(CHUNK_BYTES)
            buffer = leftover + data
            if data:
                cut = buffer.rfind(b"\n") + 1
                if cut == 0:
                    if len(buffer) > MAX_CSV_LINE_BYTES:
                        _fail(path, line0, f"is longer than {format_bytes(MAX_CSV_LINE_BYTES)}")
                    leftover = buffer
                    continue
                block, leftover = buffer[:cut], buffer[cut:]
            else:
                block, leftover = buffer, b""
            if block:
                kept, n_lines, quoted = pieces.structure(np.frombuffer(block, np.uint8), line0)
                decoded = _decode(path, block, line0)
                part, part_texts = pieces.convert(decoded, kept, n_lines, line0, quoted)
                for array, lo, hi in zip(arrays, bounds[:-1], bounds[1:], strict=True):
                    array[row:row + kept.size] = part[:, lo:hi]
                for column, cells in zip(text, part_texts, strict=True):
                    texts[column].append(cells)
                lines.add(row, line0 + kept)
                row += int(kept.size)
                line0 += n_lines
                done += len(block)
            progress(done, total)
            if not data:
                break
    joined = {c: np.concatenate(parts) if parts else np.empty(0, str)
              for c, parts in texts.items()}
    trimmed = [a[:row] if row * 10 >= upper * 9 else a[:row].copy() for a in arrays]
    return CsvColumns(trimmed, joined, lines)


__all__ = ["CHUNK_BYTES", "CsvColumns", "CsvHead", "NotANumberError", "RowLines", "read_columns",
           "read_head"]
