"""The records of a compiled plan: execution steps, output heads and scalar references."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

ParamKey = tuple[str, str]


class ScalarRef(NamedTuple):
    """Where one scalar lives at run time: column ``column`` of the 2-D value ``value``."""

    value: str
    column: int


@dataclass(frozen=True)
class Step:
    """One operation of the plan (see ``nnstudio.graph.compiler`` for every ``op``).

    node_id: the document node it comes from (None for groups and automatic stacking).
    inputs: names of the values it reads; output: the name of the value it writes.
    attrs: op settings; param_keys: role (``"weight"``, ``"bias"``) -> key in ``Plan.params``.
    """

    node_id: str | None
    op: str
    inputs: tuple[str, ...]
    output: str
    attrs: dict[str, Any] = field(default_factory=dict)
    param_keys: dict[str, ParamKey] = field(default_factory=dict)


@dataclass(frozen=True)
class OutputHead:
    """One output node: its loss and the columns of ``Plan.forward``'s result it owns.

    target_column: the column of y a ``neuron.output`` predicts; None for ``layer.output``
    (which uses all of y).
    """

    node_id: str
    loss: str
    columns: slice
    target_column: int | None
