"""The reminder and weekly digest runs of `learnloop actions`: reserve each email, then queue it
for the worker (or send it now).

reminders.py and digest.py decide what is due and deliver one email; tasks.py runs a delivery on
the worker; this module reserves and queues, so the imports go one way:
sending → tasks → reminders, digest.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from learnloop.actions import digest, reminders
from learnloop.actions.models import ActionReminder, DigestDelivery
from learnloop.actions.tasks import send_action_reminder, send_weekly_digest


def run_reminders(
    *, today: date | None = None, send_now: bool = False, dry_run: bool = False,
) -> list[reminders.PlannedReminder]:
    """Reserve and queue (or, with send_now, send) today's reminders. Returns what was handled."""
    planned = reminders.plan_reminders(today=today)
    if dry_run:
        return planned
    handled = []
    for item in planned:
        try:
            with transaction.atomic():
                reminder = ActionReminder.objects.create(
                    action=item.action, kind=item.kind, for_date=item.for_date, recipient=item.recipient
                )
                if not send_now:
                    # Queued in the same transaction as the reservation: both happen, or neither.
                    send_action_reminder.enqueue(reminder.pk)
        except IntegrityError:
            continue  # another run reserved it a moment ago
        if send_now:
            reminders.deliver_reminder(reminder.pk)
        handled.append(item)
    return handled


# A reserved reminder whose email failed (mail server down, worker crashed) is tried again by
# later runs for this long; a younger one may simply still be waiting in the queue.
RETRY_AFTER = timedelta(hours=1)
RETRY_FOR = timedelta(days=7)


def retry_unsent(*, send_now: bool = False, dry_run: bool = False) -> int:
    """Queue again (or send) reminders reserved earlier whose email never went out.

    Delivery is idempotent, so one that was merely slow to leave the queue is still sent once.
    """
    now = timezone.now()
    stuck = ActionReminder.objects.filter(
        sent_at__isnull=True, created_at__lt=now - RETRY_AFTER, created_at__gte=now - RETRY_FOR
    ).select_related("action")
    pending = [reminder.pk for reminder in stuck if reminder.recipient_id and reminders.still_relevant(reminder)]
    if dry_run:
        return len(pending)
    for reminder_id in pending:
        if send_now:
            reminders.deliver_reminder(reminder_id)
        else:
            send_action_reminder.enqueue(reminder_id)
    return len(pending)


def run_digests(*, today: date | None = None, send_now: bool = False, dry_run: bool = False) -> list[digest.Digest]:
    today = today or timezone.localdate()
    planned = digest.plan_digests(today=today)
    if dry_run:
        return planned
    handled = []
    for person_digest in planned:
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(person=person_digest.person, week_of=digest.week_of(today))
                if not send_now:
                    # Queued in the same transaction as the reservation: both happen, or neither.
                    send_weekly_digest.enqueue(delivery.pk, today.isoformat())
        except IntegrityError:
            continue  # another run reserved it a moment ago
        if send_now:
            digest.deliver_digest(delivery.pk, today=today)
        handled.append(person_digest)
    digest.digests_run.send(sender=digest.Digest, today=today, send_now=send_now)
    return handled
