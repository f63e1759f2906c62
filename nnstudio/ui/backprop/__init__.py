"""Step-through backpropagation on the canvas and the "check gradients" button.

``install_backprop_ui(window)`` adds the "Backprop, step by step" dock to a MainWindow.
"""

from nnstudio.ui.backprop.controller import BackpropUi, install_backprop_ui

__all__ = ["BackpropUi", "install_backprop_ui"]
