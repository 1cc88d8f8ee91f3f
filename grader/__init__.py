"""Autograder for PyTorch loss-function exercises."""

__version__ = "0.1.0"
