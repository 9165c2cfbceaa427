"""The demo organization's dashboards tell a story: every chart has data, teams differ in
learning health, and the funnel shows where Harbourline's loop leaks (lessons are kept but
rarely reused)."""

import pytest
from django.core.management import call_command

from learnloop.demo import build_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from learnloop.insights import dashboard_data, metrics
    from learnloop.org.models import Person

    with django_db_blocker.unblock():
        try:
            build_demo(seed=42)
            lead = Person.objects.filter(role="learning_lead").order_by("pk").first()
            since, until = metrics.default_period()
            data = dashboard_data.dashboard(viewer=lead, scope=metrics.scope_for(None), teams=metrics.all_teams(),
                                            since=since, until=until)
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return data


def test_every_chart_of_the_organization_dashboard_has_data(demo):
    for chart in demo["charts"]:
        assert chart["rows"], chart["id"]
    values = {metric["key"]: metric["value"] for metric in demo["report"]["metrics"]}
    missing = [key for key, value in values.items() if value is None]
    assert missing == []
    assert demo["report"]["health_index"]["status"] == "complete"


def test_teams_differ_in_learning_health(demo):
    indexes = [row["index"] for row in demo["comparison"]["teams"] if row["index"] is not None]
    assert len(indexes) >= 8
    assert max(indexes) - min(indexes) > 10


def test_the_funnel_shows_lessons_kept_but_rarely_reused(demo):
    stages = {row[0]: row[1] for row in next(c for c in demo["charts"] if c["id"] == "funnel")["rows"]}
    assert stages["Cards written"] > stages["Actions raised"] > stages["Actions done"] > stages["Found effective"]
    assert stages["Lessons reused"] < 0.3 * stages["Lessons kept"]
