"""Which training settings do nothing with the others as they are, and why.

The settings panel disables these fields and shows the sentence as their tooltip, so a
student never tunes a number that the run ignores (momentum with Adam, patience with
early stopping off, step and γ with a constant learning rate).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnstudio.training.settings import TrainingSettings

_DEFAULTS = TrainingSettings()


def _get(settings: Mapping[str, Any], name: str) -> Any:
    return settings.get(name, getattr(_DEFAULTS, name))


def inapplicable(settings: Mapping[str, Any]) -> dict[str, str]:
    """Setting name -> one sentence why it does nothing now (absent: it applies).

    ``settings``: the project's training dict (missing keys take the defaults)."""
    out: dict[str, str] = {}
    optimizer = str(_get(settings, "optimizer"))
    if optimizer == "adam":
        out["momentum"] = ("Adam keeps its own running average of the gradients (β1), so "
                           "momentum is not used; it applies to SGD and RMSprop.")
    if optimizer != "sgd":
        out["nesterov"] = ("Nesterov's look-ahead belongs to SGD with momentum; "
                           f"{'Adam' if optimizer == 'adam' else 'RMSprop'} does not use it.")
    if not _get(settings, "early_stopping"):
        for name in ("patience", "restore_best", "min_delta"):
            out[name] = "Used only when early stopping is on."
    schedule = str(_get(settings, "schedule"))
    if schedule != "step":
        out["step_size"] = (f"Used only by the step schedule; the {schedule} schedule "
                            "does not step.")
    if schedule not in ("step", "exponential"):
        out["gamma"] = (f"Used only by the step and exponential schedules; the {schedule} "
                        "schedule does not use γ.")
    if schedule != "plateau":
        for name in ("plateau_patience", "plateau_factor"):
            out[name] = "Used only by the plateau schedule."
    return out
