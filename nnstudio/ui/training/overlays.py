"""What a run shows on the canvas: edge colours by weight or gradient, and each hidden
neuron's output map inside its node. Cleared when another project opens (node ids repeat
across projects, so old numbers would land on the new network's edges)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QAction

from nnstudio.training.records import Snapshot
from nnstudio.ui.canvas import CanvasScene
from nnstudio.ui.session import Session


def unit_scaled(a: np.ndarray) -> np.ndarray:
    """Scale a neuron map into [-1, 1] (by its largest finite magnitude; ±inf become ±1 and
    NaN 0, as huge weights from a file can make them)."""
    a = np.asarray(a, dtype=np.float64)
    a = np.where(np.isnan(a), 0.0, a)
    finite = np.abs(a[np.isfinite(a)])
    top = float(finite.max()) if finite.size else 0.0
    if top == 0.0:
        return np.sign(a).astype(np.float32)
    return np.clip(a / top, -1.0, 1.0).astype(np.float32)


def norm(a: np.ndarray) -> float:
    """‖a‖₂ in float64 (float32's square of 1e20 would already overflow)."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64).ravel()))


class CanvasOverlays:
    """The canvas overlays of the training feature; ``show`` draws a snapshot."""

    def __init__(self, scene: CanvasScene, session: Session, gradients: QAction,
                 neuron_maps: QAction) -> None:
        self.scene = scene
        self.session = session
        self.gradients = gradients
        self.neuron_maps = neuron_maps

    def show(self, snap: Snapshot) -> None:
        scene, doc = self.scene, self.session.project.graph
        gradients = self.gradients.isChecked()
        per_node = {n: norm(a) for n, a in
                    (snap.grads if gradients else snap.weights).items()}
        values: dict[str, float] = {}
        for edge in doc.edges.values():  # a layer edge shows the norm of the layer it feeds
            target = edge.target.node_id
            if target in per_node and target in doc.nodes \
                    and doc.nodes[target].type_id != "neuron.neuron":
                values[edge.source.node_id] = per_node[target]
        if gradients:
            values.update({k: abs(v) for k, v in snap.edge_grads.items()})
            scene.set_edge_overlay("gradients", values)
        else:
            values.update(snap.edge_weights)
            scene.set_edge_overlay("weights", values)
        self.show_maps(snap)

    def show_maps(self, snap: Snapshot) -> None:
        if self.neuron_maps.isChecked() and snap.neuron_maps:
            self.scene.set_node_thumbnails({k: unit_scaled(v)
                                            for k, v in snap.neuron_maps.items()})

    def switched(self) -> None:
        """An overlay switch was flipped: drop what it no longer wants shown."""
        if not self.neuron_maps.isChecked():
            self.scene.set_node_thumbnails(None)
        if not self.gradients.isChecked():
            self.scene.set_edge_overlay("weights", None)

    def clear(self) -> None:
        """Nothing of an earlier run or project stays on the canvas."""
        self.scene.set_edge_overlay("gradients" if self.gradients.isChecked() else "weights",
                                    None)
        self.scene.set_node_thumbnails(None)
