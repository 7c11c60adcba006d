"""Tocsin: early warning and prevention of atrocity crimes."""

__version__ = "0.1.0"
