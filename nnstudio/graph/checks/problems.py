"""The record validation returns, and small helpers for writing its sentences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a network: where (node id, port) and one sentence saying what.

    ``code`` names the kind of problem for code that acts on it (one-click fixes, grouping
    follow-on warnings under their cause); "" for problems nothing acts on. Codes:
    missing_input, unreachable, needs_vector, needs_image, scalar_gets_tensor,
    split_size, input_features, input_kind, input_image_shape, loss_kind, output_width,
    penalty_zero, penalty_ignored.
    """

    node_id: str | None
    port: str | None
    message: str
    severity: Severity = "error"
    code: str = ""


def plural(count: int, word: str, words: str | None = None) -> str:
    """``plural(1, "class", "classes")`` -> "1 class"; ``plural(3, "column")`` -> "3 columns"."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def signed(number: int) -> str:
    """A number with a real minus sign, as in the formulas of the lecture: −1."""
    return f"−{-number}" if number < 0 else str(number)


def dims(shape: tuple[int, ...]) -> str:
    """``(1, 28, 28)`` -> "1×28×28" (no batch dimension)."""
    return "×".join(str(d) for d in shape)
