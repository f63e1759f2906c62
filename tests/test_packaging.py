"""The wheel's contents as pyproject.toml declares them: every package folder listed, every
bundled data file matched by a package-data pattern, pins and install hints that agree with
the README. (CI builds the real wheel and runs it from a fresh venv; these catch a
forgotten entry in seconds.)"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from nnstudio.export import ExportError
from nnstudio.export.onnx_export import ONNX_INSTALL_HINT, _onnx

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
#: Files in the data folders that are deliberately not data (the examples' generator).
NOT_DATA = {"examples/make_examples.py"}


def _package_folder(package: str) -> Path:
    """Where setuptools takes ``package`` from, following [tool.setuptools.package-dir]."""
    mapping: dict[str, str] = SETUPTOOLS.get("package-dir", {})
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in mapping:
            return ROOT / mapping[prefix] / Path(*parts[cut:])
    return ROOT / Path(*parts)


def test_every_code_package_is_listed() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "nnstudio").rglob("__init__.py")
    }
    listed = set(SETUPTOOLS["packages"])
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    for package in listed:
        assert _package_folder(package).is_dir(), package


def test_every_bundled_data_file_goes_into_the_wheel() -> None:
    """Each non-Python file in the package and in resources/ and examples/ matches a
    package-data pattern (setuptools silently leaves unmatched ones out of the wheel)."""
    patterns: dict[str, list[str]] = SETUPTOOLS["package-data"]
    assert {"nnstudio.resources", "nnstudio.examples"} <= set(patterns)
    shipped: set[Path] = set()
    for package, globs in patterns.items():
        assert package in SETUPTOOLS["packages"], package
        folder = _package_folder(package)
        matched = {f for glob in globs for f in folder.glob(glob) if f.is_file()}
        assert matched, f"{package}: no file matches {globs}"
        shipped |= matched
    for top in ("nnstudio", "resources", "examples"):
        for file in (ROOT / top).rglob("*"):
            name = file.relative_to(ROOT).as_posix()
            if not file.is_file() or "__pycache__" in file.parts or name in NOT_DATA:
                continue
            if top == "nnstudio" and file.suffix == ".py":
                continue  # a module of a listed package
            assert file in shipped, f"{name} would be left out of the wheel"


def test_the_pyside_ceiling_holds_only_where_the_crash_was_seen() -> None:
    requirements = pytest.importorskip("packaging.requirements")
    pins = [requirements.Requirement(text) for text in PYPROJECT["project"]["dependencies"]]
    pyside = [r for r in pins if r.name == "PySide6-Essentials"]

    def specifier(python: str) -> str:
        env = {"python_version": python, "python_full_version": f"{python}.0"}
        chosen = [r for r in pyside if r.marker is None or r.marker.evaluate(env)]
        assert len(chosen) == 1, python
        return str(chosen[0].specifier)

    assert "<6.12" in specifier("3.11")
    for python in ("3.12", "3.13", "3.14", "3.15"):
        assert "<" not in specifier(python), python
    # The regression test of that crash runs in every default test run on this Python.
    assert (ROOT / "tests" / "ui" / "test_pyside_thread_crash.py").is_file()


def test_one_install_hint_for_onnx(monkeypatch: pytest.MonkeyPatch) -> None:
    requirement = ONNX_INSTALL_HINT.removeprefix("pip install ").strip('"')
    assert PYPROJECT["project"]["optional-dependencies"]["onnx"] == [requirement]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ONNX_INSTALL_HINT in readme
    assert "nnstudio[onnx]" not in readme and '.[onnx]"' not in readme
    monkeypatch.setitem(sys.modules, "onnx", None)  # makes ``import onnx`` fail
    with pytest.raises(ExportError) as caught:
        _onnx()
    assert ONNX_INSTALL_HINT in str(caught.value)
