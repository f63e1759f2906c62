"""Settings of a node type: what values are allowed and how text or numbers become them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.fields import short

ParamKind = Literal["int", "float", "bool", "choice", "str"]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class ParamSpec:
    """One setting of a node type (e.g. the ``units`` of a Dense layer).

    ``decimals`` and ``step`` are hints for a float editor (digits shown after the point,
    the arrow-key increment); None leaves the editor's own choice.
    """

    name: str
    kind: ParamKind
    default: Any
    label: str
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    decimals: int | None = None
    step: float | None = None

    def coerce(self, value: Any) -> Any:
        """Return ``value`` as a clean value of this setting's type, or raise GraphError."""
        if self.kind == "int":
            clean: Any = self._to_int(value)
        elif self.kind == "float":
            clean = self._to_float(value)
        elif self.kind == "bool":
            clean = self._to_bool(value)
        elif self.kind == "choice":
            text = str(value).strip() if isinstance(value, str) else value
            if text not in self.choices:
                raise GraphError(
                    f"{self.label} must be one of {', '.join(self.choices)}; got {short(value)}."
                )
            clean = text
        else:
            if not isinstance(value, str):
                raise GraphError(f"{self.label} must be text; got {short(value)}.")
            clean = value
        if self.kind in ("int", "float"):
            self._check_range(clean)
        return clean

    def _to_int(self, value: Any) -> int:
        if isinstance(value, bool):
            raise GraphError(f"{self.label} must be a whole number; got {short(value)}.")
        if isinstance(value, int):
            return int(value)
        try:
            number = float(value.strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise GraphError(f"{self.label} must be a whole number; got {short(value)}.") from None
        if not math.isfinite(number) or not number.is_integer():
            raise GraphError(f"{self.label} must be a whole number; got {short(value)}.")
        return int(number)

    def _to_float(self, value: Any) -> float:
        if isinstance(value, bool):
            raise GraphError(f"{self.label} must be a number; got {short(value)}.")
        try:
            number = float(value.strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise GraphError(f"{self.label} must be a number; got {short(value)}.") from None
        if not math.isfinite(number):
            raise GraphError(f"{self.label} must be a finite number; got {short(value)}.")
        return number

    def _to_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0"):
            return False
        raise GraphError(f"{self.label} must be on or off (true/false); got {short(value)}.")

    def _check_range(self, number: float) -> None:
        if self.minimum is not None and number < self.minimum:
            raise GraphError(
                f"{self.label} must be at least {_number_text(self.minimum)}; got {short(number)}."
            )
        if self.maximum is not None and number > self.maximum:
            raise GraphError(
                f"{self.label} must be at most {_number_text(self.maximum)}; got {short(number)}."
            )
