"""A batch of writes in one transaction (a Markdown import of thousands of entries): while it
runs, listeners to the activity stream may read once what they would otherwise read for every
event, such as the integrations' webhook subscriptions, and defer work they would otherwise do
for every change to the batch's end (`at_batch_end`), such as the PostgreSQL search index's
term statistics.

What is read once is what this transaction sees when the batch first needs it; a subscription
made elsewhere while a long import runs is treated as made after the import (as if the import
had committed a moment earlier).

Enter the batch inside the transaction that holds its writes (`with transaction.atomic(),
writing_in_batch():`): the end-of-batch work runs when the batch's block ends without an
exception, so it is written in that same transaction; when the block raises (a dry run, a
refused file), it does not run, and the transaction rolls back what the batch wrote."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("learnloop_activity_batch", default=None)
_AT_END = "learnloop.activity.batch:at_end"


@contextmanager
def writing_in_batch() -> Iterator[None]:
    memo: dict = {}
    token = _memo.set(memo)
    try:
        yield
        # Work deferred to the end may defer more (a finisher that changes entries): run until
        # nothing is left, each finisher once per round, in the order they were first asked for.
        while finishers := memo.pop(_AT_END, None):
            for finish in finishers.values():
                finish()
    finally:
        _memo.reset(token)


def batch_memo() -> dict | None:
    """The running batch's memo (listeners keep what they read there), or None outside one."""
    return _memo.get()


def at_batch_end(key: str, finish: Callable[[], None]) -> bool:
    """Run `finish` once at the end of the running batch (registered once per `key`). Returns
    False outside a batch: the caller does its work now."""
    memo = _memo.get()
    if memo is None:
        return False
    memo.setdefault(_AT_END, {}).setdefault(key, finish)
    return True


def gather_until_batch_end(key: str, item, finish: Callable[[list], None]) -> bool:
    """In a batch, keep `item` (once) under `key` and call `finish` with everything kept there,
    sorted, once at the batch's end. Returns False outside a batch: the caller acts on the item
    now (`finish([item])`, say)."""
    memo = _memo.get()
    if memo is None:
        return False
    items = memo.get(key)
    if items is None:
        items = memo[key] = set()
        at_batch_end(key, lambda: finish(sorted(memo.pop(key))))
    items.add(item)
    return True
