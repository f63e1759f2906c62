"""Live training in the window: controller, transport, settings panel, plots, overlays.

``install(session, host)`` adds the feature to a window and returns its ``TrainingUi``.
"""

from __future__ import annotations

from nnstudio.ui.host import Host
from nnstudio.ui.session import Session
from nnstudio.ui.training.feature import TrainingUi


def install(session: Session, host: Host) -> TrainingUi:
    """Add live training to the window behind ``host``."""
    return TrainingUi(session, host)


__all__ = ["TrainingUi", "install"]
