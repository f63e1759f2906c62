"""The one place where text from a project meets generated code, ONNX strings or CSV cells.

A project file is untrusted input: node titles and ids, the project and dataset names,
notes, column and class names and file paths may hold newlines, quotes, triple quotes,
backslashes, ``#``, Unicode line separators, control characters or lone surrogates.
Every exporter passes such text through these functions and nowhere else:

- ``py_str`` / ``py_literal``: a Python literal (``repr``), always one line, so the text can
  only ever be the value of a string constant;
- ``comment_line`` / ``docstring_line``: one sanitized line for a ``#`` comment or inside a
  ``\"\"\"`` docstring (control and separator characters become spaces, length capped, and in
  docstrings backslashes and double quotes are escaped);
- ``one_line``: the same sanitizing for data that is not code (ONNX names and doc strings);
- ``csv_text``: a CSV cell that a spreadsheet cannot take for a formula;
- ``md_text`` / ``shell_arg``: one line of Markdown text, or a quoted shell argument for a
  command shown in a README.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping
from typing import Any

import numpy as np

#: Longest sanitized line (characters) before it is cut with an ellipsis.
LINE_LIMIT = 160
#: Integers outside this range are not written into code (they never come from valid data).
INT_LIMIT = 2**63
#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def one_line(text: object, limit: int = LINE_LIMIT) -> str:
    """``text`` as one printable line: every character that is not printable (controls,
    line and paragraph separators, format characters, lone surrogates, unusual spaces)
    becomes a space, runs of spaces shrink to one, and the line is cut at ``limit``."""
    chars = [ch if ch.isprintable() else " " for ch in str(text)]
    line = " ".join("".join(chars).split())
    if len(line) > limit:
        line = line[: max(limit - 1, 0)].rstrip() + "…"
    return line


def comment_line(text: object, limit: int = LINE_LIMIT) -> str:
    """A ``# ...`` comment holding ``text`` on one line (nothing after it can be code)."""
    return f"# {one_line(text, limit)}".rstrip()


def docstring_line(text: object, limit: int = LINE_LIMIT) -> str:
    """``text`` on one line, safe inside a ``\"\"\"`` docstring: backslashes and double quotes
    are escaped, so the text can neither end the docstring nor form an escape sequence."""
    return one_line(text, limit).replace("\\", "\\\\").replace('"', '\\"')


def py_str(text: str) -> str:
    """A one-line Python string literal whose value is exactly ``text``."""
    literal = repr(str(text))
    if len(literal.splitlines()) != 1 or not literal.isprintable():
        literal = ascii(str(text))          # repr keeps every printable character; ascii
    return literal                          # escapes all non-ASCII ones as well


def py_literal(value: Any) -> str:
    """Python source for a JSON-like value (None, bool, int, float, str, lists, tuples,
    dicts, NumPy scalars) on one line; raises ValueError for anything else, a non-finite
    float or an integer beyond ±2**63."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, np.generic):
        return py_literal(value.item())
    if isinstance(value, int):
        if not -INT_LIMIT <= value <= INT_LIMIT:
            raise ValueError("an integer is too large to write into code")
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a number is not finite")
        return repr(value)
    if isinstance(value, str):
        return py_str(value)
    if isinstance(value, tuple):
        items = [py_literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, list):
        return f"[{', '.join(py_literal(v) for v in value)}]"
    if isinstance(value, Mapping):
        pairs = [f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()]
        return "{" + ", ".join(pairs) + "}"
    raise ValueError(f"a {type(value).__name__} cannot be written as a Python literal")


def py_assign(name: str, value: Any) -> str:
    """``NAME = <literal>``; a dict or list at the top is written one item per line."""
    if not name.isidentifier():
        raise ValueError(f"{name!r} is not an identifier")
    if isinstance(value, Mapping) and value:
        lines = [f"    {py_literal(k)}: {py_literal(v)}," for k, v in value.items()]
        return f"{name} = {{\n" + "\n".join(lines) + "\n}"
    if isinstance(value, list) and value:
        lines = [f"    {py_literal(v)}," for v in value]
        return f"{name} = [\n" + "\n".join(lines) + "\n]"
    return f"{name} = {py_literal(value)}"


def csv_text(text: object) -> str:
    """A CSV cell for ``text``: one line, and prefixed with ``'`` when it would start with a
    formula character (``= + - @``) without being a number."""
    line = one_line(text, limit=10_000)
    if line.startswith(FORMULA_STARTS) and not _is_number(line):
        return "'" + line
    return line


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


_MARKDOWN = frozenset("\\`*_[]<>|~")


def md_text(text: object, limit: int = LINE_LIMIT) -> str:
    """One line of Markdown that shows ``text`` literally (every markup character
    backslash-escaped, so no link, image, HTML or heading can come of it)."""
    return "".join("\\" + ch if ch in _MARKDOWN else ch for ch in one_line(text, limit))


def shell_arg(text: object) -> str:
    """``text`` as one quoted POSIX shell argument (for commands shown in a README)."""
    return shlex.quote(one_line(text, limit=10_000))
