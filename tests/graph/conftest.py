"""Fixtures of the graph tests: small ready-made networks."""

from __future__ import annotations

import pytest
from test_document_builders import build_chocolate, build_mlp

from nnstudio.graph.model.document import Document


@pytest.fixture
def chocolate_doc() -> Document:
    return build_chocolate()


@pytest.fixture
def mlp_doc() -> tuple[Document, dict[str, str]]:
    return build_mlp()
