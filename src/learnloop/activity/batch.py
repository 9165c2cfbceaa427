"""A batch of writes in one transaction (a Markdown import of thousands of entries): while it
runs, listeners to the activity stream may read once what they would otherwise read for every
event, such as the integrations' webhook subscriptions.

What is read once is what this transaction sees when the batch first needs it; a subscription
made elsewhere while a long import runs is treated as made after the import (as if the import
had committed a moment earlier)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("learnloop_activity_batch", default=None)


@contextmanager
def writing_in_batch() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def batch_memo() -> dict | None:
    """The running batch's memo (listeners keep what they read there), or None outside one."""
    return _memo.get()
