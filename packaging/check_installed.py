"""Check an installed NN Studio (a wheel or a plain ``pip install .``) from outside the
checkout: the package and its bundled data come from the environment's site-packages,
every example opens, the digits load, and every icon renders.

Run it with the installed environment's interpreter, from any folder but the checkout:
``VENV/bin/python packaging/check_installed.py``. Exit code 0 if all holds, else 1 with one
line per problem.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def problems() -> list[str]:
    """Everything that is wrong with the installed package, one sentence each."""
    import nnstudio
    from nnstudio.graph.files.project_file import load_project
    from nnstudio.paths import examples_dir, resources_dir
    from nnstudio.training.datasets import load_builtin

    found: list[str] = []
    package = Path(nnstudio.__file__).resolve().parent
    prefix = Path(sys.prefix).resolve()
    if prefix not in package.parents:
        found.append(f"nnstudio was imported from {package}, not from {prefix}.")
    for folder in (resources_dir(), examples_dir()):
        if folder.resolve().parent != package:
            found.append(f"{folder} is not inside the installed package {package}.")
    examples = sorted(examples_dir().glob("*.nnstudio"))
    if len(examples) < 8:
        found.append(f"only {len(examples)} examples in {examples_dir()}.")
    for path in examples:
        try:
            load_project(path)
        except Exception as error:  # report every broken example, not only the first
            found.append(f"{path.name} does not open: {error}")
    digits = load_builtin("digits")
    if digits.x.shape != (1797, 1, 8, 8):
        found.append(f"the digits have the shape {digits.x.shape}.")
    found.extend(_icon_problems(resources_dir() / "icons"))
    return found


def _icon_problems(folder: Path) -> list[str]:
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui.palette import icon_for_name

    app = QApplication.instance() or QApplication(["check_installed"])
    names = sorted(path.stem for path in folder.glob("*.svg"))
    bad = [name for name in names if icon_for_name(name).pixmap(32, 32).isNull()]
    del app
    if not names:
        return [f"no icons in {folder}."]
    return [f"the icon {name}.svg does not render." for name in bad]


def main() -> int:
    found = problems()
    for line in found:
        print(f"check_installed: {line}", file=sys.stderr)
    if not found:
        import nnstudio
        from nnstudio.paths import examples_dir

        print(f"check_installed: nnstudio from {Path(nnstudio.__file__).parent}, "
              f"examples in {examples_dir()}: data, examples and icons all found")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
