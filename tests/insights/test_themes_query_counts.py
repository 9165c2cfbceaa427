"""No N+1 on the themes pages and API: the same queries at ten times the data (as in
tests/web/test_query_counts.py, with a regrouping after the organization grew)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import Theme, ThemeItem
from tests import factories
from tests.web.test_query_counts import SCALE, _count, _grow_session

pytestmark = pytest.mark.django_db

PAGES = [
    ("web", "themes list", "admin", "/insights/themes/"),
    ("web", "themes list of a lead", "lead", "/insights/themes/"),
    ("web", "themes list filtered", "admin", "/insights/themes/?source=action&month={month}"),
    ("web", "theme detail", "admin", "/insights/themes/{theme_id}/"),
    ("web", "theme detail of a lead", "lead", "/insights/themes/{theme_id}/"),
    ("web", "organization dashboard", "admin", "/insights/organization/"),
    ("web", "team dashboard's theme recurrence csv", "lead", "/insights/teams/{team_slug}/theme-recurrence.csv"),
    ("web", "theme corrections", "admin", "/insights/themes/corrections/"),
    ("api", "theme corrections list", "admin", "/api/v1/insights/theme-corrections"),
    ("api", "themes", "admin", "/api/v1/insights/themes"),
    ("api", "theme", "lead", "/api/v1/insights/themes/{theme_id}"),
]


@pytest.fixture(scope="module")
def query_counts(django_db_setup, django_db_blocker):
    from unittest import mock

    from learnloop.demo import DemoContext
    from learnloop.demo.clock import DemoClock
    from learnloop.demo.scale import replicate

    counts = {}
    with (django_db_blocker.unblock(), transaction.atomic(),
          mock.patch("learnloop.accounts.services.LAST_USED_RESOLUTION", timedelta(days=1)),
          mock.patch("learnloop.ops.storage.CHECK_CACHE_SECONDS", 24 * 3600)):
        people, _ = factories.small_organization()
        services.rebuild()
        theme_id = ThemeItem.objects.get(text="Write the rollback runbook 0", team=people["team"]).theme_id
        services.rename_theme(by=people["admin"], theme=Theme.objects.get(pk=theme_id), name="Runbooks")
        ids = {"theme_id": theme_id, "month": timezone.localdate().strftime("%Y-%m"), "team_slug": people["team"].slug}
        clients = {"web": {}, "api": {}}
        for viewer in ("admin", "lead"):
            clients["web"][viewer] = Client()
            clients["web"][viewer].force_login(people[viewer])
            clients["api"][viewer] = factories.token_client(people[viewer])
            clients["api"][viewer].get("/api/v1/me")
        for kind, _, viewer, path in PAGES:
            clients[kind][viewer].get(path.format(**ids))
        sizes = [ThemeItem.objects.filter(theme_id=theme_id).count(), ThemeItem.objects.count()]
        for kind, name, viewer, path in PAGES:
            counts[name] = [_count(clients[kind], viewer, path.format(**ids))]
        context = DemoContext(seed=1, rng=None, clock=DemoClock(timezone.now()), password_hash="",
                              announce=lambda _: None)
        replicate(context, SCALE)
        _grow_session(people["session"], people["members"], SCALE)
        services.rebuild()
        # The regrouping may give the runbook texts another theme; the page is that theme's.
        theme_id = ThemeItem.objects.get(text="Write the rollback runbook 0", team=people["team"]).theme_id
        ids["theme_id"] = theme_id
        for number in range(SCALE):  # ten times the corrections too
            services.rename_theme(by=people["admin"], theme=Theme.objects.get(pk=theme_id), name=f"Runbooks {number}")
        sizes += [ThemeItem.objects.filter(theme_id=theme_id).count(), ThemeItem.objects.count()]
        for kind, name, viewer, path in PAGES:
            counts[name].append(_count(clients[kind], viewer, path.format(**ids)))
        counts["sizes"] = sizes
        transaction.set_rollback(True)
    return counts


@pytest.mark.parametrize("name", [name for _, name, _, _ in PAGES])
def test_themes_page_runs_the_same_queries_at_ten_times_the_data(query_counts, name):
    small, large = query_counts[name]
    assert len(large) == len(small), f"{name}: {len(small)} queries at 1x, {len(large)} at {SCALE}x:\n" + "\n".join(
        sql[:160] for sql in large)


def test_the_theme_and_its_organization_grew(query_counts):
    theme_small, all_small, theme_large, all_large = query_counts["sizes"]
    # The regrouping at ten times the data may split the runbook theme in two: half is enough growth.
    assert theme_large >= SCALE // 2 * theme_small
    assert all_large >= SCALE * all_small
