"""Reminder and digest jobs: who gets which email, once."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from learnloop.actions import reminders, sending, services
from learnloop.actions.models import ActionReminder, DigestDelivery
from tests import factories

TODAY = date(2026, 3, 10)  # a Tuesday


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9))


@pytest.fixture
def due_in_two_days(teammate, team):
    return services.create_action(by=teammate, title="Rotate the API keys", team=team, owner=teammate,
                                  due_on=TODAY + timedelta(days=2), at=at(TODAY - timedelta(days=5)))


@pytest.fixture
def overdue(teammate, team):
    return services.create_action(by=teammate, title="Fix the flaky test", team=team, owner=teammate,
                                  due_on=TODAY - timedelta(days=1), at=at(TODAY - timedelta(days=9)))


@pytest.fixture
def check_today(facilitator, team):
    action = services.create_action(by=facilitator, title="Shorter stand-ups", team=team, owner=facilitator,
                                    at=at(TODAY - timedelta(days=40)))
    services.complete_action(by=facilitator, action=action, check_on=TODAY, at=at(TODAY - timedelta(days=30)))
    return action


def subjects() -> list[str]:
    return sorted(message.subject for message in mail.outbox)


def test_each_kind_of_reminder_goes_to_the_owner(due_in_two_days, overdue, check_today, teammate, facilitator):
    handled = sending.run_reminders(today=TODAY)
    assert len(handled) == 3
    assert subjects() == ["Did it work? Shorter stand-ups", "Due 12 Mar: Rotate the API keys",
                          "Overdue since 9 Mar: Fix the flaky test"]
    recipients = {message.subject: message.to for message in mail.outbox}
    assert recipients["Due 12 Mar: Rotate the API keys"] == [teammate.email]
    assert recipients["Did it work? Shorter stand-ups"] == [facilitator.email]
    body = next(m.body for m in mail.outbox if m.subject.startswith("Overdue"))
    assert f"/actions/{overdue.pk}/" in body and "Payments" in body


def test_running_twice_sends_nothing_new(due_in_two_days, overdue, check_today):
    sending.run_reminders(today=TODAY)
    sending.run_reminders(today=TODAY)
    sending.run_reminders(today=TODAY + timedelta(days=1))  # still overdue tomorrow: no second email
    assert len(mail.outbox) == 3
    assert ActionReminder.objects.filter(sent_at__isnull=False).count() == 3


def test_moving_the_due_date_arms_the_reminder_again(overdue, teammate):
    sending.run_reminders(today=TODAY)
    services.update_action(by=teammate, action=overdue, due_on=TODAY + timedelta(days=1))
    sending.run_reminders(today=TODAY)
    assert [m.subject for m in mail.outbox][-1] == "Due 11 Mar: Fix the flaky test"


def test_nothing_before_the_reminder_window_and_grace_days_delay_overdue(teammate, facilitator, team):
    services.create_action(by=teammate, title="Far away", team=team, owner=teammate, due_on=TODAY + timedelta(days=3))
    services.create_action(by=teammate, title="Just late", team=team, owner=teammate, due_on=TODAY - timedelta(days=1))
    services.set_team_policy(by=facilitator, team=team, overdue_grace_days=2, remind_days_before=2)
    assert sending.run_reminders(today=TODAY) == []
    assert mail.outbox == []


def test_unassigned_team_action_reminds_the_facilitators_and_nobody_deactivated(facilitator, team):
    services.create_action(by=facilitator, title="Someone should", team=team, owner=None,
                           due_on=TODAY - timedelta(days=3))
    gone = factories.person(is_active=False, deactivated_at=timezone.now())
    factories.membership(gone, team, role="facilitator")
    sending.run_reminders(today=TODAY)
    assert [message.to for message in mail.outbox] == [[facilitator.email]]


def test_closed_actions_are_not_reminded(overdue, teammate):
    services.decline_action(by=teammate, action=overdue, reason="Test deleted")
    assert sending.run_reminders(today=TODAY) == []


def test_dry_run_lists_and_changes_nothing(overdue):
    planned = sending.run_reminders(today=TODAY, dry_run=True)
    assert [item.action for item in planned] == [overdue]
    assert mail.outbox == [] and not ActionReminder.objects.exists()


def test_reminder_queued_then_action_done_is_not_sent(overdue, teammate):
    planned = reminders.plan_reminders(today=TODAY)
    reminder = ActionReminder.objects.create(action=overdue, kind=planned[0].kind, for_date=overdue.due_on,
                                             recipient=teammate)
    services.complete_action(by=teammate, action=overdue, effect="worked")
    assert reminders.deliver_reminder(reminder.pk) is False
    assert mail.outbox == []


# --- the weekly digest -------------------------------------------------------------------------


def test_digest_once_a_week_per_person_with_their_actions(due_in_two_days, overdue, check_today, teammate, member):
    handled = sending.run_digests(today=TODAY)
    assert sorted(item.person.email for item in handled) == sorted([teammate.email, "fay.facilitator@example.org"])
    mine = next(m for m in mail.outbox if m.to == [teammate.email])
    assert mine.subject == "Your actions this week: 2 open, 1 overdue"
    assert "Fix the flaky test" in mine.body and "Rotate the API keys" in mine.body
    theirs = next(m for m in mail.outbox if m.to != [teammate.email])
    assert "Did it work? (1)" in theirs.body and "Shorter stand-ups" in theirs.body
    sending.run_digests(today=TODAY + timedelta(days=2))  # same week
    assert len(mail.outbox) == 2
    assert DigestDelivery.objects.filter(week_of=date(2026, 3, 9)).count() == 2


# --- the commands ------------------------------------------------------------------------------


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_remind_command_dry_run_then_now(overdue, teammate):
    output = run("actions", "remind", "--dry-run", "--today", TODAY.isoformat())
    assert "Fix the flaky test" in output and "1 reminder would be sent." in output
    assert mail.outbox == []
    output = run("actions", "remind", "--now", "--today", TODAY.isoformat())
    assert "1 reminder sent." in output and len(mail.outbox) == 1
    assert "0 reminders sent." in run("actions", "remind", "--now", "--today", TODAY.isoformat())


def test_digest_command(overdue):
    assert "1 digest queued." in run("actions", "digest", "--today", TODAY.isoformat())
    assert len(mail.outbox) == 1  # the test queue runs tasks at once


def test_bad_date_is_a_clear_error(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="use a date like"):
        run("actions", "remind", "--today", "tomorrow")


def test_a_reminder_whose_email_failed_is_retried_once_by_a_later_run(overdue, teammate, monkeypatch):
    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(reminders, "send_keyed", mail_server_down)
    run("actions", "remind", "--today", TODAY.isoformat())  # the queued task fails
    reminder = ActionReminder.objects.get()
    assert reminder.sent_at is None and mail.outbox == []

    monkeypatch.undo()
    ActionReminder.objects.filter(pk=reminder.pk).update(created_at=timezone.now() - timedelta(hours=2))
    output = run("actions", "remind", "--today", TODAY.isoformat())
    assert "1 earlier reminder not sent yet: queued again." in output
    assert [message.to for message in mail.outbox] == [[teammate.email]]
    assert "0 reminders queued." in run("actions", "remind", "--today", TODAY.isoformat())
    assert len(mail.outbox) == 1
