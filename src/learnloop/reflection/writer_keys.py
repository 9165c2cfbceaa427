"""Per-session writer keys: how an anonymous writer finds their own cards without the server
knowing who they are.

The key is random and held only by the client: an HttpOnly cookie scoped to the session's pages,
or, for API clients, returned once by the join endpoint and sent back in the X-Writer-Key
header. The server keeps only hashes of it, derived per purpose and per card or dot, so that no
two stored hashes (two cards, a card and a vote, two dots) can be matched to each other.
"""

import hashlib
import re
import secrets

HEADER = "X-Writer-Key"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")

ADJECTIVES = (
    "Amber", "Brisk", "Calm", "Clever", "Copper", "Curious", "Daring", "Gentle", "Golden", "Hazel",
    "Humble", "Jolly", "Keen", "Lively", "Lucky", "Mellow", "Misty", "Nimble", "Patient", "Quiet",
    "Rapid", "Rusty", "Silver", "Steady", "Sunny", "Swift", "Tidy", "Velvet", "Witty", "Zesty",
)
ANIMALS = (
    "Badger", "Beaver", "Bison", "Crane", "Dolphin", "Falcon", "Ferret", "Gecko", "Heron", "Ibis",
    "Jackal", "Koala", "Lemur", "Lynx", "Marten", "Moose", "Narwhal", "Otter", "Owl", "Panda",
    "Puffin", "Quail", "Raven", "Robin", "Seal", "Stoat", "Tapir", "Walrus", "Wombat", "Yak",
)


def new_key() -> str:
    return secrets.token_urlsafe(32)


def is_well_formed(key: str | None) -> bool:
    return bool(key) and bool(KEY_PATTERN.match(key))


def _derive(purpose: str, session_id: int, key: str) -> str:
    return hashlib.sha256(f"{purpose}:{session_id}:{key}".encode()).hexdigest()


def card_hash(session_id: int, key: str, card_id) -> str:
    """The stored mark of one card: per card, so two cards of one writer share nothing a
    database holder could group them by (a writer's card count could be matched to people).
    The key's holder finds their cards by recomputing it for each card of the session."""
    return _derive(f"card:{card_id}", session_id, key)


def dot_hash(session_id: int, key: str, group_id, number: int) -> str:
    """The mark of one voter's `number`-th dot on one group (0-based).

    Every dot gets a hash of its own, so no two marks in the database can be told to come from
    the same voter: with one hash per voter, the set of marks sharing it could be matched to a
    participant's `votes_used` (three marks, and only Alice used three votes) and the votes
    would be attributable. The holder of the key recomputes the hashes of their dots (at most
    the vote budget per group) to show and withdraw them.
    """
    return _derive(f"dot:{group_id}:{number}", session_id, key)


def reaction_hash(session_id: int, key: str, card_id, emoji: str) -> str:
    """The mark of one reaction: per card and emoji, for the same reason as dot_hash."""
    return _derive(f"reaction:{card_id}:{emoji}", session_id, key)


def checkin_hash(session_id: int, key: str) -> str:
    """The mark of a key's one check-in answer in a session (it can be rewritten, not repeated)."""
    return _derive("checkin", session_id, key)


def dot_hashes(session_id: int, key: str, group_id, budget: int) -> list[str]:
    return [dot_hash(session_id, key, group_id, number) for number in range(budget)]


def alias_for(session_id: int, key: str) -> str:
    """The same alias for every card one key writes in one session."""
    number = int(_derive("alias", session_id, key)[:12], 16)
    return f"{ADJECTIVES[number % len(ADJECTIVES)]} {ANIMALS[(number // len(ADJECTIVES)) % len(ANIMALS)]}"


def cookie_name(session_id: int, *, secure: bool = False) -> str:
    """Over HTTPS the name carries the __Secure- prefix, so a browser refuses the cookie unless it
    came over HTTPS and is marked Secure: nothing on plain HTTP can plant or overwrite a writer key.
    (__Host- would also need Path=/, and the key is scoped to its session's pages.)"""
    return f"{'__Secure-' if secure else ''}ll_writer_{session_id}"
