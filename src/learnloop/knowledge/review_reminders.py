"""“This entry is due for review”: once per entry and review date, to the people who answer for
it (its owner, or its owning team's facilitators), in the app and by email.

`learnloop knowledge remind` runs it daily (next to `learnloop actions remind`). The notification's
key names the entry and its review date, so a second run the same day, or every day while the
entry stays due, notifies nobody twice; verifying the entry moves its review date, and the next
time it comes due its owners hear again. Obsolete entries are never due.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext

from learnloop.knowledge.models import Entry, Notification, NotificationKind
from learnloop.knowledge.notifying import notify, owners_of


@dataclass(frozen=True)
class PlannedReview:
    entry: Entry
    recipient: object

    @property
    def key(self) -> str:
        return review_key(self.entry)

    def describe(self) -> str:
        return f"review due {self.entry.review_due_at:%Y-%m-%d}: “{self.entry.title}” (#{self.entry.pk}) → " \
               f"{self.recipient.email}"


def review_key(entry: Entry) -> str:
    return f"review:{entry.pk}:{entry.review_due_at:%Y-%m-%d}"


def plan_review_reminders(*, today: date | None = None) -> list[PlannedReview]:
    """The review reminders due on `today` that were not sent before: one query for the entries,
    one for what was notified already, one per owning team for its facilitators."""
    today = today or timezone.localdate()
    due = list(
        Entry.objects.filter(obsolete_at__isnull=True, review_due_at__date__lte=today)
        .select_related("owner_person", "owner_team").order_by("review_due_at", "id")
    )
    notified = set(
        Notification.objects.filter(kind=NotificationKind.REVIEW_DUE, entry__in=[entry.pk for entry in due])
        .values_list("key", "recipient_id")
    )
    team_owners: dict[int, list] = {}
    planned = []
    for entry in due:
        if entry.owner_team_id is not None and entry.owner_team_id not in team_owners:
            team_owners[entry.owner_team_id] = owners_of(entry)
        people = team_owners[entry.owner_team_id] if entry.owner_team_id is not None else owners_of(entry)
        key = review_key(entry)
        planned.extend(PlannedReview(entry=entry, recipient=person) for person in people
                       if (key, person.pk) not in notified)
    return planned


def run_review_reminders(*, today: date | None = None, send_now: bool = False, dry_run: bool = False,
                         at=None) -> list[PlannedReview]:
    """Notify (and queue, or with send_now send, the email of) today's review reminders. `at`
    replays a past run (the demo): notified in the app, not emailed."""
    planned = plan_review_reminders(today=today)
    if dry_run:
        return planned
    handled = []
    for item in planned:
        entry = item.entry
        def text(entry=entry) -> str:
            return gettext("“%(title)s” is due for review since %(date)s.") % {
                "title": entry.title, "date": formats.date_format(entry.review_due_at, "j M Y")}
        if notify(recipients=[item.recipient], kind=NotificationKind.REVIEW_DUE, entry=entry, text=text,
                  key=item.key, send_now=send_now, at=at):
            handled.append(item)
    return handled
