"""Live pyqtgraph panels: persistent items updated with ``setData`` at most ~30 times a second."""
