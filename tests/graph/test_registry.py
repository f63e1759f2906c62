"""The node-type registry: ids, ports, settings and their coercion."""

from __future__ import annotations

import pytest

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.registry import CATEGORIES, NODE_TYPES, node_type

EXPECTED_IDS = {
    "neuron.neuron", "neuron.bias", "neuron.input_feature", "neuron.output", "layer.input",
    "layer.output", "layer.dense", "layer.conv2d", "layer.maxpool2d", "layer.avgpool2d",
    "layer.flatten", "layer.dropout", "layer.batchnorm", "layer.softmax", "layer.add",
    "layer.concatenate", "layer.stack", "layer.split", "activation",
}


def test_every_type_of_the_api_is_registered_once() -> None:
    assert set(NODE_TYPES) == EXPECTED_IDS


@pytest.mark.parametrize("type_id", sorted(EXPECTED_IDS))
def test_type_has_version_category_and_one_line_description(type_id: str) -> None:
    kind = NODE_TYPES[type_id]
    assert kind.version >= 1
    assert kind.category in CATEGORIES
    assert kind.description.endswith(".") and "\n" not in kind.description
    assert 20 < len(kind.description) < 200
    defaults = kind.default_params()
    assert kind.clean_params(defaults) == defaults
    if kind.main_param is not None:
        assert kind.main_param in defaults


def test_palette_order_follows_categories() -> None:
    order = [CATEGORIES.index(t.category) for t in NODE_TYPES.values()]
    assert order == sorted(order)


def test_bias_description_ties_to_the_lecture() -> None:
    assert "+1" in node_type("neuron.bias").description
    assert "up or down" in node_type("neuron.bias").description


def test_weights_and_main_params_as_specified() -> None:
    assert {t for t, k in NODE_TYPES.items() if k.has_weights} == {
        "neuron.neuron", "layer.dense", "layer.conv2d", "layer.batchnorm"}
    mains = {t: k.main_param for t, k in NODE_TYPES.items()}
    assert mains["layer.dense"] == "units"
    assert mains["layer.conv2d"] == "out_channels"
    assert mains["layer.maxpool2d"] == mains["layer.avgpool2d"] == "kernel_size"
    assert mains["layer.dropout"] == "p"
    assert mains["layer.input"] == "features"
    assert mains["layer.split"] == "size"
    assert mains["neuron.input_feature"] == "column"
    assert mains["layer.output"] == mains["neuron.output"] == "loss"
    assert mains["activation"] == "function"
    assert mains["neuron.neuron"] is None and mains["neuron.bias"] is None


def test_ports_of_the_main_types() -> None:
    neuron = node_type("neuron.neuron")
    (port,) = neuron.input_ports({})
    assert (port.name, port.kind, port.multiple) == ("in", "scalar", True)
    assert node_type("neuron.bias").input_ports({}) == ()
    (out_in,) = node_type("layer.output").input_ports({})
    assert (out_in.kind, out_in.multiple) == ("tensor", False)
    assert node_type("layer.output").output_ports({}) == ()
    assert node_type("activation").input_ports({})[0].kind == "any"
    assert node_type("layer.add").input_ports({})[0].multiple


def test_split_outputs_follow_size() -> None:
    split = node_type("layer.split")
    ports = split.output_ports({"size": 3})
    assert [p.name for p in ports] == ["out0", "out1", "out2"]
    assert all(p.kind == "scalar" for p in ports)
    assert len(split.output_ports(split.default_params())) == 2


def test_defaults_match_the_api() -> None:
    assert node_type("layer.dense").default_params()["initializer"] == "he_uniform"
    assert node_type("neuron.neuron").default_params()["initializer"] == "xavier_uniform"
    assert node_type("layer.output").default_params()["loss"] == "cross_entropy"
    assert node_type("layer.maxpool2d").default_params()["stride"] == 0
    assert node_type("activation").default_params() == {"function": "relu",
                                                        "negative_slope": 0.01}


def test_unknown_type_is_a_sentence() -> None:
    with pytest.raises(GraphError, match=r"^Unknown node type 'layer\.lstm'\.$"):
        node_type("layer.lstm")


def test_coerce_int() -> None:
    units = node_type("layer.dense").param("units")
    assert units.coerce("12") == 12
    assert units.coerce(12.0) == 12
    for bad in ("abc", 1.5, True, None, float("nan")):
        with pytest.raises(GraphError, match="Units must be a whole number"):
            units.coerce(bad)
    with pytest.raises(GraphError, match="Units must be at least 1; got 0"):
        units.coerce(0)


def test_coerce_float_bool_choice() -> None:
    p = node_type("layer.dropout").param("p")
    assert p.coerce("0.25") == 0.25
    with pytest.raises(GraphError, match=r"at most 0\.99"):
        p.coerce(1.0)
    with pytest.raises(GraphError, match="finite"):
        p.coerce(float("inf"))
    use_bias = node_type("layer.dense").param("use_bias")
    assert use_bias.coerce("false") is False and use_bias.coerce(1) is True
    with pytest.raises(GraphError, match="on or off"):
        use_bias.coerce("maybe")
    loss = node_type("layer.output").param("loss")
    assert loss.coerce("mse") == "mse"
    with pytest.raises(GraphError, match=r"^Loss must be one of mse"):
        loss.coerce("hinge")


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(GraphError, match="A Dense node has no setting 'filters'"):
        node_type("layer.dense").clean_params({"filters": 3})
