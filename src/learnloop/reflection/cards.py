"""Cards, groups, votes, "5 whys" chains and a critique owner's decisions.

Activity about cards and votes is only counted per session and day (count_anonymous_activity),
whatever the session's anonymity: it can be raised later, and an event row
would carry its place in time. Writing needs a participant row made earlier, when the person
opened the board or joined through the API, never in the write's own transaction (its order
would be the order in which people first wrote). In alias and anonymous sessions each write
rewrites the session's cards or vote marks in random order (shuffle.py).
"""

import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext

from learnloop.activity.services import count_anonymous_activity
from learnloop.reflection.models import (
    Anonymity,
    Card,
    Group,
    Participant,
    Phase,
    Reaction,
    Session,
    TemplateKind,
    VoteMark,
    WhyStep,
)
from learnloop.reflection.permissions import can_take_part, require
from learnloop.reflection.shuffle import reshuffle_cards, reshuffle_marks, reshuffle_reactions, reshuffle_whys
from learnloop.reflection.writer_keys import alias_for, card_hash, dot_hashes, is_well_formed, reaction_hash

MAX_CARD_LENGTH = 2000
MAX_WHYS = 7


def _key(writer_key: str | None) -> str:
    if not is_well_formed(writer_key):
        raise ValidationError({"writer_key": gettext("This needs your writer key for the session (join it first).")})
    return writer_key


def _text(text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: gettext("Write something first.")})
    if len(text) > MAX_CARD_LENGTH:
        raise ValidationError({field: gettext("Keep it under %(max)s characters.") % {"max": MAX_CARD_LENGTH}})
    return text


def _require_phase(session: Session, *phases: str, doing: str) -> None:
    if session.phase not in phases:
        names = " or ".join(Phase(phase).label.lower() for phase in phases)
        raise ValidationError({"phase": f"You can {doing} only in the {names} phase."})


def is_own_card(person, card: Card, writer_key: str | None) -> bool:
    if card.author_id is not None:
        return card.author_id == getattr(person, "pk", None)
    return bool(card.writer_hash) and is_well_formed(writer_key) and card.writer_hash == card_hash(
        card.session_id, writer_key, card.pk
    )


def _hides_writers(session: Session) -> bool:
    return session.anonymity != Anonymity.NAMED


def _require_joined(by, session: Session) -> Participant:
    participant = Participant.objects.filter(session=session, person=by).first()
    if participant is None:
        raise ValidationError(
            {"session": gettext("Join the session first: open its board (or POST …/join in the API).")}
        )
    return participant


def _lock(session: Session) -> None:
    """Writes to one session's cards or votes take turns (first thing in their transaction):
    each rewrites the whole set, so two at once would re-insert each other's rows."""
    list(Session.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True))


def _count(verb: str, session: Session) -> None:
    count_anonymous_activity(verb=verb, subject=session, team=session.team)


def write_card(*, by, session: Session, column: str, text: str, writer_key: str | None) -> Card:
    require(can_take_part(by, session), f"Only members of {session.team} write cards in its sessions.")
    _require_phase(session, Phase.REFLECT, doing="write cards")
    if session.template.column(column) is None:
        raise ValidationError({"column": gettext("Choose one of the template's columns.")})
    text = _text(text)
    _require_joined(by, session)
    card = Card(id=uuid.uuid4(), session=session, column=column, text=text, shuffle_key=secrets.randbelow(2**31))
    if session.anonymity == Anonymity.NAMED:
        card.author = by
    else:
        key = _key(writer_key)
        card.writer_hash = card_hash(session.pk, key, card.pk)
        if session.anonymity == Anonymity.ALIAS:
            card.alias = alias_for(session.pk, key)
    with transaction.atomic():
        _lock(session)
        card.save(force_insert=True)
        if _hides_writers(session):
            reshuffle_cards(session)
        _count("written", session)
    return card


def _own(by, session: Session, card: Card, writer_key) -> None:
    if card.session_id != session.pk or not is_own_card(by, card, writer_key):
        raise PermissionDenied(gettext("Only the card's writer can change it."))


def edit_card(*, by, session: Session, card: Card, text: str, writer_key: str | None) -> Card:
    _own(by, session, card, writer_key)
    _require_phase(session, Phase.REFLECT, doing="edit cards")
    card.text = _text(text)
    with transaction.atomic():
        _lock(session)
        card.save(update_fields=["text"])
        if _hides_writers(session):
            reshuffle_cards(session)
    return card


def delete_card(*, by, session: Session, card: Card, writer_key: str | None) -> None:
    _own(by, session, card, writer_key)
    _require_phase(session, Phase.REFLECT, doing="delete cards")
    with transaction.atomic():
        _lock(session)
        card.delete()
        if _hides_writers(session):
            reshuffle_cards(session)


# --- groups -------------------------------------------------------------------------------------------


def _cards_of(session: Session, cards) -> list[Card]:
    ids = {card.pk for card in cards}
    if not ids:
        raise ValidationError({"cards": gettext("Select at least one card.")})
    fresh = list(Card.objects.filter(session=session, pk__in=ids))
    if len(fresh) != len(ids):
        raise ValidationError({"cards": gettext("Those cards are not all from this session.")})
    return fresh


