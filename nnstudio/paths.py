"""Where NN Studio finds its bundled files: installed package, PyInstaller bundle, checkout.

The repository keeps them at its root (``resources/``, ``examples/``); a wheel or a plain
``pip install .`` installs them inside the package as ``nnstudio/resources`` and
``nnstudio/examples`` (see ``[tool.setuptools.package-dir]`` in ``pyproject.toml``), and the
PyInstaller spec puts them at the same place in the bundle. They are found, in this order:

1. inside the imported ``nnstudio`` package, through ``importlib.resources``;
2. inside a PyInstaller bundle (``sys._MEIPASS/nnstudio/...``);
3. beside the package in a source checkout (an editable install), recognised by its
   ``pyproject.toml``.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

PACKAGE = "nnstudio"
RESOURCES = "resources"
EXAMPLES = "examples"


def _package_dir() -> Path | None:
    """The folder of the imported ``nnstudio`` package, or None if it is not a folder."""
    root = resources.files(PACKAGE)
    return root if isinstance(root, Path) else None


def _checkout_root() -> Path | None:
    """The source checkout that holds this package, or None for an installed package."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def candidates(name: str) -> list[Path]:
    """Folders that may hold the bundled folder ``name`` ("resources" or "examples"),
    in the order they are tried."""
    found: list[Path] = []
    package = _package_dir()
    if package is not None:
        found.append(package / name)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        found.append(Path(bundle) / PACKAGE / name)
    checkout = _checkout_root()
    if checkout is not None:
        found.append(checkout / name)
    return found


def find_dir(name: str) -> Path:
    """The first existing folder of :func:`candidates`, else the first candidate (which does
    not exist: callers check and name the places they looked in)."""
    tried = candidates(name)
    for folder in tried:
        if folder.is_dir():
            return folder
    return tried[0] if tried else Path(__file__).resolve().parent / name


def resources_dir() -> Path:
    """Bundled data: the digits set, icons."""
    return find_dir(RESOURCES)


def examples_dir() -> Path:
    """The example projects (``*.nnstudio``) that File > Examples offers."""
    return find_dir(EXAMPLES)
