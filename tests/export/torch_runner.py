"""Run the ``train.py`` of several exported PyTorch projects in one interpreter.

    python torch_runner.py '[["/path/to/folder", ["--epochs", "2"]], ...]'

Each folder's ``data``, ``model`` and ``train`` modules are imported afresh (so the
folders do not see each other's), and torch is imported only once for all of them.
"""

from __future__ import annotations

import importlib
import json
import sys


def run(folder: str, args: list[str]) -> None:
    sys.path.insert(0, folder)
    for name in ("data", "model", "train"):
        sys.modules.pop(name, None)
    try:
        train = importlib.import_module("train")
        assert train.main(args) == 0
    finally:
        sys.path.remove(folder)


if __name__ == "__main__":
    for folder, arguments in json.loads(sys.argv[1]):
        print(f"=== {folder}", flush=True)
        run(folder, arguments)
