"""The exception a user can cause with a dataset, cancellation, and progress reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Progress = Callable[[int, int], None]
"""``progress(done, total)`` in bytes of the file(s) read so far; called between pieces of
work. It may raise :class:`LoadCancelledError` to stop the load."""


class DatasetError(Exception):
    """A dataset could not be built or read; the message is one human sentence.

    The optional attributes say where: ``path`` (the file), ``line`` (1-based line of
    a text file), ``column`` (a CSV column name) and ``array`` (an array in an NPZ/IDX file).
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        column: str | None = None,
        array: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.array = array


class LoadCancelledError(Exception):
    """A load was stopped on request (raised by a ``Progress`` callback); not an error."""


def no_progress(_done: int, _total: int) -> None:
    """The ``Progress`` callback that reports nothing."""
