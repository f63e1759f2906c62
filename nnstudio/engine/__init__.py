"""nnstudio.engine: the NumPy math of NN Studio (imports only numpy and the stdlib).

Layers (``forward(x, training)``, ``backward(dy)``, ``params``/``grads``/``buffers``):
Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, Dropout, BatchNorm, Sequential and the
activations Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Swish, GELU.
Losses ``(prediction, target) -> (loss, grad)``: mse_loss, binary_cross_entropy,
binary_cross_entropy_with_logits, cross_entropy. Optimizers: SGD, Adam, RMSprop.
Penalties: L1, L2, ElasticNet. Initializers: ``initialize``. Gradient checks: ``gradcheck``.
Conventions follow PyTorch (NCHW, ``weight``/``bias``, dense weight (out, in)).
"""

from nnstudio.engine.activations import (
    ACTIVATIONS,
    GELU,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Swish,
    Tanh,
    make_activation,
    sigmoid,
)
from nnstudio.engine.base import Array, Layer
from nnstudio.engine.batchnorm import BatchNorm
from nnstudio.engine.conv import Conv2D
from nnstudio.engine.dense import Dense
from nnstudio.engine.dropout import Dropout
from nnstudio.engine.gradcheck import (
    gradcheck_layer,
    gradcheck_loss,
    numeric_gradient,
    relative_error,
)
from nnstudio.engine.init import INITIALIZERS, initialize
from nnstudio.engine.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
)
from nnstudio.engine.optimizers import (
    OPTIMIZERS,
    SGD,
    Adam,
    Optimizer,
    RMSprop,
    make_optimizer,
)
from nnstudio.engine.penalties import L1, L2, ElasticNet, Penalty, apply_penalty
from nnstudio.engine.pooling import AvgPool2D, MaxPool2D
from nnstudio.engine.reshape import Flatten
from nnstudio.engine.sequential import Sequential

LOSSES = {
    "mse": mse_loss,
    "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
}

__all__ = [
    "ACTIVATIONS",
    "GELU",
    "INITIALIZERS",
    "L1",
    "L2",
    "LOSSES",
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "Array",
    "AvgPool2D",
    "BatchNorm",
    "Conv2D",
    "Dense",
    "Dropout",
    "ElasticNet",
    "Flatten",
    "Identity",
    "Layer",
    "LeakyReLU",
    "MaxPool2D",
    "Optimizer",
    "Penalty",
    "RMSprop",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Swish",
    "Tanh",
    "apply_penalty",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "gradcheck_layer",
    "gradcheck_loss",
    "initialize",
    "make_activation",
    "make_optimizer",
    "mse_loss",
    "numeric_gradient",
    "relative_error",
    "sigmoid",
]
