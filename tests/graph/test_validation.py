"""validate(): one test per kind of problem, checking the node's name and the numbers."""

from __future__ import annotations

from test_document_builders import build_chocolate, build_mlp

from nnstudio.graph.checks.validation import Problem, validate
from nnstudio.graph.model.document import Document, Edge, PortRef
from nnstudio.graph.model.signature import DataSignature

TABLE4_3CLASSES = DataSignature((4,), "classification", 3)
CHOC = DataSignature((1,), "regression", 1, ("chocolate",))


def errors(doc: Document, data: DataSignature | None = None) -> list[Problem]:
    return [p for p in validate(doc, data) if p.severity == "error"]


def only(doc: Document, data: DataSignature | None = None) -> Problem:
    found = errors(doc, data)
    assert len(found) == 1, found
    return found[0]


def test_valid_networks_have_no_problems() -> None:
    assert validate(build_chocolate(), CHOC) == []
    assert validate(build_mlp()[0], TABLE4_3CLASSES) == []


def test_no_output() -> None:
    doc = Document()
    n = doc.add_node("neuron.neuron", title="h")
    doc.connect(doc.add_node("neuron.bias"), "out", n, "in")
    assert only(doc).message == ("The network has no Output; add an Output node and connect the "
                                 "prediction to it.")
    assert only(doc).node_id is None


def test_neuron_without_inputs() -> None:
    doc = build_chocolate()
    for edge_id in ("e1", "e2"):
        doc.disconnect(edge_id)
    problem = only(doc)
    assert (problem.node_id, problem.port) == ("n3", "in")
    assert problem.message == ("Neuron 'h' has no inputs; connect at least one input to it "
                               "(and a Bias if it needs a bias).")


def test_output_with_nothing_connected() -> None:
    doc = build_chocolate()
    doc.disconnect("e5")
    problem = only(doc)
    assert (problem.node_id, problem.port) == ("n6", "in")
    assert problem.message == ("Scalar output 'happiness' has nothing connected; connect the "
                               "network's prediction to it.")


def test_layer_without_input() -> None:
    doc, ids = build_mlp()
    doc.disconnect(doc.incoming(ids["hidden"])[0].id)
    problem = only(doc)
    assert problem.node_id == ids["hidden"]
    assert problem.message == ("Dense 'Hidden' has no input connected; connect something to "
                               "its input.")


def test_cycle_is_reported_once_with_its_nodes() -> None:
    doc = build_chocolate()  # a cycle cannot be drawn; a corrupt file could contain one
    doc.edges["e9"] = Edge("e9", PortRef("n5", "out"), PortRef("n3", "in"), 1.0)
    cycle = [p for p in errors(doc) if "cycle" in p.message]
    assert len(cycle) == 1
    assert cycle[0].node_id == "n3"
    assert cycle[0].message == ("Neuron 'h' and Neuron 'g' form a cycle; a network must flow one "
                                "way, so remove one of these connections.")


def test_two_sources_into_a_single_input() -> None:
    doc = build_chocolate()
    doc.edges["e9"] = Edge("e9", PortRef("n3", "out"), PortRef("n6", "in"))
    problem = only(doc)
    assert (problem.node_id, problem.port) == ("n6", "in")
    assert problem.message == ("Scalar output 'happiness' has 2 connections into its input; it "
                               "takes exactly one.")


def test_two_tensors_into_a_dense() -> None:
    doc, ids = build_mlp()
    extra = doc.add_node("layer.input", params={"features": 4}, title="x2")
    doc.edges["e9"] = Edge("e9", PortRef(extra, "out"), PortRef(ids["hidden"], "in"))
    problem = only(doc)
    assert problem.message == ("Dense 'Hidden' has 2 connections into its input; it takes one "
                               "tensor or several scalars.")


def test_tensor_into_scalar_port() -> None:
    doc, ids = build_mlp(hidden=64)
    n = doc.add_node("neuron.output", title="y")
    doc.edges["e9"] = Edge("e9", PortRef(ids["hidden"], "out"), PortRef(n, "in"))
    problem = only(doc)
    assert problem.node_id == n
    assert problem.message == ("A scalar port cannot take a tensor (N×64): the input of Scalar "
                               "output 'y' takes single numbers; put a Split node in between.")


def test_dense_on_an_image_without_flatten() -> None:
    doc, ids = build_mlp()
    doc.set_param(ids["input"], "kind", "image")
    problem = only(doc)
    assert problem.node_id == ids["hidden"]
    assert problem.message == ("Dense 'Hidden' needs a vector (N×features) but gets N×1×8×8; put "
                               "a Flatten in between.")


def test_conv_on_a_vector() -> None:
    doc, ids = build_mlp(features=6)
    conv = doc.add_node("layer.conv2d", title="conv1")
    doc.connect(ids["input"], "out", conv, "in")
    problem = only(doc)
    assert problem.node_id == conv
    assert problem.message == ("Conv2D 'conv1' needs an image (N×C×H×W) but gets N×6; use an "
                               "Input of kind image (or Dense layers for vectors).")


