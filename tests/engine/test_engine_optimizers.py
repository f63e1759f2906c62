"""Optimizers on a simple quadratic, their first steps by hand, and state round trips."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from nnstudio.engine import SGD, Adam, Optimizer, RMSprop, make_optimizer

# f(w) = ½ Σ a_i (w_i − c_i)², gradient a ⊙ (w − c), minimum at c
A = np.array([1.0, 4.0, 0.5])
C = np.array([1.0, -2.0, 3.0])


def _minimise(opt: Optimizer, steps: int) -> np.ndarray:
    params = {("node", "weight"): np.zeros(3)}
    for _ in range(steps):
        w = params[("node", "weight")]
        opt.step(params, {("node", "weight"): A * (w - C)})
    return params[("node", "weight")]


@pytest.mark.parametrize(
    "opt",
    [
        SGD(0.3),
        SGD(0.1, momentum=0.9),
        SGD(0.1, momentum=0.9, nesterov=True),
        Adam(0.1),
        RMSprop(0.01),
        RMSprop(0.01, momentum=0.5),
    ],
    ids=["sgd", "momentum", "nesterov", "adam", "rmsprop", "rmsprop-momentum"],
)
def test_optimizers_converge_on_a_quadratic(opt: Optimizer) -> None:
    w = _minimise(opt, 500)
    np.testing.assert_allclose(w, C, atol=2e-2)


def test_momentum_is_faster_than_plain_sgd_on_an_ill_conditioned_quadratic() -> None:
    plain = np.abs(_minimise(SGD(0.05), 100) - C).max()
    heavy = np.abs(_minimise(SGD(0.05, momentum=0.9), 100) - C).max()
    assert heavy < plain / 10


def test_weight_decay_pulls_the_minimum_towards_zero() -> None:
    # minimum of ½a(w − c)² + ½λw² is a·c / (a + λ)
    w = _minimise(SGD(0.1, weight_decay=1.0), 2000)
    np.testing.assert_allclose(w, A * C / (A + 1.0), rtol=1e-6)


def test_first_steps_by_hand() -> None:
    g = np.array([2.0, -0.5])
    p = {"w": np.array([1.0, 1.0])}
    SGD(0.1).step(p, {"w": g})
    np.testing.assert_allclose(p["w"], [0.8, 1.05])

    p = {"w": np.array([1.0, 1.0])}
    sgd = SGD(0.1, momentum=0.9, nesterov=True)
    sgd.step(p, {"w": g})  # buffer = g, update g + 0.9·g
    np.testing.assert_allclose(p["w"], 1 - 0.1 * 1.9 * g)
    sgd.step(p, {"w": g})  # buffer = 1.9 g, update g + 0.9·1.9 g
    np.testing.assert_allclose(p["w"], 1 - 0.1 * 1.9 * g - 0.1 * 2.71 * g)

    p = {"w": np.array([1.0, 1.0])}
    Adam(0.01).step(p, {"w": g})  # first Adam step moves each weight by about lr
    np.testing.assert_allclose(p["w"], 1 - 0.01 * np.sign(g), rtol=1e-6)

    p = {"w": np.array([1.0, 1.0])}
    RMSprop(0.01, alpha=0.99).step(p, {"w": g})
    np.testing.assert_allclose(p["w"], 1 - 0.01 * g / (np.sqrt(0.01 * g * g) + 1e-8))


def test_step_updates_in_place_keeps_dtype_and_does_not_touch_grads() -> None:
    w = np.ones(4, dtype=np.float32)
    g = np.full(4, 0.5, dtype=np.float32)
    params = {("n", 1): w}
    for opt in (
        SGD(0.1, momentum=0.9, weight_decay=0.1),
        Adam(0.1, weight_decay=0.1),
        RMSprop(0.1, momentum=0.9, weight_decay=0.1),
    ):
        opt.step(params, {("n", 1): g})
        assert params[("n", 1)] is w and w.dtype == np.float32
        np.testing.assert_array_equal(g, 0.5)


def test_state_is_per_key_and_lr_can_be_changed() -> None:
    opt = SGD(0.1, momentum=0.9)
    a, b = np.zeros(2), np.zeros(2)
    opt.step({"a": a, "b": b}, {"a": np.ones(2), "b": -np.ones(2)})
    opt.lr = 0.0
    opt.step({"a": a}, {"a": np.ones(2)})
    np.testing.assert_allclose(a, -0.1)
    np.testing.assert_allclose(b, 0.1)
    np.testing.assert_allclose(opt.state["a"]["momentum_buffer"], 1.9)
    np.testing.assert_allclose(opt.state["b"]["momentum_buffer"], -1.0)


def test_missing_gradient_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no gradient"):
        SGD(0.1).step({"w": np.zeros(2)}, {})


@pytest.mark.parametrize(
    "make",
    [
        lambda: SGD(0.05, momentum=0.8, nesterov=True),
        lambda: Adam(0.05),
        lambda: RMSprop(0.01, momentum=0.3, weight_decay=0.01),
    ],
    ids=["sgd", "adam", "rmsprop"],
)
def test_state_round_trip_through_json_and_npz_continues_identically(make) -> None:  # type: ignore[no-untyped-def]
    keys = [("dense-1", "weight"), ("dense-1", "bias"), 7]
    rng = np.random.default_rng(0)
    params = {k: rng.standard_normal(3) for k in keys}
    opt = make()
    for _ in range(3):
        opt.step(params, {k: A * (v - C) for k, v in params.items()})
    state = opt.state_dict()
    meta_text = json.dumps(state["meta"])
    buffer = io.BytesIO()
    np.savez(buffer, **state["arrays"])
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}

    restored = make()
    restored.lr = 123.0  # settings come back from the state
    restored.load_state_dict({"meta": json.loads(meta_text), "arrays": arrays})
    twin = {k: v.copy() for k, v in params.items()}
    for _ in range(3):
        opt.step(params, {k: A * (v - C) for k, v in params.items()})
        restored.step(twin, {k: A * (v - C) for k, v in twin.items()})
    for k in keys:
        np.testing.assert_array_equal(params[k], twin[k])


def test_state_dict_rejects_other_optimizers_and_garbage() -> None:
    sgd = SGD(0.1, momentum=0.9)
    sgd.step({"w": np.zeros(1)}, {"w": np.ones(1)})
    with pytest.raises(ValueError, match="belongs to 'sgd'"):
        Adam().load_state_dict(sgd.state_dict())
    with pytest.raises(ValueError, match="not a complete optimizer state"):
        Adam().load_state_dict({"meta": {}})


def test_make_optimizer() -> None:
    opt = make_optimizer("Adam", lr=0.01, betas=(0.8, 0.9))
    assert isinstance(opt, Adam) and opt.lr == 0.01 and opt.betas == (0.8, 0.9)
    assert isinstance(make_optimizer("sgd", lr=0.1, momentum=0.9), SGD)
    assert isinstance(make_optimizer("rmsprop"), RMSprop)
    with pytest.raises(ValueError, match="Unknown optimizer"):
        make_optimizer("lbfgs")
    with pytest.raises(ValueError, match="Invalid settings"):
        make_optimizer("sgd", lr=0.1, beta=3)
    with pytest.raises(ValueError, match="Nesterov"):
        SGD(0.1, nesterov=True)
