"""nnstudio.training"""
