"""Who hears about what happens to an entry, in the app and by email.

- An answer to a question → the person who asked (its author).
- A comment (feedback with a comment) on an entry → its owner: the owning person, or the owning
  team's facilitators.
- A change to an entry (its content, its status, marked obsolete) → the people who follow it.
- A review coming due → the owner side (review_reminders.py runs it daily).

The one who caused the event is never told about it, and nobody hears about an entry they may
not see. Each notification is written in the transaction of the change and its email queued in
the same transaction (the queue lives in the database): both happen, or neither. A history
replayed with `at=` (the demo) writes the in-app notifications but queues no email: it would
mail people about events long past.
"""

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext

from learnloop.knowledge.models import Entry, Follow, Notification, NotificationKind
from learnloop.knowledge.notification_mail import deliver_notification, recipient_language
from learnloop.knowledge.permissions import can_view
from learnloop.knowledge.tasks import send_notification_email
from learnloop.org.membership import facilitators_of


def owners_of(entry: Entry) -> list:
    """The people who answer for an entry: its owner, or its owning team's facilitators."""
    if entry.owner_person_id is not None:
        return [entry.owner_person] if entry.owner_person.is_active else []
    return facilitators_of(entry.owner_team_id)


def notify(*, recipients, kind: str, entry: Entry, text: str | Callable[[], str], key: str, actor=None, at=None,
           send_now: bool = False) -> list[Notification]:
    """Write one notification per recipient (skipping the actor, people who may not see the entry
    and events already notified) and queue its email. A callable `text` is written in each
    recipient's language (the notification is stored as text, so it is read in that language)."""
    written = []
    seen = set()
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        if not (person.is_active and can_view(person, entry)):
            continue
        extra = {"created_at": at} if at else {}
        with translation.override(recipient_language(person)):
            shown = text() if callable(text) else text
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=person, kind=kind, entry=entry, actor=actor, text=shown[:300],
                    key=key[:120], **extra,
                )
                if at is None and not send_now:
                    send_notification_email.enqueue(notification.pk)
        except IntegrityError:
            continue  # this event was notified to this person already
        written.append(notification)
    if at is None and send_now:
        for notification in written:
            deliver_notification(notification.pk)
    return written


def _name(person) -> str:
    return person.full_name if person is not None else gettext("Someone")


def answer_posted(*, answer, at=None) -> None:
    question = answer.question
    notify(recipients=[question.author], kind=NotificationKind.ANSWER, entry=question, actor=answer.author,
           text=lambda: gettext("%(name)s answered your question “%(title)s”.") % {
               "name": _name(answer.author), "title": question.title},
           key=f"answer:{answer.pk}", at=at)


def comment_given(*, feedback, at=None) -> None:
    entry = feedback.entry
    def text() -> str:
        wording = (gettext("%(name)s found it helpful and commented on “%(title)s”: %(comment)s") if feedback.helpful
                   else gettext("%(name)s found it not helpful and commented on “%(title)s”: %(comment)s"))
        return wording % {"name": _name(feedback.person), "title": entry.title, "comment": feedback.comment}

    notify(recipients=owners_of(entry), kind=NotificationKind.COMMENT, entry=entry, actor=feedback.person,
           text=text,
           key=f"comment:{feedback.pk}:{hash_of(feedback.comment)}", at=at)


def _follows(entry: Entry):
    """The entry's follows with their people: as prefetched by a caller that changes many
    entries (services.prefetch_for_update), else read now."""
    prefetched = getattr(entry, "_prefetched_objects_cache", {})
    if "follows" in prefetched:
        return prefetched["follows"]
    return Follow.objects.filter(entry=entry).select_related("person")


def follows_with_people() -> Prefetch:
    """What to prefetch for entry_changed on many entries (prefetch_related_objects)."""
    return Prefetch("follows", queryset=Follow.objects.select_related("person"))


def entry_changed(*, entry: Entry, by, what: str | Callable[[], str], event: str, at=None) -> None:
    """`what` says what happened ("edited it", "marked it obsolete"), a callable to have it in each
    follower's language; `event` makes the key unique."""
    followers = [follow.person for follow in _follows(entry)]
    notify(
        recipients=followers,
        kind=NotificationKind.FOLLOWED,
        entry=entry,
        actor=by,
        text=lambda: (
            gettext("%(name)s %(what)s: “%(title)s”.")
            % {"name": _name(by), "what": what() if callable(what) else what, "title": entry.title}
        ),
        key=f"followed:{entry.pk}:{event}",
        at=at,
    )


def hash_of(text: str) -> str:
    """A short stable digest, so a changed comment is a new event and the same one is not."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]
