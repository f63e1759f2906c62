"""Optimizers with PyTorch's update rules (``torch.optim`` defaults: no dampening, not
centered, no amsgrad). ``step(params, grads)`` updates the arrays of ``params`` in place.

With g = grad + weight_decay·p and t the per-parameter step count:

- SGD:     b ← g (first step) or momentum·b + g;  g ← g + momentum·b (Nesterov) or b;
           p ← p − lr·g
- Adam:    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;
           p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
- RMSprop: s ← α·s + (1 − α)·g²;  u = g / (√s + ε);
           b ← momentum·b + u, p ← p − lr·b  (momentum > 0)  or  p ← p − lr·u

Keys of ``params`` may be any hashable value built from str, int, float, bool, None and
tuples of those (e.g. ``(node_id, "weight")``). State is kept per key.

``state_dict()`` returns ``{"meta": <JSON-able dict>, "arrays": {str: ndarray}}``:
``meta["keys"]`` lists the encoded keys (tuples become lists), ``meta["steps"][i]`` is the
step count of key i, ``meta["settings"]`` the hyperparameters, and ``arrays["<i>/<slot>"]``
the state array ``slot`` (e.g. ``momentum_buffer``, ``exp_avg``) of key i. A project file
can store meta as JSON and arrays in an ``.npz``; ``load_state_dict`` restores both
(settings included, as PyTorch does).

Speed: every update works in place on the state arrays and one reused work array per
parameter (``_work``), so a step allocates nothing (a temporary per operation cost about
a sixth of an Adam step on an MLP). The rules are rearranged to need no second temporary,
e.g. m ← β1·m + (1 − β1)·g as m += (1 − β1)·(g − m) (what PyTorch's ``lerp_`` computes).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any, TypeVar

import numpy as np

from nnstudio.engine.base import Array

STATE_FORMAT = "nnstudio.optimizer/1"
Key = TypeVar("Key", bound=Hashable)


class Optimizer:
    """Shared bookkeeping: ``lr`` (schedules may change it), per-key state, state dicts."""

    name = "optimizer"

    def __init__(self, lr: float, weight_decay: float) -> None:
        if lr < 0:
            raise ValueError(f"The learning rate must not be negative, got {lr}.")
        if weight_decay < 0:
            raise ValueError(f"Weight decay must not be negative, got {weight_decay}.")
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.state: dict[Hashable, dict[str, Array]] = {}
        self.steps: dict[Hashable, int] = {}
        self._scratch: dict[Hashable, Array] = {}  # work arrays, not state (never saved)

    def settings(self) -> dict[str, Any]:
        """The hyperparameters, JSON-able."""
        raise NotImplementedError

    def _update(self, key: Hashable, p: Array, g: Array) -> None:
        raise NotImplementedError

    def _work(self, key: Hashable, p: Array) -> Array:
        """An uninitialised array like ``p``, the same one every step for ``key``."""
        work = self._scratch.get(key)
        if work is None or work.shape != p.shape or work.dtype != p.dtype:
            work = self._scratch[key] = np.empty_like(p)
        return work

    def step(self, params: Mapping[Key, Array], grads: Mapping[Key, Array]) -> None:
        """Update every array of ``params`` in place from ``grads`` (same keys)."""
        for key, p in params.items():
            g = grads.get(key)
            if g is None:
                raise ValueError(f"The optimizer got no gradient for parameter {key!r}.")
            if self.weight_decay:  # a new array: the caller's gradient stays untouched
                g = g + p.dtype.type(self.weight_decay) * p
            self.steps[key] = self.steps.get(key, 0) + 1
            self._update(key, p, g)

    def reset(self) -> None:
        """Forget all per-parameter state (momentum buffers, averages, step counts)."""
        self.state.clear()
        self.steps.clear()
        self._scratch.clear()

    def state_dict(self) -> dict[str, Any]:
        """``{"meta": JSON-able dict, "arrays": {"<i>/<slot>": ndarray}}`` (copies)."""
        keys = list(self.steps)
        arrays: dict[str, Array] = {}
        for i, key in enumerate(keys):
            for slot, value in self.state.get(key, {}).items():
                arrays[f"{i}/{slot}"] = value.copy()
        meta = {
            "format": STATE_FORMAT,
            "name": self.name,
            "settings": {"lr": self.lr, **self.settings()},
            "keys": [encode_key(k) for k in keys],
            "steps": [self.steps[k] for k in keys],
        }
        return {"meta": meta, "arrays": arrays}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` returned (possibly after a JSON + npz round trip)."""
        try:
            meta, arrays = state["meta"], state["arrays"]
            ok = meta["format"] == STATE_FORMAT
            name, keys, steps = meta["name"], meta["keys"], meta["steps"]
            settings = dict(meta["settings"])
        except (KeyError, TypeError) as exc:
            raise ValueError("This is not a complete optimizer state.") from exc
        if not ok or name != self.name:
            raise ValueError(f"This optimizer state belongs to {name!r}, not to {self.name!r}.")
        if len(keys) != len(steps):
            raise ValueError("The optimizer state lists a different number of keys and steps.")
        decoded = [decode_key(k) for k in keys]
        new_state: dict[Hashable, dict[str, Array]] = {k: {} for k in decoded}
        for label, value in arrays.items():
            index, _, slot = str(label).partition("/")
            if not index.isdigit() or int(index) >= len(decoded) or not slot:
                raise ValueError(f"The optimizer state has an unexpected array {label!r}.")
            new_state[decoded[int(index)]][slot] = np.array(value, copy=True)
        self.lr = float(settings.pop("lr"))
        self._apply_settings(settings)
        self.state = {k: v for k, v in new_state.items() if v}
        self.steps = {k: int(s) for k, s in zip(decoded, steps, strict=True)}

    def _apply_settings(self, settings: dict[str, Any]) -> None:
        for name, value in settings.items():
            if not hasattr(self, name):
                raise ValueError(f"The optimizer state has an unknown setting {name!r}.")
            setattr(self, name, type(getattr(self, name))(value))


