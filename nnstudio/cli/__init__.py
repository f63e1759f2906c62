"""nnstudio.cli"""
