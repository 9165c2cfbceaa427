"""The session and card types of the link registry (learnloop.links.registry).

A card resolves only once its session is revealed and only for people who may see the session,
and what a reader gets is the session's name and the card's text: never its author, alias or
writer hash, so a lesson citing an anonymous card says nothing about who wrote it.
"""

import uuid

from django.urls import reverse

from learnloop.links.registry import LinkType, Target, int_ids, register
from learnloop.reflection.models import Card, Session
from learnloop.reflection.selectors import sessions_for

SESSION = "reflection.session"
CARD = "reflection.card"


def _session_title(session: Session) -> str:
    return f"{session.template.name}: {session.title} ({session.held_on:%d %b %Y})"


def resolve_sessions(viewer, ids: list[str]) -> dict[str, Target]:
    sessions = sessions_for(viewer).filter(pk__in=int_ids(ids))
    return {
        str(s.pk): Target(SESSION, str(s.pk), _session_title(s), reverse("reflection:session", args=[s.pk]))
        for s in sessions
    }


def _uuid_ids(ids: list[str]) -> dict[uuid.UUID, str]:
    """The well-formed card ids, each with the spelling it was given in."""
    out = {}
    for value in ids:
        try:
            out[uuid.UUID(value)] = value
        except ValueError:
            continue
    return out


def resolve_cards(viewer, ids: list[str]) -> dict[str, Target]:
    given = _uuid_ids(ids)
    cards = (
        Card.objects.filter(pk__in=list(given), session__in=sessions_for(viewer), session__revealed=True)
        .select_related("session")
        .only("pk", "text", "session__id", "session__title")
    )
    found = {}
    for card in cards:
        key = given.get(card.pk, str(card.pk))
        text = " ".join(card.text.split())
        title = f"A card from “{card.session.title}”: {text[:120]}"
        found[key] = Target(CARD, key, title, reverse("reflection:session", args=[card.session_id]))
    return found


def register_types() -> None:
    register(LinkType(SESSION, "session", resolve_sessions))
    register(LinkType(CARD, "card", resolve_cards))
