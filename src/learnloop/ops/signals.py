"""Signals the operations layer sends, so it reacts to the apps without importing them."""

from django.dispatch import Signal

# Sent after the whole database was replaced at once (a restore, a fresh demo organization), with
# `announce(step)` for progress lines. Each app rebuilds what it derives from the data (the
# knowledge app: its search index) and may return one line for the operator, or None.
data_replaced = Signal()


def announce_data_replaced(sender, *, announce=lambda step: None) -> list[str]:
    """Send data_replaced; the lines the receivers returned, in the order they ran."""
    return [line for _, line in data_replaced.send(sender=sender, announce=announce) if line]
