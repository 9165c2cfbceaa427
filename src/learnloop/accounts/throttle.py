"""Sign-in limits that slow guessing down without letting anyone lock a real user out.

Three counters are charged for every password attempt, in one row-locked transaction and
*before* the password hash is checked, so N parallel guesses can never check more than the
limit (the old limit counted audit rows after the fact and let 20 of 30 parallel guesses in):

- ``pair``: this account from this client address. After LOGIN_FAILURE_LIMIT_PER_ACCOUNT
  failures, every further attempt waits a delay that doubles (LOGIN_DELAY_SECONDS, 2×, …, up
  to LOGIN_DELAY_MAX_SECONDS). Someone guessing from elsewhere never touches the real user's
  own counter, so they can't lock the real user out.
- ``account``: this account from anywhere, with the looser LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL,
  against guessing spread over many addresses.
- ``address``: this client address across accounts, LOGIN_FAILURE_LIMIT_PER_ADDRESS, against
  trying one password on many accounts (spraying).

A browser that has completed a sign-in to an account carries a signed "known device" cookie
with a random device id; for that account it is charged only to its own ``pair`` counter, keyed
by the device instead of the address, so nothing anyone else does — from any address, behind
the same NAT, or with the account-wide limit exhausted — can hold a real user up in their usual
browser. Refused attempts are not charged, so waiting always ends; a success clears the
account's counters. Every delay is capped, and the right password works once it has passed.

While the database can't be written (full disk, read-only data: docs/operations.md, "Degraded,
not down") the counters are kept in this process's memory instead, with the same limits, and
delays already stored in the database still hold. Signing in keeps working and guessing stays
slowed down; what is lost is sharing the counts between server processes until storage is back.
"""

import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from learnloop.accounts.models import LoginCounter
from learnloop.ops import storage

KNOWN_DEVICE_COOKIE = "learnloop_known_device"
_KNOWN_DEVICE_SALT = "learnloop.accounts.known-device"
_KNOWN_DEVICE_MAX_ACCOUNTS = 5  # a shared browser remembers a few accounts, not a directory
_PURGE_EVERY_SECONDS = 60
_last_purge = 0.0


class TooManyAttempts(Exception):
    def __init__(self, wait_seconds: int):
        super().__init__(f"Try again in {wait_seconds} seconds.")
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Limit:
    scope: str
    key: str
    limit: int


@dataclass
class Triggered:
    scope: str
    failures: int
    delay_seconds: int


@dataclass
class Attempt:
    """An admitted, already charged attempt; call succeeded() or failed() once the hash said."""

    limits: list[Limit]
    triggered: list[Triggered] = field(default_factory=list)
    in_memory: bool = False

    def succeeded(self) -> None:
        # The password was right: this attempt was no failure. The account's own counters start
        # over; the address counter only gets this attempt back, so signing in to one's own
        # account doesn't reset a sprayer's budget.
        self.triggered = []
        _memory.succeeded(self.limits)
        if self.in_memory:
            return
        try:
            self._succeeded_in_database()
        except DatabaseError as error:
            if storage.note_failure(error) is None:
                raise

    def _succeeded_in_database(self) -> None:
        with transaction.atomic():
            for limit in self.limits:
                counters = LoginCounter.objects.filter(scope=limit.scope, key=limit.key)
                if limit.scope == "address":
                    counter = counters.select_for_update().first()
                    if counter is not None:
                        counter.failures = max(counter.failures - 1, 0)
                        counter.blocked_until = None
                        counter.save(update_fields=["failures", "blocked_until"])
                else:
                    counters.update(failures=0, blocked_until=None)

    def failed(self) -> list[Triggered]:
        """The limits this failure pushed into a delay (for the audit log)."""
        return self.triggered


def counter_key(*parts: object) -> str:
    value = "\0".join("" if part is None else str(part) for part in parts)
    return salted_hmac("learnloop.accounts.login-counter", value, algorithm="sha256").hexdigest()


