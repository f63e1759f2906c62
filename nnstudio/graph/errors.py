"""The one error type of the graph package."""

from __future__ import annotations


class GraphError(Exception):
    """A change to the network was refused; ``str(error)`` is one sentence for a person."""
