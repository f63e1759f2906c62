"""Live training in the window: worker thread, controller, settings panel, plots, install."""
