"""The scripts of a PyTorch project: real Python files in ``templates/`` with a settings
block that the export replaces by the project's values, written only as literals.

A template marks its block with the lines ``# --- NN Studio writes the settings below ---``
and ``# --- end of NN Studio's settings ---``; everything between them is replaced by one
``NAME = <literal>`` per setting (``codegen.py_assign``), so text from the project can
only ever be the value of a constant.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from nnstudio.export.codegen import py_assign
from nnstudio.export.common import ExportError

BEGIN = "# --- NN Studio writes the settings below ---"
END = "# --- end of NN Studio's settings ---"


def template(name: str) -> str:
    """The text of ``templates/<name>`` (shipped inside the package)."""
    try:
        files = resources.files("nnstudio.export.torch_project").joinpath("templates")
        return files.joinpath(name).read_text(encoding="utf-8")
    except OSError as error:
        raise ExportError(f"The PyTorch project template {name} is missing from this "
                          f"installation ({error.strerror or error}).") from None


def filled(name: str, settings: Mapping[str, Any]) -> str:
    """Template ``name`` with its settings block replaced by ``settings`` (in order)."""
    text = template(name)
    start, end = text.index(BEGIN), text.index(END)
    try:
        block = "\n".join(py_assign(key, value) for key, value in settings.items())
    except ValueError as error:
        raise ExportError(f"A setting of the project cannot be written into {name}: "
                          f"{error}.") from None
    return text[:start] + BEGIN + "\n" + block + "\n" + text[end:]
