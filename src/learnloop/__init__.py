"""Learnloop: the place where an organization's learning loop closes."""

__version__ = "0.1.0"
