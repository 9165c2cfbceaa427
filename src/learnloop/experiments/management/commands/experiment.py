"""`learnloop experiment analyze FILE`: analyse one metric's per-variant aggregates;
`learnloop experiment compute --source URL …`: compute them in the warehouse first.

The work is in learnloop.experiments.analyze_cli and compute_cli, which the `learnloop` entry point runs without
starting Django; this command makes it available through Django's command line too.
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learnloop.experiments import analyze_cli, compute_cli


class Command(BaseCommand):
    help = (
        "Experiment statistics for analysts: `experiment analyze FILE` compares every variation with the control; "
        "`experiment compute` computes the sums in a warehouse first."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="analyze|compute|refresh|refresh-due")
        analyze_cli.add_arguments(
            actions.add_parser("analyze", help=analyze_cli.HELP, description=analyze_cli.DESCRIPTION)
        )
        compute_cli.add_arguments(
            actions.add_parser("compute", help=compute_cli.HELP, description=compute_cli.DESCRIPTION)
        )

        refresh = actions.add_parser(
            "refresh", help="Compute an experiment's warehouse-defined metrics and store them as today's snapshot.",
        )
        refresh.add_argument("experiment", metavar="EXPERIMENT", help="The experiment's id or its exact title.")
        refresh.add_argument("--as", dest="person", required=True, metavar="EMAIL",
                             help="Refresh as this owner, facilitator or learning lead.")
        refresh.add_argument("--source", metavar="URL", help="Store this data source first (no password: env:NAME).")
        refresh.add_argument("--exposure-sql", type=Path, metavar="FILE", help="Store this exposure SQL first.")
        refresh.add_argument("--metric-sql", action="append", default=[], metavar="METRIC=FILE",
                             help="Store this metric's SQL first (repeatable).")
        refresh.add_argument("--conversion-window-hours", type=float, default=None, metavar="H",
                             help="With --metric-sql: the conversion window of those metrics.")
        refresh.add_argument("--date", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                             help="The snapshot's date (default today).")

        due = actions.add_parser(
            "refresh-due", help="Queue the scheduled warehouse refreshes that are due (run it from cron).",
        )
        due.add_argument("--run", action="store_true",
                         help="Run the queued refreshes here and now instead of leaving them to the worker.")

    def handle(self, *args, action, **options):
        if action == "refresh-due":
            self._refresh_due(run=options["run"])
            return
        if action == "refresh":
            self._refresh(**options)
            return
        if action == "compute":
            try:
                output = compute_cli.compute(**options)
            except compute_cli.BadInput as error:
                raise CommandError(str(error), returncode=compute_cli.BAD_INPUT) from error
            self.stdout.write(output, ending="")
            return
        try:
            output = analyze_cli.analyze(**options)
        except analyze_cli.BadFile as error:
            raise CommandError(str(error), returncode=analyze_cli.BAD_INPUT) from error
        self.stdout.write(output, ending="")

    def _refresh_due(self, *, run: bool) -> None:
        from learnloop.experiments import warehouse_refresh, warehouse_run

        queued = warehouse_refresh.queue_due_refreshes()
        for refresh in queued:
            line = f"queued: {refresh.experiment.title} (refresh {refresh.pk})"
            if run:
                line += f" → {warehouse_run.run_refresh(refresh.pk)}"
            self.stdout.write(line)
        self.stdout.write(f"{len(queued)} refresh{'es' if len(queued) != 1 else ''} due")

    def _refresh(self, *, experiment, person, source, exposure_sql, metric_sql, conversion_window_hours, date,
                 **_) -> None:
        from django.core.exceptions import PermissionDenied, ValidationError

        from learnloop.experiments import warehouse
        from learnloop.experiments.models import Experiment
        from learnloop.org.models import Person

        def refuse(message):
            return CommandError(message, returncode=compute_cli.BAD_INPUT)

        def read(path: Path) -> str:
            try:
                return path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise refuse(f"{path}: cannot be read ({error}).") from None

        matches = list(Experiment.objects.filter(pk=int(experiment)) if experiment.isdigit()
                       else Experiment.objects.filter(title__iexact=experiment.strip()))
        if len(matches) != 1:
            raise refuse(f"No experiment with the id or title {experiment!r}." if not matches else
                         f"{len(matches)} experiments are titled {experiment!r}: give the id instead.")
        found = matches[0]
        by = Person.objects.filter(email__iexact=person.strip(), is_active=True).first()
        if by is None:
            raise refuse(f"--as {person}: no active person has this address.")
        try:
            if source or exposure_sql:
                stored = getattr(found, "warehouse_source", None)
                if not (source or stored) or not (exposure_sql or stored):
                    raise refuse("Give both --source and --exposure-sql the first time.")
                warehouse.set_source(by=by, experiment=found, source=source or stored.source,
                                     exposure_sql=read(exposure_sql) if exposure_sql else stored.exposure_sql)
            for item in metric_sql:
                name, _, path = item.partition("=")
                metric = found.metrics.filter(name__iexact=name.strip()).first()
                if metric is None or not path:
                    raise refuse(f"--metric-sql {item}: give METRIC=FILE with one of the experiment's metrics "
                                 f"({', '.join(found.metrics.values_list('name', flat=True))}).")
                warehouse.set_metric_definition(by=by, metric=metric, metric_sql=read(Path(path)),
                                                window_hours=conversion_window_hours)
            snapshot, warnings = warehouse.refresh_experiment(by=by, experiment=found, taken_on=date)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise refuse(f"Not refreshed (the previous snapshot stays): {text}") from error
        for warning in warnings:
            self.stdout.write(f"Warning: {warning}")
        count = snapshot.aggregates.values("metric").distinct().count()
        self.stdout.write(f"{found.title} (#{found.pk}): snapshot of {snapshot.taken_on} refreshed from the "
                          f"warehouse ({count} metrics).")
