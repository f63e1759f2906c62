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
    "nnstudio.export": ["nnstudio.cli", "nnstudio.ui"],
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


def _module_imports() -> dict[str, set[str]]:
    """nnstudio module -> the nnstudio modules it imports anywhere in its source (top
    level, inside functions or under TYPE_CHECKING alike)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "nnstudio"
    files = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path
    imports: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    keep = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*keep, base] if base else keep)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append(full if full in files else base)
            imports[name] |= {t for t in targets if t in files and t != name}
    return imports


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other in a circle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in imports[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in imports:
        if module not in index:
            visit(module)
    return found


@pytest.mark.parametrize("package", ["nnstudio.engine", "nnstudio.graph", "nnstudio.training",
                                     "nnstudio.export", "nnstudio.cli", "nnstudio.ui"])
def test_files_of_a_package_import_one_way(package: str) -> None:
    cycles = [c for c in _cycles(_module_imports()) if any(m.startswith(package) for m in c)]
    assert not cycles, f"import circles in {package}: {cycles}"


def test_the_window_never_imports_the_command_line() -> None:
    modules = loaded_modules("nnstudio.ui")
    assert not [m for m in modules if m == "nnstudio.cli" or m.startswith("nnstudio.cli.")]


def test_features_know_the_session_and_host_not_the_main_window() -> None:
    """Only the application start-up may import the main window; features get a Session
    and a Host (``nnstudio.ui.host``) instead."""
    importers = sorted(name for name, targets in _module_imports().items()
                       if "nnstudio.ui.main_window" in targets)
    assert importers == ["nnstudio.ui.app"], importers
