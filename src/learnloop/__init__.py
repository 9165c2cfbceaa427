"""Learnloop: the place where an organization's learning loop closes."""

from learnloop import numeric_threads

__version__ = "0.1.0"

# Before anything loads numpy: see numeric_threads for why.
numeric_threads.limit()