def group_cards(*, by, session: Session, cards, title: str = "", group: Group | None = None) -> Group:
    """Put cards under one heading: a new group, or an existing one."""
    require(can_take_part(by, session), gettext("Only participants group cards."))
    _require_phase(session, Phase.GROUP, doing="group cards")
    cards = _cards_of(session, cards)
    title = " ".join((title or "").split())[:200]
    with transaction.atomic():
        if group is None:
            group = Group.objects.create(session=session, title=title or cards[0].text[:120])
        elif group.session_id != session.pk:
            raise ValidationError({"group": gettext("That group is from another session.")})
        elif title:
            group.title = title
            group.save(update_fields=["title"])
        emptied = {card.group_id for card in cards if card.group_id and card.group_id != group.pk}
        Card.objects.filter(pk__in=[card.pk for card in cards]).update(group=group)
        Group.objects.filter(pk__in=emptied, cards__isnull=True).delete()
        _count("grouped", session)
    return group


def ungroup_card(*, by, session: Session, card: Card) -> None:
    require(can_take_part(by, session), gettext("Only participants group cards."))
    _require_phase(session, Phase.GROUP, doing="ungroup cards")
    if card.session_id != session.pk:
        raise ValidationError({"card": gettext("That card is from another session.")})
    group_id = card.group_id
    card.group = None
    card.save(update_fields=["group"])
    Group.objects.filter(pk=group_id, cards__isnull=True).delete()


RENAMING_PHASES = (Phase.GROUP, Phase.VOTE, Phase.DISCUSS, Phase.ACTIONS)


def rename_group(*, by, session: Session, group: Group, title: str) -> Group:
    require(can_take_part(by, session), gettext("Only participants rename groups."))
    if group.session_id != session.pk:
        raise ValidationError({"group": gettext("That group is from another session.")})
    if session.phase not in RENAMING_PHASES:
        raise ValidationError({"phase": gettext("Groups are renamed from the group phase until the session closes.")})
    title = " ".join((title or "").split())
    if not title or len(title) > 200:
        raise ValidationError({"title": gettext("A group needs a title of at most 200 characters.")})
    group.title = title
    group.save(update_fields=["title"])
    return group


# --- votes --------------------------------------------------------------------------------------------


def _move_tally(session: Session, group: Group, change: int) -> None:
    """One UPDATE over every group of the session, so the vote's transaction stamps all of them
    (PostgreSQL's xmin) and not just the chosen one: the voter's budget row must not share a
    transaction id with one group alone."""
    Group.objects.filter(session=session).update(
        votes=F("votes") + Case(When(pk=group.pk, then=Value(change)), default=Value(0))
    )


def cast_vote(*, by, session: Session, group: Group, writer_key: str | None) -> Participant:
    """One dot on a group. The budget is counted per person; the tally per group; the mark that
    allows withdrawing holds only a hash of the voter's key."""
    require(can_take_part(by, session), gettext("Only participants vote."))
    _require_phase(session, Phase.VOTE, doing="vote")
    key = _key(writer_key)
    if group.session_id != session.pk:
        raise ValidationError({"group": gettext("That group is from another session.")})
    _require_joined(by, session)
    with transaction.atomic():
        _lock(session)
        participant = Participant.objects.select_for_update().get(session=session, person=by)
        if participant.votes_used >= session.vote_budget:
            used_up = gettext("You have used all %(budget)s of your votes.") % {"budget": session.vote_budget}
            raise ValidationError({"votes": used_up})
        participant.votes_used = F("votes_used") + 1
        participant.save(update_fields=["votes_used"])
        _move_tally(session, group, +1)
        hashes = dot_hashes(session.pk, key, group.pk, session.vote_budget)
        taken = set(VoteMark.objects.filter(group=group, voter_hash__in=hashes).values_list("voter_hash", flat=True))
        VoteMark.objects.create(group=group, voter_hash=next(h for h in hashes if h not in taken))
        reshuffle_marks(session)
        _count("voted", session)
    participant.refresh_from_db()
    return participant


def withdraw_vote(*, by, session: Session, group: Group, writer_key: str | None) -> Participant:
    require(can_take_part(by, session), gettext("Only participants vote."))
    _require_phase(session, Phase.VOTE, doing="withdraw votes")
    key = _key(writer_key)
    if group.session_id != session.pk:
        raise ValidationError({"group": gettext("That group is from another session.")})
    with transaction.atomic():
        _lock(session)
        participant = Participant.objects.select_for_update().filter(session=session, person=by).first()
        mark = VoteMark.objects.filter(
            group=group, voter_hash__in=dot_hashes(session.pk, key, group.pk, session.vote_budget)
        ).first()
        if participant is None or mark is None or participant.votes_used == 0:
            raise ValidationError({"votes": gettext("You have no vote on this group to withdraw.")})
        mark.delete()
        participant.votes_used = F("votes_used") - 1
        participant.save(update_fields=["votes_used"])
        _move_tally(session, group, -1)
        reshuffle_marks(session)
    participant.refresh_from_db()
    return participant


