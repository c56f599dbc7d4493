"""Fixtures for the command-line tests: local HTTP mirrors, for --download."""

from mirrors import serve

__all__ = ["serve"]
