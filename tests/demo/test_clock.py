"""The demo dates its history with one explicit clock, never by replacing Django's."""

import ast
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

from learnloop.demo.clock import DemoClock

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "learnloop"


def test_the_clock_counts_from_the_start_of_today_in_the_site_time_zone():
    clock = DemoClock.starting_today()
    assert clock.today == timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    assert clock.date == timezone.localdate()
    assert clock.days_ago(3) == clock.today - timedelta(days=3)
    assert clock.days_ago(-6) == clock.today + timedelta(days=6)
    moment = clock.on(date(2026, 3, 1), 14, 5)
    assert timezone.localtime(moment).replace(tzinfo=None) == datetime(2026, 3, 1, 14, 5)


def test_no_module_replaces_the_real_clock():
    # A replaced timezone.now would date every write of every thread in the process (the server's
    # too, were the demo run inside it); the builders pass `at=` to the services instead.
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            offenders += [
                f"{path.relative_to(PACKAGE)}:{node.lineno}"
                for target in targets
                if isinstance(target, ast.Attribute) and target.attr in {"now", "localdate", "localtime"}
                and isinstance(target.value, ast.Name) and target.value.id == "timezone"
            ]
    assert not offenders, f"timezone replaced at {offenders}"
