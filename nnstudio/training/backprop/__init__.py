"""The step-through backprop view's Qt-free parts: the traced batch and the chain-rule texts."""
