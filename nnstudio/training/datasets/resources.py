"""Where the read-only data files (``resources/``) live: installed, frozen or in a checkout."""

from __future__ import annotations

import os
from pathlib import Path

from nnstudio.paths import RESOURCES, candidates
from nnstudio.training.datasets.errors import DatasetError

#: Environment variable that, when set, overrides the bundled location.
RESOURCES_ENV = "NNSTUDIO_RESOURCES"


def _candidates() -> list[Path]:
    """Directories that may hold the data files, most specific first."""
    override = os.environ.get(RESOURCES_ENV)
    return ([Path(override)] if override else []) + candidates(RESOURCES)


def resources_dir() -> Path:
    """Return the directory with the shipped data files (e.g. ``digits.npz``).

    ``$NNSTUDIO_RESOURCES`` if set, else the installed package's, the PyInstaller bundle's or
    the checkout's ``resources/`` (see ``nnstudio.paths``).
    """
    candidates = _candidates()
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise DatasetError(f"The NN Studio resources folder was not found (looked in: {tried}).")
