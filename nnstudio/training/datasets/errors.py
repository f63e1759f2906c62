"""The one exception type a user can cause with a dataset."""

from __future__ import annotations

from pathlib import Path


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
