"""Where the bundled files are found: installed package first, then a PyInstaller bundle,
then the source checkout; a missing folder names every place that was tried."""

from __future__ import annotations

from pathlib import Path

import pytest

import nnstudio
from nnstudio import paths
from nnstudio.training.datasets import DatasetError, load_builtin, resources_dir

CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr("sys._MEIPASS", raising=False)
    monkeypatch.delenv("NNSTUDIO_RESOURCES", raising=False)


def test_a_checkout_finds_its_root_folders(no_bundle: None) -> None:
    if paths._package_dir() != Path(nnstudio.__file__).parent or not (
            CHECKOUT / "pyproject.toml").is_file():
        pytest.skip("runs against the source checkout")
    assert paths.resources_dir() == CHECKOUT / "resources"
    assert paths.examples_dir() == CHECKOUT / "examples"
    assert (paths.examples_dir() / "chocolate_happiness.nnstudio").is_file()
    assert (paths.resources_dir() / "icons" / "app.svg").is_file()


def test_the_installed_package_copy_comes_first(tmp_path: Path, no_bundle: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "nnstudio"
    (package / "resources").mkdir(parents=True)
    (package / "examples").mkdir()
    monkeypatch.setattr(paths, "_package_dir", lambda: package)
    assert paths.candidates("resources")[0] == package / "resources"
    assert paths.resources_dir() == package / "resources"
    assert paths.examples_dir() == package / "examples"
    assert resources_dir() == package / "resources"  # the datasets' view agrees


def test_a_bundle_comes_before_the_checkout(tmp_path: Path, no_bundle: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nnstudio" / "examples").mkdir(parents=True)
    monkeypatch.setattr(paths, "_package_dir", lambda: tmp_path / "no-package")
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(paths, "_checkout_root", lambda: CHECKOUT)
    assert paths.examples_dir() == tmp_path / "nnstudio" / "examples"


def test_an_installed_package_never_looks_beside_itself(tmp_path: Path, no_bundle: None,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """Installed without its data, it must not pick up a stray ``site-packages/resources``
    of another package: only a folder with pyproject.toml counts as a checkout."""
    site = tmp_path / "site-packages"
    (site / "resources").mkdir(parents=True)
    fake_module = site / "nnstudio" / "paths.py"
    fake_module.parent.mkdir()
    monkeypatch.setattr(paths, "__file__", str(fake_module))
    monkeypatch.setattr(paths, "_package_dir", lambda: site / "nnstudio")
    assert paths.candidates("resources") == [site / "nnstudio" / "resources"]
    with pytest.raises(DatasetError) as caught:
        load_builtin("digits")
    message = str(caught.value)
    assert "resources folder was not found" in message
    assert str(site / "nnstudio" / "resources") in message
    assert "\n" not in message


def test_a_non_folder_package_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A zip import has no folder to hand out; the other places are still tried."""
    monkeypatch.setattr(paths.resources, "files", lambda name: object())
    assert paths._package_dir() is None
