"""The strict CSV rules on one line or one cell: splitting, numbers, missing markers.

One record per line. A field may be enclosed in double quotes (``"a, b"``) with ``""`` for
a quote inside; a quote must close on its own line and may not stand inside an unquoted
field (``ab"c``). A number is what a spreadsheet reads: ``[+-]digits[.digits][e[+-]digits]``
with spaces around it — not ``1_000``, ``0x10``, ``1,5`` or non-ASCII digits, which
Python's ``float`` partly accepts. Numbers must be finite and within float32's range.
"""

from __future__ import annotations

import math
import re

from nnstudio.safe_io import echo

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
DELIMITERS = ("\t", ";", ",")
FLOAT32_MAX = 3.4028234663852886e38
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_QUOTED = re.compile(r'"[^"]*"')


class QuoteError(ValueError):
    """A line breaks the quoting rules; ``str(error)`` is a clause about that line."""


def split_line(line: str, delimiter: str) -> list[str]:
    """The fields of one line (without its line end), quotes removed; raises QuoteError."""
    if '"' not in line:
        return line.split(delimiter)
    cells: list[str] = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            parts: list[str] = []
            j = i + 1
            while True:
                k = line.find('"', j)
                if k < 0:
                    raise QuoteError('has a quote (") that is not closed on that line')
                parts.append(line[j:k])
                if k + 1 < n and line[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                break
            cells.append("".join(parts))
            i = k + 1
            if i < n and line[i] != delimiter:
                raise QuoteError('has text after a closing quote (") in a field')
        else:
            k = line.find(delimiter, i)
            end = n if k < 0 else k
            cell = line[i:end]
            if '"' in cell:
                raise QuoteError('has a quote (") inside a field; quote whole fields, '
                                 'like "a, b"')
            cells.append(cell)
            i = end
        if i >= n:
            return cells
        i += 1  # the delimiter
        if i == n:
            cells.append("")
            return cells


def is_missing(cell: str) -> bool:
    """True for the markers of a missing value (empty, NA, N/A, NaN, null, none, ?)."""
    return cell.strip().lower() in MISSING


def is_number(cell: str) -> bool:
    """True if a spreadsheet would read ``cell`` as a number (finite or not)."""
    return _NUMBER.match(cell.strip()) is not None


def number_problem(cell: str) -> str | None:
    """None if ``cell`` is a finite float32 number, else what is wrong, as a clause:
    ``"missing"`` or e.g. ``"holds '1_000', which is not a number (…)"``."""
    text = cell.strip()
    if text.lower() in MISSING:
        return "missing"
    if _NUMBER.match(text) is None:
        if text.lower().lstrip("+-") in ("inf", "infinity"):
            return f"holds {echo(text)}, which is not a finite number"
        return f"holds {echo(text)}, which is not a number{_hint(text)}"
    value = float(text)
    if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
        return f"holds {echo(text)}, which is too large for float32 (beyond ±3.4e38)"
    return None


def python_would_read(text: str) -> bool:
    """True if Python's ``float`` reads ``text`` although a spreadsheet would not."""
    if is_number(text):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _hint(text: str) -> str:
    if python_would_read(text):
        return " a spreadsheet reads (Python would read it; write plain digits)"
    if "," in text and any(c.isdigit() for c in text):
        return " (decimal commas and thousands separators are not read; use a point)"
    return ""


def choose_delimiter(lines: list[str]) -> str:
    """The delimiter of the first lines: the first of TAB ; , that splits every line into
    the same number (> 1) of fields outside quotes, else the one splitting the first line
    most, else a comma."""
    sample = [_QUOTED.sub("", line) for line in lines[:20] if line.strip()]
    if not sample:
        return ","
    for delimiter in DELIMITERS:
        counts = {line.count(delimiter) for line in sample}
        if len(counts) == 1 and counts != {0}:
            return delimiter
    best = max(DELIMITERS, key=lambda d: sample[0].count(d))
    return best if sample[0].count(best) else ","


__all__ = ["DELIMITERS", "FLOAT32_MAX", "MISSING", "QuoteError", "choose_delimiter",
           "is_missing", "is_number", "number_problem", "python_would_read", "split_line"]
