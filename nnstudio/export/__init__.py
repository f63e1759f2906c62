"""nnstudio.export"""