def encode_key(key: Hashable) -> Any:
    """A JSON-able form of a parameter key (tuples become lists)."""
    if isinstance(key, tuple):
        return [encode_key(k) for k in key]
    if key is None or isinstance(key, str | int | float | bool):
        return key
    raise TypeError(f"Parameter key {key!r} cannot be stored; use str, int or tuples of them.")


def decode_key(value: Any) -> Hashable:
    """Inverse of ``encode_key`` (lists become tuples)."""
    if isinstance(value, list):
        return tuple(decode_key(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"The optimizer state has an invalid parameter key {value!r}.")


class SGD(Optimizer):
    """Gradient descent (batch, stochastic or mini-batch), with optional (Nesterov) momentum."""

    name = "sgd"

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay)
        if momentum < 0:
            raise ValueError(f"Momentum must not be negative, got {momentum}.")
        if nesterov and momentum <= 0:
            raise ValueError("Nesterov momentum needs a momentum above zero.")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def settings(self) -> dict[str, Any]:
        return {
            "momentum": self.momentum,
            "nesterov": self.nesterov,
            "weight_decay": self.weight_decay,
        }

    def _update(self, key: Hashable, p: Array, g: Array) -> None:
        work = self._work(key, p)
        if self.momentum:
            mu = p.dtype.type(self.momentum)
            slots = self.state.get(key)
            if slots is None:
                buf = g.copy()
                self.state[key] = {"momentum_buffer": buf}
            else:
                buf = slots["momentum_buffer"]
                buf *= mu
                buf += g
            if self.nesterov:  # g + mu·buf
                np.multiply(buf, mu, out=work)
                work += g
                g = work
            else:
                g = buf
        np.multiply(g, p.dtype.type(self.lr), out=work)
        p -= work


class Adam(Optimizer):
    """Adam (Kingma & Ba 2014) with bias correction, as ``torch.optim.Adam``."""

    name = "adam"

    def __init__(
        self,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay)
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"Adam's betas must lie in [0, 1), got {betas}.")
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)

    def settings(self) -> dict[str, Any]:
        return {"betas": list(self.betas), "eps": self.eps, "weight_decay": self.weight_decay}

    def _apply_settings(self, settings: dict[str, Any]) -> None:
        betas = settings.pop("betas", self.betas)
        self.betas = (float(betas[0]), float(betas[1]))
        super()._apply_settings(settings)

    def _update(self, key: Hashable, p: Array, g: Array) -> None:
        slots = self.state.get(key)
        if slots is None:
            slots = {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
            self.state[key] = slots
        m, v = slots["exp_avg"], slots["exp_avg_sq"]
        work = self._work(key, p)
        b1, b2 = self.betas
        t = self.steps[key]
        dt = p.dtype.type
        np.subtract(g, m, out=work)  # m += (1 − β1)(g − m)
        work *= dt(1 - b1)
        m += work
        np.multiply(g, g, out=work)  # v += (1 − β2)(g² − v)
        work -= v
        work *= dt(1 - b2)
        v += work
        # lr/(1 − β1ᵗ) · m / (√v/c + ε) with c = √(1 − β2ᵗ) is (lr·c/(1 − β1ᵗ)) · m / (√v + ε·c):
        # one pass fewer than dividing √v by c.
        c = math.sqrt(1 - b2**t)
        np.sqrt(v, out=work)
        work += dt(self.eps * c)
        np.divide(m, work, out=work)
        work *= dt(self.lr * c / (1 - b1**t))
        p -= work


class RMSprop(Optimizer):
    """RMSprop (Hinton), as ``torch.optim.RMSprop`` (not centered)."""

    name = "rmsprop"

    def __init__(
        self,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay)
        if not 0 <= alpha <= 1:
            raise ValueError(f"RMSprop's alpha must lie in [0, 1], got {alpha}.")
        if momentum < 0:
            raise ValueError(f"Momentum must not be negative, got {momentum}.")
        self.alpha = float(alpha)
        self.eps = float(eps)
        self.momentum = float(momentum)

    def settings(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "eps": self.eps,
            "momentum": self.momentum,
            "weight_decay": self.weight_decay,
        }

    def _update(self, key: Hashable, p: Array, g: Array) -> None:
        slots = self.state.get(key)
        if slots is None:
            slots = {"square_avg": np.zeros_like(p)}
            if self.momentum:
                slots["momentum_buffer"] = np.zeros_like(p)
            self.state[key] = slots
        dt = p.dtype.type
        s = slots["square_avg"]
        work = self._work(key, p)
        np.multiply(g, g, out=work)  # s += (1 − α)(g² − s)
        work -= s
        work *= dt(1 - self.alpha)
        s += work
        np.sqrt(s, out=work)  # u = g / (√s + ε)
        work += dt(self.eps)
        np.divide(g, work, out=work)
        if self.momentum:
            buf = slots["momentum_buffer"]
            buf *= dt(self.momentum)
            buf += work
            np.multiply(buf, dt(self.lr), out=work)
        else:
            work *= dt(self.lr)
        p -= work


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def make_optimizer(name: str, **settings: Any) -> Optimizer:
    """Build the optimizer ``name`` ("sgd", "adam" or "rmsprop") with keyword settings."""
    cls = OPTIMIZERS.get(name.lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer {name!r}; choose one of sgd, adam, rmsprop.")
    try:
        return cls(**settings)
    except TypeError as exc:
        raise ValueError(f"Invalid settings for optimizer {name!r}: {exc}.") from exc
