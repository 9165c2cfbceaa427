"""Database sessions that fall back to a signed cookie while the database can't be written.

Signing in saves a session; with a full disk or read-only data that save fails, and before this
every sign-in did too. Now a session that can't be stored is carried in the cookie itself, signed
with SECRET_KEY (like Django's signed_cookies engine) and valid for SESSION_COOKIE_AGE: the
person is signed in and can read. The first time the session changes after storage is back it
moves into the database under a new key (the cookie carries a database key again).

Why this trade-off: a cookie session can't be revoked from the server before it expires (signing
out clears the browser's cookie, but a copy taken earlier stays valid). Only sessions begun while
storage was failing are like that, and being signed out of a read-only site would be worse.
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import signing
from django.db import DatabaseError

from learnloop.ops import storage

logger = logging.getLogger("learnloop.storage")

COOKIE_PREFIX = "signed."
_SALT = "learnloop.accounts.sessions.fallback"


def _is_cookie_key(key) -> bool:
    return isinstance(key, str) and key.startswith(COOKIE_PREFIX)


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        if _is_cookie_key(key):
            return True
        return super()._validate_session_key(key)

    def load(self):
        if not _is_cookie_key(self.session_key):
            return super().load()
        try:
            data = signing.loads(
                self.session_key[len(COOKIE_PREFIX):], salt=_SALT, serializer=self.serializer,
                max_age=settings.SESSION_COOKIE_AGE,
            )
        except signing.BadSignature:
            self._session_key = None
            return {}
        # Saved at the end of every request that uses it: into the database as soon as it can
        # be written (one failed INSERT per request until then), so cookie sessions don't outlive
        # the outage.
        self.modified = True
        return data

    def exists(self, session_key):
        return _is_cookie_key(session_key) or super().exists(session_key)

    def save(self, must_create=False):
        if _is_cookie_key(self.session_key):
            # Try the database again: a new key there, or a fresh cookie if it still can't be written.
            self._session_key = None
            return self.create()
        try:
            return super().save(must_create=must_create)
        except DatabaseError as error:
            if storage.note_failure(error) is None:
                raise
        data = self._get_session(no_load=must_create)
        self._session_key = COOKIE_PREFIX + signing.dumps(
            data, salt=_SALT, serializer=self.serializer, compress=True
        )

    def delete(self, session_key=None):
        key = session_key or self.session_key
        if _is_cookie_key(key):
            return  # nothing stored: the browser's cookie is all there is, and it is cleared
        try:
            super().delete(session_key)
        except DatabaseError as error:
            if storage.note_failure(error) is None:
                raise
            # The row stays until storage is back and `clearsessions` or expiry removes it; the
            # browser's cookie is replaced all the same (cycle_key) or cleared (sign-out).
            logger.warning("A session row could not be deleted: storage unavailable.")
