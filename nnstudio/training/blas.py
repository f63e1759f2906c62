"""How many BLAS threads work in a thread of the GUI process may use.

Measured on this 2-core machine under load from other processes: a 41×41 loss slice of
digits_mlp took 11–15 s with OpenBLAS's two threads (they spin while they wait, next to
the GUI thread) and 0.7 s with one. Work run beside the GUI therefore keeps one core free.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


def worker_blas_threads() -> int:
    """All cores but one (at least one)."""
    return max(1, (os.cpu_count() or 2) - 1)


@contextmanager
def limited_blas(threads: int | None = None) -> Iterator[None]:
    """Run the block with at most ``threads`` BLAS threads (default: all cores but one);
    the previous limits come back afterwards. The limit holds for the whole process."""
    with threadpool_limits(limits=threads or worker_blas_threads(), user_api="blas"):
        yield
