"""Fixtures for the data tests: local HTTP mirrors serving a directory, for download tests."""

from mirrors import serve

__all__ = ["serve"]