def delay_after(failures: int, limit: int) -> int:
    """Seconds to wait after `failures` failures (0 below the limit): doubling, capped."""
    if failures < limit:
        return 0
    steps = min(failures - limit, 30)
    return min(settings.LOGIN_DELAY_SECONDS * 2**steps, settings.LOGIN_DELAY_MAX_SECONDS)


def sign_in_limits(*, email: str, ip_address: str | None, device: str | None = None) -> list[Limit]:
    """The counters an attempt is charged to; `device` is known_device()'s answer for this browser."""
    email = email.strip().lower()
    if device is not None:
        # The browser's own count for this account: nobody else can add to it, whatever their
        # address (the cookie is signed and only handed out after a complete sign-in).
        return [Limit("pair", counter_key(email, "device", device), settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT)]
    limits = [Limit("pair", counter_key(email, ip_address), settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT)]
    limits.append(Limit("account", counter_key(email), settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL))
    if ip_address:
        limits.append(Limit("address", counter_key(ip_address), settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS))
    return limits


def second_factor_limits(*, person_id: int) -> list[Limit]:
    # Whoever reaches this step knew the password; codes are six digits, so they are limited
    # per account regardless of address.
    return [Limit("second-factor", counter_key(person_id), settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT)]


def admit(limits: list[Limit], *, now: datetime | None = None) -> Attempt:
    """Charge one attempt to every counter, or raise TooManyAttempts without charging any.

    The counters are locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    take the write lock at BEGIN) so parallel attempts are charged one after the other. If the
    database can't be written they are charged in memory instead (see the module's docstring).
    """
    try:
        return _admit_in_database(limits, now=now)
    except DatabaseError as error:
        if storage.note_failure(error) is None:
            raise
    return _memory.admit(limits, now=now or timezone.now())


def _admit_in_database(limits: list[Limit], *, now: datetime | None) -> Attempt:
    fixed_now = now
    limits = sorted(limits, key=lambda item: (item.scope, item.key))  # one lock order: no deadlocks
    with transaction.atomic():
        _purge_forgotten(now or timezone.now())
        LoginCounter.objects.bulk_create(
            [LoginCounter(scope=limit.scope, key=limit.key, updated_at=now or timezone.now()) for limit in limits],
            ignore_conflicts=True,
        )
        counters = [
            LoginCounter.objects.select_for_update().get(scope=limit.scope, key=limit.key) for limit in limits
        ]
        # The time once the locks are held: waiting for them must not shorten a delay.
        now = fixed_now or timezone.now()
        for counter in counters:
            if counter.blocked_until and counter.blocked_until > now:
                raise TooManyAttempts(max(1, math.ceil((counter.blocked_until - now).total_seconds())))
        attempt = Attempt(limits=limits)
        for limit, counter in zip(limits, counters, strict=True):
            _charge(counter, limit, now, attempt.triggered)
            counter.save(update_fields=["failures", "blocked_until", "updated_at"])
    return attempt


def _charge(counter, limit: Limit, now: datetime, triggered: list[Triggered]) -> None:
    """One more failure on a counter (a LoginCounter or a _MemoryCounter), and its delay."""
    if counter.updated_at < now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS):
        counter.failures = 0
    counter.failures += 1
    counter.updated_at = now
    delay = delay_after(counter.failures, limit.limit)
    counter.blocked_until = now + timedelta(seconds=delay) if delay else None
    if delay:
        triggered.append(Triggered(limit.scope, counter.failures, delay))


@dataclass
class _MemoryCounter:
    failures: int
    blocked_until: datetime | None
    updated_at: datetime


