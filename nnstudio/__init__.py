"""NN Studio: build, train and understand neural networks visually.

Layers of the package (dependencies point down only):

- ``nnstudio.ui``        all Qt code (PySide6, pyqtgraph)
- ``nnstudio.cli``       the command line (no Qt unless the GUI is asked for)
- ``nnstudio.export``    PyTorch code and ONNX from a compiled graph
- ``nnstudio.training``  trainer, datasets, metrics
- ``nnstudio.graph``     the document, validation, shapes, compiler, project files
- ``nnstudio.engine``    NumPy layers, activations, losses, optimizers, gradcheck
"""

__version__ = "0.1.0"
