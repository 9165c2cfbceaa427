"""The writer key of a workshop's feedback: how the server allows one answer per attendee
without storing who gave which answer.

As in reflection (reflection/writer_keys.py), what is stored is a hash of a writer key, never
the key. Here the key can't be a random one the browser holds, because a new browser would bring
a new key and a second answer: it is derived from the server's secret (SECRET_KEY), the workshop
and the person, so each attendee has exactly one. The receipt stores the SHA-256 of that key
and the workshop, in a table of its own with no link to the feedback row. Someone holding the
database but not the secret key cannot tell whose receipt is whose; with the secret key they can
tell who answered (which is not secret: like a survey invitation's `responded` flag), never what.
"""

import hashlib
import hmac

from django.conf import settings


def writer_key(workshop_id: int, person_id: int) -> str:
    message = f"learnloop.growth.workshop-feedback:{workshop_id}:{person_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def receipt_hash(workshop_id: int, person_id: int) -> str:
    key = writer_key(workshop_id, person_id)
    return hashlib.sha256(f"receipt:{workshop_id}:{key}".encode()).hexdigest()