class _MemoryCounters:
    """The counters while the database can't be written; one lock, so attempts queue like rows."""

    MAX_COUNTERS = 100_000  # beyond this the oldest go: memory stays bounded under a flood

    def __init__(self):
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, str], _MemoryCounter] = {}

    def admit(self, limits: list[Limit], *, now: datetime) -> Attempt:
        limits = sorted(limits, key=lambda item: (item.scope, item.key))
        # Reading still works: failures and delays charged before storage failed keep counting.
        stored = {
            (row.scope, row.key): row
            for row in LoginCounter.objects.filter(key__in=[limit.key for limit in limits])
        }
        with self._lock:
            counters = []
            for limit in limits:
                row = stored.get((limit.scope, limit.key))
                counter = self._counters.get((limit.scope, limit.key))
                if counter is None:
                    counter = _MemoryCounter(row.failures, row.blocked_until, row.updated_at) if row else (
                        _MemoryCounter(0, None, now))
                if counter.blocked_until and counter.blocked_until > now:
                    raise TooManyAttempts(max(1, math.ceil((counter.blocked_until - now).total_seconds())))
                counters.append(counter)
            attempt = Attempt(limits=limits, in_memory=True)
            for limit, counter in zip(limits, counters, strict=True):
                _charge(counter, limit, now, attempt.triggered)
                self._counters[(limit.scope, limit.key)] = counter
            if len(self._counters) > self.MAX_COUNTERS:
                for key in sorted(self._counters, key=lambda key: self._counters[key].updated_at)[:len(limits)]:
                    del self._counters[key]
        return attempt

    def succeeded(self, limits: list[Limit]) -> None:
        with self._lock:
            for limit in limits:
                counter = self._counters.get((limit.scope, limit.key))
                if counter is None:
                    continue
                counter.failures = max(counter.failures - 1, 0) if limit.scope == "address" else 0
                counter.blocked_until = None

    def clear(self) -> None:
        with self._lock:
            self._counters.clear()


_memory = _MemoryCounters()


def forget_account_failures(*, email: str, ip_address: str | None) -> None:
    """A password reset proves control of the mailbox: the account's delays end for this browser's address."""
    email = email.strip().lower()
    LoginCounter.objects.filter(scope="account", key=counter_key(email)).update(failures=0, blocked_until=None)
    LoginCounter.objects.filter(scope="pair", key=counter_key(email, ip_address)).update(failures=0, blocked_until=None)


def _purge_forgotten(now: datetime) -> None:
    # Rows that can no longer block anyone are dropped now and then, so the table stays small
    # and keeps no trace of who tried when.
    global _last_purge
    if time.monotonic() - _last_purge < _PURGE_EVERY_SECONDS:
        return
    _last_purge = time.monotonic()
    purge_login_counters(now=now)


def purge_login_counters(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + settings.LOGIN_DELAY_MAX_SECONDS)
    deleted, _ = LoginCounter.objects.filter(updated_at__lt=stale).delete()
    return deleted


# --- Known devices ---------------------------------------------------------------------------


def _account_tag(email: str) -> str:
    return counter_key("known-device", email.strip().lower())[:24]


def _read_device_cookie(request) -> tuple[str | None, list[str]]:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return None, []
    try:
        value = signing.loads(raw, salt=_KNOWN_DEVICE_SALT)
    except signing.BadSignature:
        return None, []
    if not isinstance(value, dict) or not isinstance(value.get("device"), str):
        return None, []
    return value["device"], [tag for tag in value.get("accounts", []) if isinstance(tag, str)]


def known_device(request, email: str) -> str | None:
    """This browser's device id if it has completed a sign-in to this account before, else None."""
    device, tags = _read_device_cookie(request)
    if device is None or not email or _account_tag(email) not in tags:
        return None
    return device


def remember_device(request, response, email: str) -> None:
    """Mark this browser as one the account signs in from (set after a complete sign-in)."""
    device, tags = _read_device_cookie(request)
    tag = _account_tag(email)
    tags = [tag, *[other for other in tags if other != tag]][:_KNOWN_DEVICE_MAX_ACCOUNTS]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        signing.dumps({"device": device or secrets.token_urlsafe(16), "accounts": tags}, salt=_KNOWN_DEVICE_SALT),
        max_age=settings.KNOWN_DEVICE_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