def my_votes(session: Session, writer_key: str | None) -> dict:
    """{group id: votes} for the holder of this key, so their page can show their dots."""
    if not is_well_formed(writer_key):
        return {}
    mine = [
        mark
        for group_id in Group.objects.filter(session=session).values_list("pk", flat=True)
        for mark in dot_hashes(session.pk, writer_key, group_id, session.vote_budget)
    ]
    counts: dict = {}
    for group_id in VoteMark.objects.filter(group__session=session, voter_hash__in=mine).values_list(
        "group_id", flat=True
    ):
        counts[group_id] = counts.get(group_id, 0) + 1
    return counts


# --- postmortem whys and critique decisions ------------------------------------------------------------


def add_why(*, by, session: Session, card: Card, text: str) -> WhyStep:
    """Add the next "why?" to a contributing factor. The step stores no author."""
    require(can_take_part(by, session), gettext("Only participants add to a why-chain."))
    if card.session_id != session.pk:
        raise ValidationError({"card": gettext("That card is from another session.")})
    if not (session.template.column(card.column) or {}).get("whys"):
        raise ValidationError({"card": gettext("Only contributing factors have a why-chain.")})
    if not session.revealed or session.is_closed:
        raise ValidationError({"phase": gettext("Why-chains are built on revealed cards, before the session closes.")})
    text = _text(text)
    with transaction.atomic():
        _lock(session)
        position = card.whys.count() + 1
        if position > MAX_WHYS:
            raise ValidationError(
                {
                    "text": gettext("A chain stops at %(max)s whys; by then you have reached the root.")
                    % {"max": MAX_WHYS}
                }
            )
        step = WhyStep.objects.create(card=card, position=position, text=text)
        if _hides_writers(session):
            reshuffle_whys(session)
            step = WhyStep.objects.get(card=card, position=position)
        _count("why_added", session)
    return step


def decide_note(*, by, session: Session, card: Card, decision: str, reason: str = "") -> Card:
    """Candid critique: the work's owner takes a note or leaves it, and says why."""
    if session.template.kind != TemplateKind.CRITIQUE:
        raise ValidationError({"decision": gettext("Only critique notes are taken or left.")})
    if by.pk != session.work_owner_id:
        raise PermissionDenied(gettext("Notes are advice: only the work's owner decides what to take."))
    if card.session_id != session.pk:
        raise ValidationError({"card": gettext("That note is from another session.")})
    if decision not in {"taken", "not_taken", ""}:
        raise ValidationError({"decision": gettext("Mark the note taken or not taken.")})
    if not session.revealed:
        raise ValidationError({"decision": gettext("Decide once the notes are revealed.")})
    card.decision = decision
    card.decision_reason = (reason or "").strip()[:2000]
    card.save(update_fields=["decision", "decision_reason"])
    return card


# --- reactions ---------------------------------------------------------------------------------------------

REACTION_PHASES = (Phase.REFLECT, Phase.GROUP, Phase.VOTE, Phase.DISCUSS, Phase.ACTIONS)


def toggle_reaction(*, by, session: Session, card: Card, emoji: str, writer_key: str | None) -> bool:
    """Add the emoji to the card, or take it back if this key had added it; True when added.

    Only revealed cards can be reacted to (before, a reaction would tell its writer that someone
    saw a card they can't). Nothing about the reaction is recorded in the activity stream."""
    require(can_take_part(by, session), gettext("Only participants react."))
    _require_phase(session, *REACTION_PHASES, doing="react")
    if not session.revealed:
        raise ValidationError({"card": gettext("Cards can be reacted to once they are revealed.")})
    if emoji not in Reaction.EMOJIS:
        raise ValidationError({"emoji": f"Choose one of {' '.join(Reaction.EMOJIS)}."})
    if card.session_id != session.pk:
        raise ValidationError({"card": gettext("That card is from another session.")})
    key = _key(writer_key)
    _require_joined(by, session)
    mark = reaction_hash(session.pk, key, card.pk, emoji)
    with transaction.atomic():
        _lock(session)
        removed, _ = Reaction.objects.filter(card=card, emoji=emoji, reactor_hash=mark).delete()
        if not removed:
            Reaction.objects.create(card=card, emoji=emoji, reactor_hash=mark)
        reshuffle_reactions(session)
    return not removed


def reactions_of(session: Session, writer_key: str | None) -> dict:
    """{card id: {"counts": {emoji: n}, "mine": {emoji, ...}}} in two reads."""
    found: dict = {}
    rows = list(Reaction.objects.filter(card__session=session).values_list("card_id", "emoji", "reactor_hash"))
    for card_id, emoji, _ in rows:
        entry = found.setdefault(str(card_id), {"counts": {}, "mine": set()})
        entry["counts"][emoji] = entry["counts"].get(emoji, 0) + 1
    if is_well_formed(writer_key):
        for card_id, emoji, stored in rows:
            if stored == reaction_hash(session.pk, writer_key, card_id, emoji):
                found[str(card_id)]["mine"].add(emoji)
    return found
