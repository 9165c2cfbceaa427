"""Reminder emails: before the due date, when overdue, and when a scheduled effectiveness check
comes due.

`sending.run_reminders` finds what is due on a day and reserves one ActionReminder row per action, kind,
date it is about and recipient (a unique constraint), then queues the email. A second run the
same day, or every day while an action stays overdue, finds the row and sends nothing: each
reminder goes out once for each due date (move the due date and the owner is reminded again).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy

from learnloop.actions import selectors
from learnloop.actions.models import ACTIVE_STATUSES, Action, ActionReminder, ReminderKind, Status
from learnloop.actions.recipients import recipients_for
from learnloop.ops.mail import send_keyed


@dataclass(frozen=True)
class PlannedReminder:
    action: Action
    kind: str
    for_date: date
    recipient: object

    def describe(self) -> str:
        label = ReminderKind(self.kind).label.lower()
        return f"{label}: “{self.action.title}” (#{self.action.pk}, {self.for_date}) → {self.recipient.email}"


def _candidates(today: date):
    """(action, kind, for_date) for every reminder that is due today, before de-duplication."""
    active = Action.objects.filter(status__in=ACTIVE_STATUSES, due_on__isnull=False).select_related(
        "owner", "team", "created_by"
    )
    # Reminders are sent at most 60 days ahead (the policy's limit), so no need to look further.
    active = list(active.filter(due_on__lte=today + timedelta(days=60)))
    team_ids = {action.team_id for action in active if action.team_id}
    grace = selectors.grace_days_by_team(team_ids)
    remind = selectors.remind_days_by_team(team_ids)
    for action in active:
        if action.overdue_on(today, grace_days=selectors.grace_days_for(action, grace)):
            yield action, ReminderKind.OVERDUE, action.due_on
            continue
        days_before = selectors.remind_days_for(action, remind)
        if days_before and action.due_on - timedelta(days=days_before) <= today <= action.due_on:
            yield action, ReminderKind.DUE_SOON, action.due_on
    for action in selectors.checks_due(today=today):
        yield action, ReminderKind.CHECK_DUE, action.check_on


def plan_reminders(*, today: date | None = None) -> list[PlannedReminder]:
    """Reminders due on `today` that were not sent (or reserved) before."""
    today = today or timezone.localdate()
    candidates = list(_candidates(today))
    reserved = set(
        ActionReminder.objects.filter(action_id__in={action.pk for action, _kind, _date in candidates}).values_list(
            "action_id", "kind", "for_date", "recipient_id"
        )
    )
    return [
        PlannedReminder(action=action, kind=kind, for_date=for_date, recipient=person)
        for action, kind, for_date in candidates
        for person in recipients_for(action)
        if (action.pk, kind, for_date, person.pk) not in reserved
    ]


def action_link(action: Action) -> str:
    return f"{settings.BASE_URL}{reverse('actions:detail', args=[action.pk])}"


def still_relevant(reminder: ActionReminder) -> bool:
    """The action may have moved on between queueing and sending: don't nag about done work."""
    action = reminder.action
    if reminder.kind == ReminderKind.CHECK_DUE:
        return action.status == Status.DONE and not action.effect
    return action.status in ACTIVE_STATUSES and action.due_on == reminder.for_date


SUBJECTS = {
    ReminderKind.DUE_SOON: gettext_lazy("Due %(due)s: %(title)s"),
    ReminderKind.OVERDUE: gettext_lazy("Overdue since %(due)s: %(title)s"),
    ReminderKind.CHECK_DUE: gettext_lazy("Did it work? %(title)s"),
}


def recipient_language(person) -> str:
    """The language an email to `person` is written in: their own choice (the `language` the core
    i18n work adds to Person; org.language.for_person once merged) or the site's default."""
    code = getattr(person, "language", "") or ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def deliver_reminder(reminder_id: int) -> bool:
    """Send one reserved reminder. Safe to run twice: a sent reminder is not sent again."""
    with transaction.atomic():
        reminder = (
            ActionReminder.objects.select_for_update(of=("self",))
            .select_related("action", "action__team", "recipient")
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None or not reminder.recipient.is_active or not still_relevant(reminder):
            return False
        action = reminder.action
        with translation.override(recipient_language(reminder.recipient)):
            subject = str(SUBJECTS[reminder.kind]) % {
                "due": formats.date_format(reminder.for_date, "j M"), "title": action.title}
            body = render_to_string("actions/email/reminder.txt", {
                "reminder": reminder, "action": action, "person": reminder.recipient, "link": action_link(action),
            })
        # Sent while the row is locked, and recorded in the same transaction: a retry or a second
        # worker finds sent_at set. The key gives every attempt the same Message-ID.
        send_keyed(f"reminder:{reminder.pk}", subject[:200], body, [reminder.recipient.email])
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return True
