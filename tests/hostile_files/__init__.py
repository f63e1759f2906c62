"""Hostile inputs for tests and benchmarks: malformed data files and an isolated runner.

Importable from any test (``tests/`` is on ``sys.path`` through its ``conftest.py``) and
from ``bench/`` scripts that put ``tests/`` on the path: ``from hostile_files import ...``.
"""
