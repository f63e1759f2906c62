"""Validation: everything that keeps a network from training, as a list of Problems.

``validate(doc, data)`` never raises and is linear in the size of the graph, so the canvas
can run it after every edit. Each Problem names the node by its title and gives the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from nnstudio.graph.checks.memory import memory_problems
from nnstudio.graph.checks.problems import Problem
from nnstudio.graph.checks.validation_data import data_problems
from nnstudio.graph.checks.validation_shapes import (
    multi_input_problems,
    shape_problems,
    stored_value_problems,
)
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Node, PortRef
from nnstudio.graph.model.naming import label_start, node_label
from nnstudio.graph.model.registry import NODE_TYPES, OUTPUT_TYPES, SOURCE_TYPES
from nnstudio.graph.model.shapes import GraphLayout, Shape, format_shape, infer_shapes, layout
from nnstudio.graph.model.signature import DataSignature

__all__ = ["Problem", "validate"]


def validate(doc: Document, data: DataSignature | None = None,
             training: Mapping[str, Any] | None = None) -> list[Problem]:
    """All problems of ``doc`` (and against dataset ``data``, if given). Never raises.

    training: the project's training settings, for the memory estimate of a training
    step (batch size, optimizer, bagging); without them only the parameters count.
    """
    try:
        problems = _validate(doc, data, training)
    except Exception as exc:  # a safety net: validation must never take the app down
        problems = [Problem(None, None, f"The network could not be checked completely ({exc}).")]
    # a title may hold a line break (e.g. from a file); a problem stays one line
    return [p if len(p.message.splitlines()) < 2
            else replace(p, message=" ".join(p.message.split())) for p in problems]


def _validate(doc: Document, data: DataSignature | None,
              training: Mapping[str, Any] | None) -> list[Problem]:
    graph = layout(doc)
    shapes = infer_shapes(doc, graph)
    problems: list[Problem] = []
    problems += _unknown_and_dangling(doc)
    problems += _cycles(doc, graph)
    if not any(n.type_id in OUTPUT_TYPES for n in doc.nodes.values()):
        problems.append(Problem(None, None, "The network has no Output; add an Output node and "
                                            "connect the prediction to it."))
    for node_id in graph.order:
        node = doc.nodes[node_id]
        if node.type_id not in NODE_TYPES:
            continue
        port_problems = _input_problems(doc, graph, shapes, node)
        problems += port_problems
        if not port_problems:
            problems += shape_problems(node, shapes)
            if node.type_id in ("layer.add", "layer.concatenate"):
                sources = [shapes.get(e.source) for e in graph.incoming[node_id].get("in", [])]
                problems += multi_input_problems(node, sources)
    for node in doc.nodes.values():
        problems += _penalty_problems(node)
    if data is not None:
        problems += data_problems(doc, shapes, data)
    problems += stored_value_problems(doc, shapes)
    problems += memory_problems(doc, shapes, training, data)
    problems += _unreachable(doc, graph)
    return problems


def _unknown_and_dangling(doc: Document) -> list[Problem]:
    problems = []
    for node in doc.nodes.values():
        if node.type_id not in NODE_TYPES:
            problems.append(Problem(node.id, None, f"Node '{node.title}' has the unknown type "
                                                   f"'{node.type_id}'; delete it."))
    for edge in doc.edges.values():
        src = doc.nodes.get(edge.source.node_id)
        dst = doc.nodes.get(edge.target.node_id)
        if src is None or dst is None:
            problems.append(Problem(None, None, f"Connection '{edge.id}' leads to a node that "
                                                "does not exist; delete it."))
            continue
        src_type, dst_type = NODE_TYPES.get(src.type_id), NODE_TYPES.get(dst.type_id)
        if src_type is not None and edge.source.port not in {
                p.name for p in src_type.output_ports(src.params)}:
            problems.append(Problem(src.id, edge.source.port,
                                    f"{label_start(src)} has no output '{edge.source.port}' "
                                    "any more; delete that connection."))
        if dst_type is not None and edge.target.port not in {
                p.name for p in dst_type.input_ports(dst.params)}:
            problems.append(Problem(dst.id, edge.target.port,
                                    f"{label_start(dst)} has no input '{edge.target.port}'; "
                                    "delete that connection."))
    return problems


def _cycles(doc: Document, graph: GraphLayout) -> list[Problem]:
    """One problem per loop (strongly connected part) among the nodes Kahn could not order."""
    members = graph.in_cycles
    if not members:
        return []
    forward: dict[str, list[str]] = {n: [] for n in members}
    backward: dict[str, list[str]] = {n: [] for n in members}
    for edge in doc.edges.values():
        a, b = edge.source.node_id, edge.target.node_id
        if a in members and b in members:
            forward[a].append(b)
            backward[b].append(a)
    finished: list[str] = []
    seen: set[str] = set()
    for start in members:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(forward[start]))]
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                finished.append(current)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(forward[child])))
    problems = []
    assigned: set[str] = set()
    for start in reversed(finished):
        if start in assigned:
            continue
        group, todo = [], [start]
        assigned.add(start)
        while todo:
            current = todo.pop()
            group.append(current)
            for parent in backward[current]:
                if parent not in assigned:
                    assigned.add(parent)
                    todo.append(parent)
        if len(group) > 1 or start in forward[start]:
            ordered = [n for n in doc.nodes if n in set(group)]
            names = [node_label(doc.nodes[n]) for n in ordered]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            problems.append(Problem(ordered[0], None,
                                    f"{listed} form a cycle; a network must flow one way, so "
                                    "remove one of these connections."))
    return problems


def _missing_input(node: Node) -> str:
    label = label_start(node)
    if node.type_id == "neuron.neuron":
        return (f"{label} has no inputs; connect at least one input to it (and a Bias if it "
                "needs a bias).")
    if node.type_id in OUTPUT_TYPES:
        return f"{label} has nothing connected; connect the network's prediction to it."
    return f"{label} has no input connected; connect something to its input."


def _input_problems(doc: Document, graph: GraphLayout, shapes: dict[PortRef, Shape],
                    node: Node) -> list[Problem]:
    problems = []
    kind = NODE_TYPES[node.type_id]
    label = label_start(node)
    for spec in kind.input_ports(node.params):
        edges = graph.incoming[node.id].get(spec.name, [])
        if not edges:
            if node.type_id not in SOURCE_TYPES:
                problems.append(Problem(node.id, spec.name, _missing_input(node),
                                        code="missing_input"))
            continue
        sources = [shapes.get(e.source) for e in edges]
        tensors = [s for s in sources if s is not None and s != ()]
        if spec.kind == "scalar" and tensors:
            problems.append(Problem(
                node.id, spec.name,
                f"A scalar port cannot take a tensor ({format_shape(tensors[0])}): the input of "
                f"{node_label(node)} takes single numbers; put a Split node in between.",
                code="scalar_gets_tensor"))
        elif spec.kind == "tensor" and spec.multiple and () in sources:
            problems.append(Problem(node.id, spec.name,
                                    f"{label} joins tensors, not single scalars; put a Stack "
                                    "node in between."))
        elif not spec.multiple and len(edges) > 1 and (spec.kind != "tensor" or tensors):
            what = "exactly one" if spec.kind != "tensor" else "one tensor or several scalars"
            problems.append(Problem(node.id, spec.name,
                                    f"{label} has {len(edges)} connections into its input; "
                                    f"it takes {what}."))
    return problems


_PENALTY_PARTS = {"none": (), "l1": ("l1",), "l2": ("l2",), "l1_l2": ("l1", "l2")}


def _strength(node: Node, name: str) -> float:
    try:
        return float(node.params.get(name, 0.0))
    except (TypeError, ValueError):
        return 0.0


def _penalty_problems(node: Node) -> list[Problem]:
    """Warnings for an L1/L2 choice that does nothing: a strength of 0, or one that is ignored."""
    kind = NODE_TYPES.get(node.type_id)
    if kind is None or "penalty" not in {spec.name for spec in kind.params}:
        return []
    choice = str(node.params.get("penalty", "none"))
    active = _PENALTY_PARTS.get(choice, ())
    strengths = {name: _strength(node, name) for name in ("l1", "l2")}
    label = label_start(node)
    problems = []
    zero = [name for name in active if strengths[name] <= 0.0]
    if zero:
        penalty = "L1+L2" if choice == "l1_l2" else choice.upper()
        if len(zero) == 2:
            problems.append(Problem(
                node.id, None,
                f"{label} asks for an {penalty} penalty but its L1 and L2 strengths are 0, so "
                "the penalty does nothing; set l1 and l2 > 0 (e.g. 0.001).", "warning",
                "penalty_zero"))
        elif len(active) == 2:
            acting = next(name for name in active if name not in zero)
            problems.append(Problem(
                node.id, None,
                f"{label} asks for an {penalty} penalty but its {zero[0].upper()} strength is 0, "
                f"so only the {acting.upper()} part ({acting} = {strengths[acting]:g}) acts; "
                f"set {zero[0]} > 0 (e.g. 0.001) or choose {acting}.", "warning", "penalty_zero"))
        else:
            problems.append(Problem(
                node.id, None,
                f"{label} asks for an {penalty} penalty but its {penalty} strength is 0, so the "
                f"penalty does nothing; set {zero[0]} > 0 (e.g. 0.001).", "warning",
                "penalty_zero"))
    ignored = [name for name in ("l1", "l2") if name not in active and strengths[name] > 0.0]
    if ignored:
        values = " and ".join(f"{name} = {strengths[name]:g}" for name in ignored)
        them = "they are" if len(ignored) == 2 else "it is"
        fits = [c for c, parts in _PENALTY_PARTS.items() if set(ignored) <= set(parts)]
        problems.append(Problem(
            node.id, None,
            f"{label} has {values} but its penalty is '{choice}', so {them} ignored; choose "
            f"{' or '.join(fits)}.", "warning", "penalty_ignored"))
    return problems


def _unreachable(doc: Document, graph: GraphLayout) -> list[Problem]:
    """Warnings for nodes whose values never reach an Output (they are not trained)."""
    outputs = [n for n, node in doc.nodes.items() if node.type_id in OUTPUT_TYPES]
    if not outputs:
        return []
    parents: dict[str, list[str]] = {n: [] for n in doc.nodes}
    for ports in graph.incoming.values():
        for edges in ports.values():
            for edge in edges:
                parents[edge.target.node_id].append(edge.source.node_id)
    useful, todo = set(outputs), list(outputs)
    while todo:
        for parent in parents[todo.pop()]:
            if parent not in useful:
                useful.add(parent)
                todo.append(parent)
    return [Problem(n, None, f"{label_start(node)} does not lead to any Output, so it does not "
                             "change the prediction and is not trained.", "warning",
                            "unreachable")
            for n, node in doc.nodes.items() if n not in useful]