def _image_into(type_id: str, params: dict, size: int = 5) -> tuple[Document, str]:  # type: ignore[type-arg]
    doc = Document()
    img = doc.add_node("layer.input", params={"kind": "image", "height": size, "width": size})
    node = doc.add_node(type_id, params=params, title="conv1" if "conv" in type_id else "pool")
    flat = doc.add_node("layer.flatten")
    out = doc.add_node("layer.output")
    doc.connect(img, "out", node, "in")
    doc.connect(node, "out", flat, "in")
    doc.connect(flat, "out", out, "in")
    return doc, node


def test_conv_arithmetic_is_spelled_out() -> None:
    doc, conv = _image_into("layer.conv2d", {"kernel_size": 7})
    messages = [p.message for p in errors(doc) if p.node_id == conv]
    assert messages == [
        "Conv2D 'conv1': output height (H−K+2P)/S+1 = (5−7+2·0)/1+1 = −1 is less than 1; use a "
        "smaller kernel or more padding.",
        "Conv2D 'conv1': output width (W−K+2P)/S+1 = (5−7+2·0)/1+1 = −1 is less than 1; use a "
        "smaller kernel or more padding.",
    ]


def test_conv_with_padding_fixes_it() -> None:
    doc, _ = _image_into("layer.conv2d", {"kernel_size": 7, "padding": 1})
    assert errors(doc) == []


def test_pool_arithmetic_with_stride_rounds_down() -> None:
    doc, _ = _image_into("layer.maxpool2d", {"kernel_size": 4, "stride": 3}, size=3)
    message = errors(doc)[0].message
    assert message == ("MaxPool2D 'pool': output height (H−K+2P)/S+1 = (3−4+2·0)/3+1 = 0 "
                       "(rounded down) is less than 1; use a smaller kernel or more padding.")


def test_pool_padding_more_than_half_the_kernel() -> None:
    doc, pool = _image_into("layer.avgpool2d", {"kernel_size": 2, "padding": 2}, size=8)
    problem = errors(doc)[0]
    assert problem.node_id == pool
    assert problem.message == ("AvgPool2D 'pool': padding 2 is more than half the kernel size 2; "
                               "use padding 1 or less.")


def _two_branches(type_id: str, first: tuple, second: tuple) -> tuple[Document, str]:  # type: ignore[type-arg]
    doc = Document()
    node = doc.add_node(type_id, title="join")
    for dims in (first, second):
        if len(dims) == 1:
            src = doc.add_node("layer.input", params={"features": dims[0]})
        else:
            src = doc.add_node("layer.input", params={"kind": "image", "channels": dims[0],
                                                      "height": dims[1], "width": dims[2]})
        doc.connect(src, "out", node, "in")
    flat = doc.add_node("layer.flatten")
    doc.connect(node, "out", flat, "in")
    doc.connect(flat, "out", doc.add_node("layer.output"), "in")
    return doc, node


def test_add_of_different_shapes() -> None:
    doc, node = _two_branches("layer.add", (64,), (32,))
    problem = only(doc)
    assert problem.node_id == node
    assert problem.message == "Add 'join' needs inputs of the same shape but gets N×64 and N×32."


def test_concatenate_of_mismatched_images() -> None:
    doc, _ = _two_branches("layer.concatenate", (8, 4, 4), (8, 5, 5))
    problem = only(doc)
    assert problem.message == ("Concatenate 'join' joins along the features (or channels), so its "
                               "inputs must agree in every other size, but it gets N×8×4×4 and "
                               "N×8×5×5.")


def test_split_size_against_vector_length() -> None:
    doc, ids = build_mlp(hidden=4)
    split = doc.add_node("layer.split", params={"size": 3}, title="s")
    doc.connect(ids["hidden"], "out", split, "in")
    y = doc.add_node("neuron.output")
    doc.connect(split, "out0", y, "in")
    problem = only(doc)
    assert problem.node_id == split
    assert problem.message == ("Split 's' has size 3 but its input is a vector of 4 (N×4); set its "
                               "size to 4.")


def test_output_on_an_image() -> None:
    doc = Document()
    img = doc.add_node("layer.input", params={"kind": "image", "channels": 2})
    out = doc.add_node("layer.output", title="pred")
    doc.connect(img, "out", out, "in")
    assert only(doc).message == ("Output 'pred' needs a vector (N×outputs) but gets N×2×8×8; put a "
                                 "Flatten (and a Dense layer) before it.")


def test_input_features_against_the_dataset() -> None:
    doc, ids = build_mlp(features=2)
    problem = only(doc, TABLE4_3CLASSES)
    assert (problem.node_id, problem.port) == (ids["input"], "out")
    assert problem.message == "Input 'x' gives 2 features but the dataset has 4; set features to 4."


