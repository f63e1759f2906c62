"""The node canvas: a QGraphicsScene mirroring a Document, and its view."""

from nnstudio.ui.canvas.scene import CanvasScene
from nnstudio.ui.canvas.view import NODE_TYPE_MIME, CanvasView

__all__ = ["NODE_TYPE_MIME", "CanvasScene", "CanvasView"]
