"""`learnloop metrics show [--team T] --format json`: the metrics catalogue's values for the
organization or one team (its slug), with the learning-health index, as the API gives them.

Survey scale scores are what the disclosure gate releases to the person named by --as (default:
the first active admin or learning lead, who sees every released group); nothing else is read."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from learnloop.insights import metrics
from learnloop.insights.dashboard_forms import PeriodForm
from learnloop.org.models import OrgRole, Person


class Command(BaseCommand):
    help = "Learning metrics: `metrics show [--team SLUG] --format json` prints the catalogue's values."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="show")
        show = verbs.add_parser("show", help="The metrics of the organization or one team, and its health index.")
        show.add_argument("--team", metavar="SLUG", help="A team's or department's slug (default: the organization).")
        show.add_argument("--since", metavar="YYYY-MM-DD", help="First day of the period (default: 12 months).")
        show.add_argument("--until", metavar="YYYY-MM-DD", help="Last day of the period (default: today).")
        show.add_argument("--format", choices=("json", "text"), default="text")
        show.add_argument("--as", dest="as_email", metavar="EMAIL",
                          help="Whose view of the survey results to use (default: the first admin or learning lead).")

    def handle(self, *args, verb, team=None, since=None, until=None, format="text", as_email=None, **options):
        form = PeriodForm({"since": since or "", "until": until or ""})
        if not form.is_valid():
            raise CommandError("; ".join(f"--{field}: {problems[0]}" for field, problems in form.errors.items()))
        viewer = self._viewer(as_email)
        teams = metrics.all_teams()
        chosen = None
        if team:
            chosen = next((item for item in teams if item.slug == team), None)
            if chosen is None:
                raise CommandError(f"--team: no team has the slug {team!r}.")
        try:
            report = metrics.metrics_report(viewer=viewer, scope=metrics.scope_for(chosen, teams),
                                            since=form.cleaned_data["since"], until=form.cleaned_data["until"])
        except ValidationError as error:
            raise CommandError(str(error)) from error
        report.pop("_facts")
        if format == "json":
            self.stdout.write(json.dumps(report, cls=DjangoJSONEncoder, indent=2))
            return
        self.stdout.write(f"{report['scope']['name']} ({report['scope']['kind']}), "
                          f"{report['period']['since']} to {report['period']['until']}")
        for metric in report["metrics"]:
            value = metric["value"]
            if isinstance(value, list):
                value = ", ".join(f"{item['name']} {item['mean']:.2f}" for item in value)
            elif value is None:
                value = f"missing ({metric['missing_reason']})"
            elif isinstance(value, float):
                value = f"{value:.4g}"
            self.stdout.write(f"  {metric['name']}: {value}")
        index = report["health_index"]
        shown = "incomplete" if index["value"] is None else f"{index['value']:.1f} / 100 ({index['status']})"
        self.stdout.write(f"Learning-health index: {shown}")

    def _viewer(self, email):
        if email:
            viewer = Person.objects.filter(email__iexact=email, is_active=True).first()
            if viewer is None:
                raise CommandError(f"--as: nobody active has the address {email!r}.")
            return viewer
        return (Person.objects.filter(is_active=True, role__in=[OrgRole.ADMIN, OrgRole.LEARNING_LEAD])
                .order_by("pk").first())
