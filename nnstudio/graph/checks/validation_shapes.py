"""Shape problems of single nodes: the expected shape, the actual one, and the arithmetic."""

from __future__ import annotations

from nnstudio.graph.checks.problems import Problem, dims, signed
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Node, PortRef
from nnstudio.graph.model.naming import label_start
from nnstudio.graph.model.shapes import Shape, format_shape, learned_shapes, pool_stride

_POOLS = ("layer.maxpool2d", "layer.avgpool2d")


def _spatial_problems(node: Node, shape: Shape) -> list[Problem]:
    """The (W−K+2P)/S+1 arithmetic for Conv2D and the pools, spelled out where it fails."""
    p = node.params
    label = label_start(node)
    kernel, padding = int(p["kernel_size"]), int(p["padding"])
    stride = pool_stride(p) if node.type_id in _POOLS else int(p["stride"])
    problems = []
    if node.type_id in _POOLS and 2 * padding > kernel:
        problems.append(Problem(node.id, "in",
                                f"{label}: padding {padding} is more than half the kernel size "
                                f"{kernel}; use padding {kernel // 2} or less."))
    for name, letter, size in (("height", "H", shape[1]), ("width", "W", shape[2])):
        numerator = size - kernel + 2 * padding
        out = numerator // stride + 1
        if out >= 1:
            continue
        rounded = " (rounded down)" if numerator % stride else ""
        problems.append(Problem(
            node.id, "in",
            f"{label}: output {name} ({letter}−K+2P)/S+1 = ({size}−{kernel}+2·{padding})/"
            f"{stride}+1 = {signed(out)}{rounded} is less than 1; use a smaller kernel or more "
            "padding."))
    return problems


def shape_problems(node: Node, shapes: dict[PortRef, Shape]) -> list[Problem]:
    """Problems of ``node`` with the shapes arriving at its inputs (unknown shapes: none)."""
    t = node.type_id
    label = label_start(node)
    shape = shapes.get(PortRef(node.id, "in"))
    if t in ("layer.add", "layer.concatenate"):
        return []  # checked by multi_input_problems (needs every input's shape)
    if shape is None:
        return []
    actual = format_shape(shape)
    if t == "layer.dense" and len(shape) != 1:
        return [Problem(node.id, "in",
                        f"{label} needs a vector (N×features) but gets {actual}; put a Flatten "
                        "in between.", code="needs_vector")]
    if t in ("layer.conv2d", *_POOLS):
        if len(shape) != 3:
            return [Problem(node.id, "in",
                            f"{label} needs an image (N×C×H×W) but gets {actual}; use an Input "
                            "of kind image (or Dense layers for vectors).", code="needs_image")]
        return _spatial_problems(node, shape)
    if t == "layer.batchnorm" and len(shape) not in (1, 3):
        return [Problem(node.id, "in",
                        f"{label} needs a vector (N×features) or an image (N×C×H×W) but gets "
                        f"{actual}.")]
    if t == "layer.split":
        size = int(node.params["size"])
        if len(shape) != 1:
            return [Problem(node.id, "in",
                            f"{label} needs a vector (N×k) but gets {actual}; put a Flatten in "
                            "between.", code="needs_vector")]
        if shape[0] != size:
            return [Problem(node.id, "in",
                            f"{label} has size {size} but its input is a vector of {shape[0]} "
                            f"({actual}); set its size to {shape[0]}.", code="split_size")]
    if t == "layer.output" and len(shape) != 1:
        return [Problem(node.id, "in",
                        f"{label} needs a vector (N×outputs) but gets {actual}; put a Flatten "
                        "(and a Dense layer) before it.", code="needs_vector")]
    return []


def multi_input_problems(node: Node, sources: list[Shape | None]) -> list[Problem]:
    """Add needs equal shapes; Concatenate needs equal sizes except along the first axis."""
    known = [s for s in sources if s is not None]
    if len(known) != len(sources) or len(known) < 2:
        return []
    label = label_start(node)
    listed = " and ".join(dict.fromkeys(format_shape(s) for s in known))
    if node.type_id == "layer.add" and any(s != known[0] for s in known):
        return [Problem(node.id, "in",
                        f"{label} needs inputs of the same shape but gets {listed}.",
                        code="input_shapes")]
    if node.type_id == "layer.concatenate" and any(
            len(s) != len(known[0]) or s[1:] != known[0][1:] for s in known):
        return [Problem(node.id, "in",
                        f"{label} joins along the features (or channels), so its inputs must "
                        f"agree in every other size, but it gets {listed}.", code="input_shapes")]
    return []


def stored_value_problems(doc: Document, shapes: dict[PortRef, Shape]) -> list[Problem]:
    """A warning per stored array whose shape no longer fits its layer (e.g. after its
    units changed): training would start that array from new random values."""
    problems = []
    for node in doc.nodes.values():
        if not node.values:
            continue
        needed = learned_shapes(node, shapes.get(PortRef(node.id, "in")))
        for name, array in node.values.items():
            want = needed.get(name)
            have = tuple(int(d) for d in getattr(array, "shape", ()))
            if want is None or have == want:
                continue
            problems.append(Problem(
                node.id, None,
                f"{label_start(node)} has a stored {name} of shape {dims(have) or 'scalar'} "
                f"but now needs {dims(want)}; training starts it from new random values.",
                "warning"))
    return problems
