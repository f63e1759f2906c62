"""``nnstudio examples [NAME]``: lists the bundled examples, prints one's path for scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnstudio.cli import examples as examples_cli
from nnstudio.cli.main import main
from nnstudio.paths import examples_dir


def test_lists_every_bundled_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples"]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = sorted(examples_dir().glob("*.nnstudio"))
    assert len(lines) == len(expected) >= 8
    for line, path in zip(lines, expected, strict=True):
        name, shown = line.split(maxsplit=1)
        assert name == path.stem and Path(shown) == path


def test_one_name_prints_a_path_the_other_commands_take(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples", "xor.nnstudio"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == examples_dir() / "xor.nnstudio"
    assert main(["check", str(path)]) == 0
    assert "the network is valid" in capsys.readouterr().out


def test_unknown_name_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples", "no_such"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "no example named 'no_such'" in err and "xor" in err and "\n" not in err


def test_no_installed_examples_say_where_it_looked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(examples_cli, "examples_dir", lambda: tmp_path / "gone")
    monkeypatch.setattr(examples_cli, "candidates", lambda name: [tmp_path / "gone"])
    assert main(["examples"]) == 1
    assert f"looked in: {tmp_path / 'gone'}" in capsys.readouterr().err


def test_copy_to_writes_a_copy_that_trains(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples", "xor", "--copy-to", str(tmp_path)]) == 0
    copy = Path(capsys.readouterr().out.strip())
    assert copy == tmp_path / "xor.nnstudio"
    assert copy.read_bytes() == (examples_dir() / "xor.nnstudio").read_bytes()
    assert main(["train", str(copy), "--epochs", "1", "--in-place"]) == 0
    assert copy.read_bytes() != (examples_dir() / "xor.nnstudio").read_bytes()


def test_copy_to_without_a_name_copies_all(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples", "--copy-to", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == sorted(
        p.name for p in examples_dir().glob("*.nnstudio"))
    assert all(Path(p).is_file() for p in printed)


def test_copy_to_a_missing_folder_is_one_sentence(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["examples", "xor", "--copy-to", str(tmp_path / "nope")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    expected = f"nnstudio examples: {tmp_path / 'nope'} is not an existing folder."
    assert captured.err.strip() == expected
