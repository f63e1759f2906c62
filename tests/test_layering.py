"""The layering of DESIGN.md, checked mechanically.

Each package is imported in a fresh interpreter; afterwards ``sys.modules`` must not hold a
module from a layer above it, nor Qt. ``nnstudio.engine`` may import only numpy and the
standard library.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: package -> nnstudio packages it must never load (directly or indirectly).
FORBIDDEN = {
    "nnstudio.engine": ["nnstudio.graph", "nnstudio.training", "nnstudio.export", "nnstudio.ui"],
    "nnstudio.graph": ["nnstudio.training", "nnstudio.export", "nnstudio.ui"],
    "nnstudio.training": ["nnstudio.export", "nnstudio.ui"],
    "nnstudio.export": ["nnstudio.training", "nnstudio.ui"],
    "nnstudio.cli.main": ["nnstudio.ui"],
}
QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph")

PROBE = """
import importlib, json, pkgutil, sys
before = set(sys.modules)  # what site hooks loaded before us is not the package's doing
package = importlib.import_module(sys.argv[1])
# import every submodule too, so a Qt import hidden in a leaf module is found
if hasattr(package, "__path__"):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def loaded_modules(package: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, package],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(out.stdout))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_upper_layers_or_qt(package: str) -> None:
    modules = loaded_modules(package)
    qt = [m for m in modules if m.startswith(QT_PREFIXES)]
    assert not qt, f"{package} loads Qt: {qt[:5]}"
    upper = [m for m in modules for f in FORBIDDEN[package] if m == f or m.startswith(f + ".")]
    assert not upper, f"{package} loads upper layers: {upper[:5]}"


def test_engine_imports_only_numpy_and_stdlib() -> None:
    modules = loaded_modules("nnstudio.engine")
    allowed_roots = set(sys.stdlib_module_names) | {"numpy", "nnstudio"}
    foreign = sorted({m.split(".")[0] for m in modules} - allowed_roots)
    # numpy's own optional helpers that it imports by itself are fine
    foreign = [m for m in foreign if not m.startswith("_")]
    assert not foreign, f"nnstudio.engine loads non-stdlib modules: {foreign}"
