"""Change notifications of a Project beyond its document (plain Python, no Qt).

Document events (``nnstudio.graph.model.events``) still come from ``project.graph``; these
say which other part changed. Subscribers may read the project: it is changed already.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldChanged:
    """A project field changed (``name`` as in ``project_edits.FIELDS``)."""

    name: str


@dataclass(frozen=True)
class RunAdded:
    run_id: str


@dataclass(frozen=True)
class RunRemoved:
    run_id: str


@dataclass(frozen=True)
class RunChanged:
    run_id: str


ProjectEvent = FieldChanged | RunAdded | RunRemoved | RunChanged