def test_vector_input_on_image_data_and_back() -> None:
    doc, _ = build_mlp(features=784)
    images = DataSignature((1, 28, 28), "classification", 3)
    assert only(doc, images).message == (
        "Input 'x' is a vector of 784 features but the dataset has images 1×28×28; set its kind "
        "to image.")
    doc2, _ = _image_into("layer.conv2d", {"padding": 1}, size=8)
    messages = [p.message for p in errors(doc2, DataSignature((4,), "classification", 8))]
    assert "'Input 1' expects images 1×8×8 but the dataset has 4 features per sample (a table); " \
           "set its kind to vector." in messages
    assert [p.message for p in errors(doc2, DataSignature((3, 16, 16), "classification", 512))] \
        == ["'Input 1' expects images 1×8×8 but the dataset has images 3×16×16; set channels, "
            "height and width to 3, 16, 16."]


def test_input_feature_column_out_of_range() -> None:
    doc = build_chocolate()
    doc.set_param("n1", "column", 5)
    problem = only(doc, DataSignature((4,), "regression", 1))
    assert problem.node_id == "n1"
    assert problem.message == ("Input feature 'chocolate' reads column 5 but the dataset has only "
                               "4 feature columns (0–3).")
    assert only(doc, DataSignature((1, 8, 8), "regression", 1)).message == (
        "Input feature 'chocolate' reads one column, but this dataset has images 1×8×8; use an "
        "Input node of kind image.")


def test_cross_entropy_width_against_classes() -> None:
    doc, ids = build_mlp(classes=3)
    problem = only(doc, DataSignature((4,), "classification", 10))
    assert problem.node_id == ids["output"]
    assert problem.message == ("Output 'out' gets 3 outputs but the dataset has 10 classes; "
                               "cross_entropy needs one output per class.")


def test_mse_width_against_target_columns() -> None:
    doc, ids = build_mlp(classes=3)
    doc.set_param(ids["output"], "loss", "mse")
    assert only(doc, DataSignature((4,), "regression", 2)).message == (
        "Output 'out' gets 3 outputs but the dataset has 2 target columns; mse needs one output "
        "per target column.")
    doc.set_param(ids["output"], "loss", "binary_cross_entropy")
    assert only(doc, DataSignature((4,), "binary", 1)).message == (
        "Output 'out' gets 3 outputs but the dataset has 1 target column; binary_cross_entropy "
        "needs one output per target column.")


def test_cross_entropy_on_regression_data_and_mse_on_classes() -> None:
    doc, ids = build_mlp(classes=1)
    assert only(doc, DataSignature((4,), "regression", 1)).message == (
        "Output 'out' uses cross_entropy, but this dataset has real-valued targets (1 column); "
        "use mse.")
    doc.set_param(ids["output"], "loss", "mse")
    assert only(doc, DataSignature((4,), "classification", 1)).message == (
        "Output 'out' uses mse, but this dataset has class labels (1 class); use cross_entropy.")


def test_bce_on_regression_targets_is_a_warning() -> None:
    doc, ids = build_mlp(classes=1)
    doc.set_param(ids["output"], "loss", "bce_with_logits")
    problems = validate(doc, DataSignature((4,), "regression", 1))
    assert [(p.severity, p.message) for p in problems] == [(
        "warning", "Output 'out' uses bce_with_logits, which needs targets between 0 and 1, but "
        "this dataset has real-valued targets (1 column); use mse.")]


def test_scalar_output_target_column_and_classes() -> None:
    doc = build_chocolate()
    doc.set_param("n6", "target_column", 2)
    problem = only(doc, CHOC)
    assert (problem.node_id, problem.port) == ("n6", "in")
    assert problem.message == ("Scalar output 'happiness' predicts target column 2 but the "
                               "dataset has only 1 target column (0–0).")
    assert only(doc, DataSignature((1,), "classification", 4)).message == (
        "Scalar output 'happiness' predicts one number but this dataset has class labels "
        "(4 classes); use a layer Output with cross_entropy.")


def test_unreachable_nodes_are_warnings() -> None:
    doc = build_chocolate()
    stray = doc.add_node("neuron.neuron", title="stray")
    doc.connect("n2", "out", stray, "in")
    problems = validate(doc, CHOC)
    assert [(p.node_id, p.severity, p.message) for p in problems] == [(
        stray, "warning", "Neuron 'stray' does not lead to any Output, so it does not change the "
                          "prediction and is not trained.")]


def test_edge_from_a_port_that_no_longer_exists() -> None:
    doc, ids = build_mlp(hidden=4)
    split = doc.add_node("layer.split", params={"size": 4}, title="s")
    doc.connect(ids["hidden"], "out", split, "in")
    doc.nodes[split].params["size"] = 2  # as an old file might have it
    y = doc.add_node("neuron.output")
    doc.edges["e9"] = Edge("e9", PortRef(split, "out3"), PortRef(y, "in"))
    messages = [p.message for p in errors(doc)]
    assert "Split 's' has no output 'out3' any more; delete that connection." in messages
