"""Signals a lower module sends so a module beside it can act without importing it."""

from django.dispatch import Signal

# Sent by the actions app after an effectiveness check is answered (or corrected), inside its
# transaction. Arguments: outcome (registry.Outcome), by (the person), at (datetime or None).
outcome_recorded = Signal()
