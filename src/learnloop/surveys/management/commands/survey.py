"""`learnloop survey reliability FILE.csv --items A,B,C [--reverse B] --scale 1-5 [--group team] --format json|table`
`learnloop survey remind [--now] [--dry-run]` and `learnloop survey close CAMPAIGN [--wait] [--as EMAIL]`.

Reliability is for analysts and needs no database: it lives in learnloop.surveys.reliability_cli,
which the `learnloop` entry point runs without starting Django.
"""

from django.core.management.base import BaseCommand, CommandError

from learnloop.surveys import reliability_cli


class Command(BaseCommand):
    help = "Survey analysis for analysts: `survey reliability FILE.csv ...` (see `survey reliability --help`)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="reliability|remind|close")
        close = actions.add_parser(
            "close",
            help="Close a campaign: answers stop at once and the background worker decides what may be "
            "shown (with --wait, decided here; also finishes a campaign left closing).",
        )
        close.add_argument("campaign", metavar="CAMPAIGN", help="The campaign's id or its exact name.")
        close.add_argument("--wait", action="store_true",
                           help="Make the disclosure decision here and print what was released.")
        close.add_argument("--as", dest="person", metavar="EMAIL",
                           help="Close as this learning lead or admin (default: as the operator).")
        remind = actions.add_parser(
            "remind",
            help="For cron, daily: remind everyone who hasn't answered an open campaign in its last days "
            "(once per person; reminders already sent by hand count).",
        )
        remind.add_argument("--now", action="store_true", help="Send the emails now instead of queueing them.")
        remind.add_argument("--dry-run", action="store_true", help="Only say how many would be reminded.")
        reliability = actions.add_parser(
            "reliability",
            help=reliability_cli.HELP,
        )
        reliability_cli.add_arguments(reliability)

    def handle(self, *args, action, **options):
        if action == "remind":
            self._remind(now=options["now"], dry_run=options["dry_run"])
            return
        if action == "close":
            self._close(options["campaign"], wait=options["wait"], email=options["person"])
            return
        try:
            self.stdout.write(reliability_cli.reliability(options), ending="")
        except reliability_cli.BadAnswers as error:
            raise CommandError(str(error), returncode=reliability_cli.BAD_INPUT) from error

    def _remind(self, *, now: bool, dry_run: bool) -> None:
        from learnloop.surveys.services import send_due_reminders

        reminded = send_due_reminders(send_now=now, dry_run=dry_run)
        verb = "would remind" if dry_run else ("reminded" if now else "queued reminders for")
        for campaign, count in reminded.items():
            self.stdout.write(f"{campaign.name}: {verb} {count} {'person' if count == 1 else 'people'}.")
        if not reminded:
            self.stdout.write("No open campaign is in its reminder window.")

    def _close(self, identifier: str, *, wait: bool, email: str | None) -> None:
        from django.core.exceptions import PermissionDenied, ValidationError

        from learnloop.org.models import Person
        from learnloop.surveys import release, services
        from learnloop.surveys.models import Campaign, CampaignStatus

        def refuse(message):
            return CommandError(message, returncode=reliability_cli.BAD_INPUT)

        matches = list(Campaign.objects.filter(pk=int(identifier)) if identifier.isdigit()
                       else Campaign.objects.filter(name__iexact=identifier.strip()))
        if not matches:
            raise refuse(f"No campaign with the id or name {identifier!r}.")
        if len(matches) > 1:
            ids = ", ".join(f"{campaign.pk} ({campaign.opens_on})" for campaign in matches)
            raise refuse(f"{len(matches)} campaigns are named {identifier!r}: give the id instead ({ids}).")
        campaign = matches[0]
        person = None
        if email:
            person = Person.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if person is None:
                raise refuse(f"--as {email}: no active person has this address.")
        if campaign.status == CampaignStatus.CLOSING and wait:
            self.stdout.write(f"{campaign.name} (#{campaign.pk}) was already closing; deciding here.")
        else:
            try:
                campaign = services.begin_closing_campaign(
                    by=person, campaign=campaign, operator=person is None, queue=not wait)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                raise refuse(text) from error
        if not wait:
            self.stdout.write(
                f"{campaign.name} (#{campaign.pk}) is closing: answers have stopped, and the background worker "
                "(`learnloop worker`) decides what may be shown. Nothing is shown until then."
            )
            return
        done = release.decide_and_publish(campaign.pk)
        self.stdout.write(
            f"{campaign.name} (#{campaign.pk}) is closed: {done['groups']} groups decided, "
            f"{done['released']} shown, {done['withheld']} withheld."
        )
