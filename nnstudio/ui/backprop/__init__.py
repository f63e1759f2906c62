"""Step-through backpropagation on the canvas and the "check gradients" button.

``install(session, host)`` adds the "Backprop, step by step" dock (hidden until Training ›
Backprop, Step by Step or View › Panels shows it).
"""

from __future__ import annotations

from nnstudio.ui.backprop.controller import BackpropUi
from nnstudio.ui.host import Host
from nnstudio.ui.session import Session


def install(session: Session, host: Host) -> BackpropUi:
    """Add the backprop view to the window behind ``host``."""
    return BackpropUi(session, host)


__all__ = ["BackpropUi", "install"]
