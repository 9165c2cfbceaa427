"""The session and card types of the link registry (learnloop.links.registry).

A card resolves only once its session is revealed and only for people who may see the session,
and what a reader gets is the session's name and the card's text: never its author, alias or
writer hash, so a lesson citing an anonymous card says nothing about who wrote it.
"""

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


def _uuid_ids(ids: list[str]) -> list[str]:
    import uuid

    out = []
    for value in ids:
        try:
            out.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return out


def resolve_cards(viewer, ids: list[str]) -> dict[str, Target]:
    wanted = {value: value for value in ids}
    cards = (
        Card.objects.filter(pk__in=_uuid_ids(ids), session__in=sessions_for(viewer), session__revealed=True)
        .select_related("session")
        .only("pk", "text", "session__id", "session__title")
    )
    found = {}
    for card in cards:
        key = str(card.pk)
        key = next((given for given in wanted if given.lower() == key), key)
        text = " ".join(card.text.split())
        title = f"A card from “{card.session.title}”: {text[:120]}"
        found[key] = Target(CARD, key, title, reverse("reflection:session", args=[card.session_id]))
    return found


def register_types() -> None:
    register(LinkType(SESSION, "session", resolve_sessions))
    register(LinkType(CARD, "card", resolve_cards))
