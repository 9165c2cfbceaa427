"""The optional check-in round: a question the facilitator asks while the session prepares
("One word for how you arrive today?"), one short answer per person.

Answers are written in the prepare phase, each person sees only their own until the session
moves on to reflect, and then everyone sees them all at once: if answers appeared as they were
written, the moment one appeared would tell the room who wrote it, whatever the anonymity.
They follow the session's anonymity like cards (a name, an alias or nothing), are rewritten in
random order on every answer, and are deleted when the session closes (services._enter_phase):
the round warms the room up and is not part of the record, summary or exports.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from learnloop.reflection.cards import _key, _lock, _require_joined
from learnloop.reflection.models import Anonymity, CheckIn, Phase, Session
from learnloop.reflection.permissions import can_facilitate, can_take_part, require
from learnloop.reflection.shuffle import reshuffle_checkins
from learnloop.reflection.writer_keys import alias_for, checkin_hash, is_well_formed

MAX_QUESTION_LENGTH = 200
MAX_ANSWER_LENGTH = 280
SUGGESTED_QUESTIONS = (
    "One word for how you arrive today?",
    "What is one thing you are proud of since the last session?",
    "On a scale of 1 to 5, how much energy do you bring today?",
    "What would make this session worth your time?",
)
# From reflect on the answers are shown; they are gone once the session closes.
SHOWN_IN = (Phase.REFLECT, Phase.GROUP, Phase.VOTE, Phase.DISCUSS, Phase.ACTIONS)


@dataclass(frozen=True)
class CheckInRound:
    question: str
    open: bool  # answers can be written (the prepare phase)
    shown: bool  # everyone's answers are visible
    count: int
    mine: str  # the viewer's own answer, "" if none
    answers: list[dict]  # {"text", "by"}; empty until shown


def set_question(*, by, session: Session, question: str) -> Session:
    """Ask (or change, or with "" drop) the check-in question; only while preparing."""
    require(can_facilitate(by, session), gettext("Only the facilitator sets the check-in question."))
    if session.phase != Phase.PREPARE:
        raise ValidationError(
            {"question": gettext("The check-in question can be set only while the session prepares.")}
        )
    question = " ".join((question or "").split())
    if len(question) > MAX_QUESTION_LENGTH:
        raise ValidationError(
            {"question": gettext("Keep the question under %(max)s characters.") % {"max": MAX_QUESTION_LENGTH}}
        )
    session.checkin_question = question
    session.save(update_fields=["checkin_question"])
    return session


def answer(*, by, session: Session, text: str, writer_key: str | None) -> CheckIn:
    """Write the viewer's answer, or replace the one they wrote before."""
    require(can_take_part(by, session), f"Only members of {session.team} take part in its check-in.")
    if not session.checkin_question:
        raise ValidationError({"text": gettext("This session has no check-in question.")})
    if session.phase != Phase.PREPARE:
        raise ValidationError({"text": gettext("Check-in answers are written while the session prepares.")})
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": gettext("Write an answer first.")})
    if len(text) > MAX_ANSWER_LENGTH:
        raise ValidationError(
            {"text": gettext("Keep the answer under %(max)s characters.") % {"max": MAX_ANSWER_LENGTH}}
        )
    _require_joined(by, session)
    with transaction.atomic():
        _lock(session)
        if session.anonymity == Anonymity.NAMED:
            found = CheckIn.objects.filter(session=session, author=by).first()
            row = found or CheckIn(id=uuid.uuid4(), session=session, author=by)
        else:
            key = _key(writer_key)
            mark = checkin_hash(session.pk, key)
            found = CheckIn.objects.filter(session=session, writer_hash=mark).first()
            row = found or CheckIn(id=uuid.uuid4(), session=session, writer_hash=mark)
            if session.anonymity == Anonymity.ALIAS:
                row.alias = alias_for(session.pk, key)
        row.text = text
        row.save(force_insert=found is None)
        if session.anonymity != Anonymity.NAMED:
            reshuffle_checkins(session)
    return row


def _is_mine(row: CheckIn, person, writer_key: str | None) -> bool:
    if row.author_id is not None:
        return row.author_id == getattr(person, "pk", None)
    return (
        bool(row.writer_hash)
        and is_well_formed(writer_key)
        and row.writer_hash == checkin_hash(row.session_id, writer_key)
    )


def round_for(viewer, session: Session, writer_key: str | None) -> CheckInRound | None:
    """What the viewer may see of the round (None when the session has no check-in); two reads."""
    if not session.checkin_question or session.is_closed:
        return None
    rows = list(CheckIn.objects.filter(session=session).select_related("author"))
    shown = session.phase in SHOWN_IN
    mine = next((row.text for row in rows if _is_mine(row, viewer, writer_key)), "")
    answers = [{"text": row.text, "by": row.author.full_name if row.author_id else row.alias} for row in rows]
    return CheckInRound(
        question=session.checkin_question,
        open=session.phase == Phase.PREPARE,
        shown=shown,
        count=len(rows),
        mine=mine,
        answers=sorted(answers, key=lambda a: a["text"].casefold()) if shown else [],
    )


def hide_authors(session: Session, aliases: dict[int, str], anonymity: str) -> None:
    """Raising the anonymity: named answers lose their author (getting the alias their author's
    cards got), alias answers lose the alias when going anonymous. Inside raise_anonymity's
    transaction."""
    rows = CheckIn.objects.filter(session=session)
    if anonymity == Anonymity.ALIAS:
        for author_id, alias in aliases.items():
            rows.filter(author_id=author_id).update(author=None, alias=alias)
    else:
        rows.update(author=None, alias="")
    reshuffle_checkins(session)
