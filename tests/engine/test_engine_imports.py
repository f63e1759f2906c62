"""``nnstudio.engine`` imports nothing but numpy and the standard library."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import sys
before = set(sys.modules)  # whatever the interpreter loaded at startup (site hooks)
import nnstudio.engine
names = sorted(n.split(".")[0] for n in set(sys.modules) - before)
stdlib = sys.stdlib_module_names
bad = sorted({n for n in names if n not in stdlib and n not in ("numpy", "nnstudio")
              and not n.startswith("_")})
print(",".join(bad))
loaded = sorted(n for n in sys.modules if n.startswith("nnstudio.") and
                not n.startswith("nnstudio.engine"))
print(",".join(loaded))
"""


def test_engine_imports_only_numpy_and_the_stdlib() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    third_party, other_nnstudio = [*result.stdout.splitlines(), "", ""][:2]
    assert third_party == "", f"nnstudio.engine pulled in: {third_party}"
    assert other_nnstudio == "", f"nnstudio.engine pulled in: {other_nnstudio}"


def test_engine_exports_the_issue_api() -> None:
    import nnstudio.engine as engine

    for name in [
        "Dense",
        "Conv2D",
        "MaxPool2D",
        "AvgPool2D",
        "Flatten",
        "Dropout",
        "BatchNorm",
        "Identity",
        "Sigmoid",
        "Tanh",
        "ReLU",
        "LeakyReLU",
        "Softmax",
        "Swish",
        "GELU",
        "ACTIVATIONS",
        "make_activation",
        "mse_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "cross_entropy",
        "SGD",
        "Adam",
        "RMSprop",
        "make_optimizer",
        "Penalty",
        "L1",
        "L2",
        "ElasticNet",
        "apply_penalty",
        "initialize",
        "numeric_gradient",
        "relative_error",
        "gradcheck_layer",
        "gradcheck_loss",
        "Layer",
    ]:
        assert hasattr(engine, name), name
        assert name in engine.__all__, name
