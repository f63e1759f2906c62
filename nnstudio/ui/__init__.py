"""nnstudio.ui"""
