"""Where the read-only data files (``resources/``) live, in a checkout and when frozen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from nnstudio.training.datasets.errors import DatasetError

#: Environment variable that, when set, overrides every other location.
RESOURCES_ENV = "NNSTUDIO_RESOURCES"


def _candidates() -> list[Path]:
    """Directories that may hold ``resources/``, most specific first."""
    found: list[Path] = []
    override = os.environ.get(RESOURCES_ENV)
    if override:
        found.append(Path(override))
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader
    if frozen_root:
        found.append(Path(frozen_root) / "resources")
        found.append(Path(frozen_root) / "nnstudio" / "resources")
    here = Path(__file__).resolve()
    package_root = here.parents[2]  # .../nnstudio
    found.append(package_root.parent / "resources")  # source checkout: <repo>/resources
    found.append(package_root / "resources")  # if a wheel ships them inside the package
    return found


def resources_dir() -> Path:
    """Return the directory with the shipped data files (e.g. ``digits.npz``).

    Looks at ``$NNSTUDIO_RESOURCES``, then PyInstaller's ``sys._MEIPASS/resources``,
    then ``resources/`` beside the ``nnstudio`` package (a source checkout).
    """
    candidates = _candidates()
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise DatasetError(f"The NN Studio resources folder was not found (looked in: {tried}).")
