"""Where NN Studio finds its bundled files, from a checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding ``resources/`` and ``examples/``.

    A PyInstaller bundle unpacks them under ``sys._MEIPASS``; a checkout or an editable
    install has them beside the ``nnstudio`` package.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """Bundled data: the digits set, icons."""
    return install_root() / "resources"


def examples_dir() -> Path:
    """The example projects (``*.nnstudio``) that File > Examples offers."""
    return install_root() / "examples"
