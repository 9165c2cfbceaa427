"""Rewriting a session's anonymous rows in a fresh random order, so storage keeps no write order.

A table remembers the order rows arrived in, whatever their primary key: SQLite gives each row
an implicit rowid (max + 1), PostgreSQL places new tuples one after another (ctid) and stamps
each with its transaction's id (xmin). Someone holding the database file, a backup or plain SQL
access could line cards up in that order and match it with an access log ("Alice posted at
10:02, Bob at 10:03") or with join order.

So in alias and anonymous sessions every write to cards (write, edit, delete, raising the
anonymity) deletes the session's cards and inserts them again, with the same ids and data, in
a random order, in the write's transaction: afterwards all of them share one xmin, their rowids
are one fresh block and their order is a random permutation. Vote marks get the same treatment
on every vote and withdrawal, why-steps on every new step, reactions on every reaction and
check-in answers on every answer.

Why-steps hang off cards (deleting a card deletes its steps), so rewriting the cards rewrites
the steps too, in their own random order.

What remains (documented in docs/anonymity.md): until PostgreSQL vacuums, the old tuple versions
are still in the table's pages; SQLite overwrites deleted cells (secure_delete, see settings.py)
but the write-ahead log keeps recent page images until a checkpoint.
"""

import secrets

from learnloop.reflection.models import Card, CheckIn, Reaction, Session, VoteMark, WhyStep

_random = secrets.SystemRandom()


def _shuffled(rows: list) -> list:
    rows = list(rows)
    _random.shuffle(rows)
    return rows


def reshuffle_cards(session: Session) -> None:
    """Re-insert the session's cards (and their why-steps) in a random order; call it inside
    the write's transaction."""
    cards = list(Card.objects.filter(session=session))
    steps = _fresh_steps(session)
    reactions = _fresh_reactions(session)
    Card.objects.filter(session=session).delete()  # their why-steps and reactions go with them
    Card.objects.bulk_create(_shuffled(cards))
    WhyStep.objects.bulk_create(_shuffled(steps))
    Reaction.objects.bulk_create(_shuffled(reactions))


def reshuffle_reactions(session: Session) -> None:
    """Re-insert the session's reactions in a random order, with fresh ids."""
    reactions = _fresh_reactions(session)
    Reaction.objects.filter(card__session=session).delete()
    Reaction.objects.bulk_create(_shuffled(reactions))


def _fresh_reactions(session: Session) -> list[Reaction]:
    return [Reaction(card_id=card_id, emoji=emoji, reactor_hash=reactor_hash)
            for card_id, emoji, reactor_hash in Reaction.objects.filter(card__session=session).values_list(
                "card_id", "emoji", "reactor_hash")]


def reshuffle_checkins(session: Session) -> None:
    """Re-insert the session's check-in answers in a random order, with fresh ids."""
    answers = [CheckIn(session_id=session.pk, text=text, author_id=author_id, alias=alias, writer_hash=writer_hash)
               for text, author_id, alias, writer_hash in CheckIn.objects.filter(session=session).values_list(
                   "text", "author_id", "alias", "writer_hash")]
    CheckIn.objects.filter(session=session).delete()
    CheckIn.objects.bulk_create(_shuffled(answers))


def reshuffle_marks(session: Session) -> None:
    """Re-insert the session's vote marks in a random order."""
    marks = list(VoteMark.objects.filter(group__session=session))
    VoteMark.objects.filter(group__session=session).delete()
    VoteMark.objects.bulk_create(_shuffled(marks))


def reshuffle_whys(session: Session) -> None:
    """Re-insert the session's why-steps in a random order, with fresh ids."""
    steps = _fresh_steps(session)
    WhyStep.objects.filter(card__session=session).delete()
    WhyStep.objects.bulk_create(_shuffled(steps))


def _fresh_steps(session: Session) -> list[WhyStep]:
    return [WhyStep(card_id=step.card_id, position=step.position, text=step.text)
            for step in WhyStep.objects.filter(card__session=session)]
