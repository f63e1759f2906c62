"""Follow-on warnings grouped under their cause.

One missing wire makes one error (the node after the gap has no input) and a warning for
every node before the gap (it no longer leads to an Output). The warnings are not things
to fix one by one: they go away with the wire. ``group_problems`` puts them under the
error they follow from, so a student sees one problem with its consequences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from nnstudio.graph.checks.problems import Problem
from nnstudio.graph.model.document_types import GraphView

FOLLOW_ON = "unreachable"
CAUSE = "missing_input"


@dataclass
class ProblemGroup:
    """A problem and the problems that follow from it (in validation order)."""

    cause: Problem
    follow_ons: list[Problem] = field(default_factory=list)


def _components(doc: GraphView, members: set[str]) -> list[list[str]]:
    """The groups of ``members`` joined by edges (either direction), in document order."""
    neighbours: dict[str, set[str]] = {n: set() for n in members}
    for edge in doc.edges.values():
        a, b = edge.source.node_id, edge.target.node_id
        if a in members and b in members:
            neighbours[a].add(b)
            neighbours[b].add(a)
    seen: set[str] = set()
    groups = []
    for start in (n for n in doc.nodes if n in members):
        if start in seen:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            current = todo.pop()
            group.append(current)
            for other in neighbours[current] - seen:
                seen.add(other)
                todo.append(other)
        groups.append([n for n in doc.nodes if n in set(group)])
    return groups


def _sinks(doc: GraphView, group: list[str]) -> list[str]:
    """Nodes of ``group`` whose outputs go nowhere inside the group (where the gap is)."""
    inside = set(group)
    feeding = {e.source.node_id for e in doc.edges.values() if e.target.node_id in inside}
    return [n for n in group if n not in feeding] or group[-1:]


def _distance(doc: GraphView, a: str, b: str) -> float:
    pa, pb = doc.nodes[a].position, doc.nodes[b].position
    return math.hypot(pa[0] - pb[0], pa[1] - pb[1])


def group_problems(doc: GraphView, problems: Sequence[Problem]) -> list[ProblemGroup]:
    """Every problem once: each connected group of "does not lead to any Output" warnings
    follows the missing-input error nearest to where the group ends (on the canvas); with
    no such error, the group's last node's warning is the cause of the others. Groups keep
    the order of their causes in ``problems``."""
    unreachable = {p.node_id: p for p in problems
                   if p.code == FOLLOW_ON and p.node_id in doc.nodes}
    causes = [p for p in problems if p.code == CAUSE and p.node_id in doc.nodes]
    groups = {id(p): ProblemGroup(p) for p in problems if p.code != FOLLOW_ON
              or p.node_id not in unreachable}
    for component in _components(doc, set(unreachable)):  # type: ignore[arg-type]
        sinks = _sinks(doc, component)
        if causes:
            cause = min(causes, key=lambda p: min(_distance(doc, str(p.node_id), s)
                                                  for s in sinks))
            groups[id(cause)].follow_ons += [unreachable[n] for n in component]
            continue
        head = unreachable[sinks[-1]]
        group = groups[id(head)] = ProblemGroup(head)
        group.follow_ons = [unreachable[n] for n in component if n != sinks[-1]]
    return [groups[id(p)] for p in problems if id(p) in groups]
