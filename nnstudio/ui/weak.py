"""Callbacks that do not keep their object alive.

Views subscribe to the plain-Python model (``Document.subscribe``, ``Project.subscribe``)
and to signals of objects that may outlive them. A strong bound method there would make a
reference cycle through Qt objects, which Python's collector then frees in an arbitrary
order; PySide can crash when a QObject's C++ destructor (e.g. an undo stack deleting its
commands) runs after wrappers it refers to were collected. ``weak_method`` forwards to the
method only while its object lives.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any


def weak_method(method: Callable[..., None], nargs: int = 0) -> Callable[..., None]:
    """A callable that forwards its first ``nargs`` arguments to a bound method while the
    method's object lives, and does nothing afterwards."""
    ref = weakref.WeakMethod(method)

    def call(*args: Any) -> None:
        bound = ref()
        if bound is not None:
            bound(*args[:nargs])

    return call
