"""`learnloop actions remind` and `learnloop actions digest`: run from cron or a systemd timer.

Each finds what is due today and queues one email per reminder (or digest) on the database
queue, for `learnloop worker` to send. Both are idempotent: run them as often as you like.
`--now` sends inline instead (no worker needed), `--dry-run` lists and changes nothing.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from learnloop.actions import sending


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today {value}: use a date like 2026-03-31.") from error


class Command(BaseCommand):
    help = "Queue (or send) action reminders and the weekly digest."

    def add_arguments(self, parser):
        jobs = parser.add_subparsers(dest="job", required=True, metavar="remind|digest")
        for name, text in (
            ("remind", "Reminders: due soon, overdue, effectiveness check due. Each is sent once."),
            ("digest", "The weekly digest: one email per person per week with their open and to-check actions."),
        ):
            job = jobs.add_parser(name, help=text)
            job.add_argument("--now", action="store_true", help="Send the emails now instead of queueing them.")
            job.add_argument("--dry-run", action="store_true", help="List what would be sent; change nothing.")
            job.add_argument("--today", type=str, default="", help="Run as if it were this date (YYYY-MM-DD).")

    def handle(self, *args, job, now, dry_run, today, **options):
        day = _day(today) if today else None
        retried = 0
        if job == "remind":
            handled = sending.run_reminders(today=day, send_now=now, dry_run=dry_run)
            lines = [item.describe() for item in handled]
            noun = "reminder"
            retried = sending.retry_unsent(send_now=now, dry_run=dry_run)
        else:
            handled = sending.run_digests(today=day, send_now=now, dry_run=dry_run)
            lines = [
                f"digest → {item.person.email}: {len(item.open)} open, {len(item.overdue)} overdue, "
                f"{len(item.to_check)} to check"
                for item in handled
            ]
            noun = "digest"
        for line in lines:
            self.stdout.write(line)
        count = len(handled)
        plural = noun if count == 1 else f"{noun}s"
        verb = "would be sent" if dry_run else ("sent" if now else "queued")
        self.stdout.write(self.style.SUCCESS(f"{count} {plural} {verb}."))
        if retried:
            self.stdout.write(f"{retried} earlier reminder{'s' if retried != 1 else ''} not sent yet: {verb} again.")
