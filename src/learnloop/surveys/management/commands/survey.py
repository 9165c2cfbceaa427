"""`learnloop survey reliability FILE.csv --items A,B,C [--reverse B] --scale 1-5 [--group team] --format json|table`
`learnloop survey remind [--now] [--dry-run]` and `learnloop survey close CAMPAIGN [--wait] [--as EMAIL]`.

Reliability is for analysts: the reliability of one scale from a CSV with one row per respondent. Needs no
database. Bad input (unreadable file, unknown columns, answers that aren't numbers or fall
outside the scale) stops with a message saying what and where, and exit status 2.
"""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.analytics.psychometrics.answers_file import (
    AnswersFileError,
    parse_columns,
    parse_scale,
    read_answers,
)
from learnloop.analytics.psychometrics.report import OMEGA_FACTORS, ReliabilityReport, reliability_report

BAD_INPUT = 2


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
            help="Cronbach's alpha (with Feldt's 95%% interval), omega total, item-total correlations, "
            "alpha if item deleted; with --group also rwg(j), ICC(1) and ICC(2).",
        )
        reliability.add_argument("file", type=Path, metavar="FILE.csv", help="One row per respondent, a header row.")
        reliability.add_argument("--items", required=True, metavar="COL,COL,...", help="The scale's item columns.")
        reliability.add_argument(
            "--reverse", default="", metavar="COL,...", help="Reverse-keyed items, scored MIN+MAX-answer."
        )
        reliability.add_argument("--scale", required=True, metavar="MIN-MAX", help="The answer range, e.g. 1-5.")
        reliability.add_argument("--group", metavar="COL", help="Column naming each respondent's group (team).")
        reliability.add_argument("--format", choices=["json", "table"], default="table")
        reliability.add_argument(
            "--omega-factors", type=int, default=OMEGA_FACTORS, metavar="N",
            help=f"Group factors for omega total (psych::omega's nfactors; default {OMEGA_FACTORS}).",
        )

    def handle(self, *args, action, **options):
        if action == "remind":
            self._remind(now=options["now"], dry_run=options["dry_run"])
            return
        if action == "close":
            self._close(options["campaign"], wait=options["wait"], email=options["person"])
            return
        try:
            report = self._reliability(options)
        except (AnswersFileError, ValueError) as error:
            raise CommandError(str(error), returncode=BAD_INPUT) from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(format_table(report))

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
            return CommandError(message, returncode=BAD_INPUT)

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

    def _reliability(self, options) -> ReliabilityReport:
        items = parse_columns(options["items"], "--items")
        reverse = parse_columns(options["reverse"], "--reverse") if options["reverse"] else []
        scale = parse_scale(options["scale"])
        if options["omega_factors"] < 1:
            raise AnswersFileError("--omega-factors must be 1 or more.")
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise AnswersFileError(f"{path}: no such file.") from None
        except IsADirectoryError:
            raise AnswersFileError(f"{path} is a directory, not a CSV file.") from None
        except OSError as error:
            raise AnswersFileError(f"{path} can't be read: {error.strerror or error}.") from None
        answers = read_answers(content, items=items, scale=scale, group=options["group"])
        return reliability_report(
            answers.values, items=items, scale=scale, reverse=reverse, groups=answers.groups,
            group_column=options["group"] or "group", omega_factors=options["omega_factors"],
        )


def _number(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def format_table(report: ReliabilityReport) -> str:
    low, high = report.alpha_ci
    lines = [
        f"Respondents: {report.n} ({report.n_scored} with a scale score); "
        f"scale {report.scale.minimum:g}-{report.scale.maximum:g}",
        f"Cronbach's alpha: {_number(report.alpha)}  (95% CI {_number(low)} to {_number(high)}, Feldt)",
        f"Omega total: {_number(report.omega_total)}"
        + (f"  ({report.omega_factors} group factors; one-factor {_number(report.omega_total_one_factor)})"
           if report.omega_factors else ""),
        f"Scale score: mean {_number(report.score_mean, 2)}, sd {_number(report.score_sd, 2)}",
        "",
    ]
    width = max([len("item"), *(len(item.item) + (4 if item.reversed else 0) for item in report.items)])
    lines.append(f"{'item':<{width}}  {'n':>6}  {'mean':>5}  {'sd':>5}  {'r.drop':>6}  {'alpha if deleted':>16}")
    for item in report.items:
        name = item.item + (" (R)" if item.reversed else "")
        lines.append(
            f"{name:<{width}}  {item.n:>6}  {_number(item.mean, 2):>5}  {_number(item.sd, 2):>5}  "
            f"{_number(item.item_total_r):>6}  {_number(item.alpha_if_deleted):>16}"
        )
    grouping = report.grouping
    if grouping is not None:
        lines += [
            "",
            f"Grouped by {grouping.column}: {len(grouping.groups)} groups"
            + (f", {grouping.ungrouped} respondents without a group left out" if grouping.ungrouped else ""),
            f"ICC(1): {_number(grouping.icc1)}  ICC(2): {_number(grouping.icc2)}  "
            f"mean rwg(j): {_number(grouping.rwg_j_mean)}  (uniform null, variance {grouping.null_variance:g})",
            "",
        ]
        group_width = max([len("group"), *(len(group.group) for group in grouping.groups)])
        lines.append(f"{'group':<{group_width}}  {'n':>5}  {'mean':>5}  {'rwg(j)':>6}")
        for group in grouping.groups:
            lines.append(
                f"{group.group:<{group_width}}  {group.n:>5}  {_number(group.mean, 2):>5}  {_number(group.rwg_j):>6}"
            )
    return "\n".join(lines)
