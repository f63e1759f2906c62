"""A chain of layers run one after another (useful for tests, benchmarks and scripts)."""

from __future__ import annotations

from collections.abc import Sequence

from nnstudio.engine.base import Array, Layer


class Sequential(Layer):
    """y = layers[-1](… layers[0](x)); backward runs the chain rule in reverse.

    ``params``/``grads``/``buffers`` are keyed ``"<index>.<name>"`` and hold the layers'
    own arrays (not copies); layers update them in place, so they stay in sync.
    """

    def __init__(self, layers: Sequence[Layer]) -> None:
        super().__init__()
        self.layers = list(layers)
        self.collect()

    def collect(self) -> None:
        """(Re)build ``params``/``grads``/``buffers`` from the layers' current arrays."""
        self.params.clear()
        self.grads.clear()
        self.buffers.clear()
        for i, layer in enumerate(self.layers):
            for name in layer.params:
                self.params[f"{i}.{name}"] = layer.params[name]
                self.grads[f"{i}.{name}"] = layer.grads[name]
            for name, value in layer.buffers.items():
                self.buffers[f"{i}.{name}"] = value

    def forward(self, x: Array, training: bool = True) -> Array:
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, dy: Array) -> Array:
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}])"
