"""No N+1: every list and report page, and every API list, runs as many queries at 10x data as at 1x.

One small organization is built through the services (two teams, their people, knowledge,
sessions with cards and votes, actions, experiments, tokens), every page below is fetched and
its queries counted; then `learnloop.demo.scale.replicate` (the generator behind `learnloop demo
--scale N`) makes it ten times larger and every page is counted again. Both sizes are measured
once per module, inside a transaction rolled back at the end; each page is its own test.

The survey pages (campaign list, report, trends) are covered in tests/surveys.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

SCALE = 10

# (name, viewer, path): the viewer is "admin" (sees the whole organization) or "lead".
WEB_PAGES = [
    ("home", "admin", "/"),
    ("home of a lead", "lead", "/"),
    ("people", "admin", "/people/"),
    ("person", "admin", "/people/{lead_id}/"),
    ("teams", "admin", "/teams/"),
    ("department", "admin", "/teams/{department_slug}/"),
    ("invitations", "admin", "/invitations/"),
    ("audit log", "admin", "/audit/"),
    ("api tokens", "admin", "/accounts/tokens/"),
    ("knowledge search", "admin", "/knowledge/"),
    ("knowledge search with a query", "admin", "/knowledge/?q=deploy"),
    ("knowledge questions", "admin", "/knowledge/?kind=question"),
    ("review queue", "lead", "/knowledge/reviews/"),
    ("entry", "admin", "/knowledge/{entry_id}/"),
    ("sessions list", "admin", "/sessions/"),
    ("sessions list of a lead", "lead", "/sessions/"),
    ("session board", "lead", "/sessions/{session_id}/"),
    ("session templates", "admin", "/sessions/templates/"),
    ("my actions", "lead", "/actions/"),
    ("team action board", "lead", "/actions/team/{team_id}/"),
    ("experiments portfolio", "admin", "/experiments/"),
    ("experiment", "admin", "/experiments/{experiment_id}/"),
    ("organization dashboard", "admin", "/insights/organization/"),
    ("department dashboard", "admin", "/insights/teams/{department_slug}/"),
    ("team dashboard", "lead", "/insights/teams/{team_slug}/"),
    ("dashboard csv", "admin", "/insights/organization/funnel.csv"),
    ("growth profile", "lead", "/growth/"),
    ("growth profile of a member", "lead", "/growth/people/{growth_member_id}/"),
    ("growth people", "admin", "/growth/people/"),
    ("growth framework", "admin", "/growth/framework/"),
    ("growth coverage", "admin", "/growth/coverage/"),
    ("growth team", "lead", "/growth/teams/{team_id}/"),
    ("growth plans", "admin", "/growth/plans/"),
    ("growth plan", "lead", "/growth/plans/{plan_id}/"),
    ("growth paths", "admin", "/growth/paths/"),
    ("growth path", "lead", "/growth/paths/{path_id}/"),
    ("growth mentoring", "admin", "/growth/mentoring/"),
    ("growth pair", "lead", "/growth/mentoring/{pair_id}/"),
    ("network report", "admin", "/network/"),
    ("network person view", "lead", "/network/me/"),
    ("strategy overview", "admin", "/strategy/"),
    ("strategy goals", "admin", "/strategy/goals/"),
    ("strategy roadmap", "admin", "/strategy/roadmap/"),
    ("strategy roadmap of a department", "admin", "/strategy/roadmap/?team={department_slug}"),
    ("team strategy", "lead", "/strategy/teams/{team_slug}/"),
    ("strategy champions", "admin", "/strategy/champions/"),
    ("strategy barriers", "admin", "/strategy/barriers/"),
    ("webhooks", "admin", "/integrations/webhooks/"),
    ("calendar feeds", "lead", "/integrations/calendars/"),
    ("email notifications", "lead", "/integrations/notifications/"),
    ("actions export", "lead", "/actions/export/?team={team_id}&format=csv"),
    ("sessions export", "admin", "/sessions/export/?format=csv"),
    ("session cards export", "lead", "/sessions/{session_id}/cards/export/?format=csv"),
    ("experiments export", "admin", "/experiments/export/?format=json"),
]
API_LISTS = [
    ("people", "admin", "/api/v1/people"),
    ("webhook subscriptions", "admin", "/api/v1/webhooks"),
    ("calendar feeds", "lead", "/api/v1/calendars"),
    ("teams", "admin", "/api/v1/teams"),
    ("memberships", "admin", "/api/v1/memberships"),
    ("invitations", "admin", "/api/v1/invitations"),
    ("tokens", "admin", "/api/v1/tokens"),
    ("audit", "admin", "/api/v1/audit"),
    ("knowledge entries", "admin", "/api/v1/knowledge/entries"),
    ("knowledge search", "admin", "/api/v1/knowledge/entries?q=deploy"),
    ("knowledge reviews", "lead", "/api/v1/knowledge/reviews"),
    ("actions", "admin", "/api/v1/actions"),
    ("actions of a lead", "lead", "/api/v1/actions"),
    ("action metrics", "admin", "/api/v1/actions/metrics"),
    ("reflection sessions", "admin", "/api/v1/reflection/sessions"),
    ("reflection templates", "admin", "/api/v1/reflection/templates"),
    ("session cards", "lead", "/api/v1/reflection/sessions/{session_id}/cards"),
    ("session groups", "lead", "/api/v1/reflection/sessions/{session_id}/groups"),
    ("experiments", "admin", "/api/v1/experiments"),
    ("insights metrics", "admin", "/api/v1/insights/metrics"),
    ("insights team metrics", "lead", "/api/v1/insights/metrics?team={team_slug}"),
    ("insights health by team", "admin", "/api/v1/insights/health/teams"),
    ("growth skills", "admin", "/api/v1/growth/skills"),
    ("growth categories", "admin", "/api/v1/growth/categories"),
    ("growth people", "admin", "/api/v1/growth/people"),
    ("growth profile", "lead", "/api/v1/growth/people/{growth_member_id}/profile"),
    ("growth coverage", "admin", "/api/v1/growth/coverage"),
    ("growth team coverage", "lead", "/api/v1/growth/teams/{team_id}/coverage"),
    ("growth plans", "admin", "/api/v1/growth/plans"),
    ("growth paths", "admin", "/api/v1/growth/paths"),
    ("growth pairs", "lead", "/api/v1/growth/pairs"),
    ("network report", "admin", "/api/v1/network/report"),
    ("network person view", "lead", "/api/v1/network/me"),
    ("strategy objectives", "admin", "/api/v1/strategy/objectives"),
    ("strategy key results", "admin", "/api/v1/strategy/key-results"),
    ("strategy initiatives", "admin", "/api/v1/strategy/initiatives"),
    ("strategy visions", "admin", "/api/v1/strategy/visions"),
    ("strategy champions", "admin", "/api/v1/strategy/champions"),
    ("actions export", "admin", "/api/v1/actions/export?format=csv"),
    ("actions export of a lead", "lead", "/api/v1/actions/export?format=json&status=open"),
    ("reflection sessions export", "admin", "/api/v1/reflection/sessions/export"),
    ("session cards export", "lead", "/api/v1/reflection/sessions/{session_id}/cards/export?format=json"),
    ("experiments export", "admin", "/api/v1/experiments/export?format=csv"),
]


def _grow_session(session, members, times: int) -> None:
    # A board does not grow with the number of sites; its cards do grow with its participants.
    from learnloop.reflection import cards
    from learnloop.reflection.writer_keys import new_key

    column = session.template.columns[0]["key"]
    for number in range(times - 1):
        for person in members:
            cards.write_card(by=person, session=session, column=column, text=f"Card {number} of {person.pk}",
                             writer_key=new_key())


def _count(clients, viewer: str, path: str) -> list[str]:
    cache.clear()  # a cached fragment would hide the queries behind it
    with CaptureQueriesContext(connection) as captured:
        response = clients[viewer].get(path)
        if response.streaming:  # an export runs its queries while its file is written
            b"".join(response.streaming_content)
    assert response.status_code == 200, (path, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def _grow_audit_log(admin, times: int) -> None:
    # Audit events are organization-wide (not copied to sites): add sign-in failures in proportion.
    from learnloop.audit.models import AuditEvent

    AuditEvent.objects.bulk_create([
        AuditEvent(kind="login_failed", actor_label=f"user{n}@example.org", ip_address="192.0.2.1", detail={})
        for n in range(times)
    ])


def _grow_strategy(admin, times: int) -> None:
    # Strategy rows are organization-wide (not copied to sites): add goals, key results with
    # values, initiatives with spend and dependencies, and champions in proportion.
    from learnloop.strategy import champions, services

    today = timezone.localdate()
    previous = None
    for number in range(times):
        objective = services.create_objective(by=admin, title=f"Goal {number}", starts_on=today, ends_on=today)
        manual = services.add_key_result(by=admin, objective=objective, title=f"KR {number}", target=1)
        services.record_value(by=admin, key_result=manual, on=today, value=0.5)
        initiative = services.create_initiative(by=admin, title=f"Initiative {number}", starts_on=today,
                                                ends_on=today, objectives=[objective],
                                                depends_on=[previous] if previous else [])
        services.add_spend(by=admin, initiative=initiative, kind="actual", on=today, person_days=1)
        champions.name_champion(by=admin, person=admin, topic=f"Topic {times}-{number}")
        previous = initiative


def _sizes() -> dict[str, int]:
    from learnloop.actions.models import Action
    from learnloop.experiments.models import Experiment
    from learnloop.knowledge.models import Entry
    from learnloop.org.models import Person, Team
    from learnloop.reflection.models import Card, Session

    return {model.__name__: model.objects.count() for model in (Person, Team, Entry, Session, Card, Action, Experiment)}


@pytest.fixture(scope="module")
def query_counts(django_db_setup, django_db_blocker):
    """{("web"|"api", name): [queries at 1x, queries at 10x], "sizes": [rows at 1x, rows at 10x]}."""
    from unittest import mock

    from learnloop.demo import DemoContext
    from learnloop.demo.clock import DemoClock
    from learnloop.demo.scale import replicate
    from learnloop.knowledge import search

    pages = [("web", *page) for page in WEB_PAGES] + [("api", *page) for page in API_LISTS]
    counts = {}
    # A token records its last use once a minute, the admin banner looks at storage once a
    # minute: on a slow run that query would land in one measurement and not the other.
    with (django_db_blocker.unblock(), transaction.atomic(),
          mock.patch("learnloop.accounts.services.LAST_USED_RESOLUTION", timedelta(days=1)),
          mock.patch("learnloop.ops.storage.CHECK_CACHE_SECONDS", 24 * 3600)):
        people, ids = factories.small_organization()
        _grow_audit_log(people["admin"], 5)
        _grow_strategy(people["admin"], 2)
        search.rebuild()
        clients = {}
        for viewer in ("admin", "lead"):
            clients[viewer] = Client()
            clients[viewer].force_login(people[viewer])
        api_clients = {viewer: factories.token_client(people[viewer]) for viewer in ("admin", "lead")}
        for viewer in ("admin", "lead"):
            # The first request of a sign-in or a token writes its last use; not what is measured.
            api_clients[viewer].get("/api/v1/me")
        for _, viewer, path in WEB_PAGES:
            # Nor is a first visit (a board hands out the writer key cookie, read on every later visit).
            clients[viewer].get(path.format(**ids))
        for kind, name, viewer, path in pages:
            chosen = clients if kind == "web" else api_clients
            counts[(kind, name)] = [_count(chosen, viewer, path.format(**ids))]
        counts["sizes"] = [_sizes()]
        context = DemoContext(
            seed=1, rng=None, clock=DemoClock(timezone.now()), password_hash="", announce=lambda _: None
        )
        replicate(context, SCALE)
        counts["sizes"].append(_sizes())
        _grow_audit_log(people["admin"], 5 * (SCALE - 1))
        _grow_strategy(people["admin"], 2 * (SCALE - 1))
        _grow_session(people["session"], people["members"], SCALE)
        search.rebuild()
        for kind, name, viewer, path in pages:
            chosen = clients if kind == "web" else api_clients
            counts[(kind, name)].append(_count(chosen, viewer, path.format(**ids)))
        transaction.set_rollback(True)
    return counts


def assert_same_count_at_both_sizes(query_counts, key) -> None:
    small, large = query_counts[key]
    shown = "\n".join(sql[:160] for sql in large)
    assert len(large) == len(small), (
        f"{key[1]}: {len(small)} queries at 1x data, {len(large)} at {SCALE}x (an N+1). At {SCALE}x:\n{shown}")


@pytest.mark.parametrize("name", [name for name, _, _ in WEB_PAGES])
def test_web_page_runs_the_same_queries_at_ten_times_the_data(query_counts, name):
    assert_same_count_at_both_sizes(query_counts, ("web", name))


@pytest.mark.parametrize("name", [name for name, _, _ in API_LISTS])
def test_api_list_runs_the_same_queries_at_ten_times_the_data(query_counts, name):
    assert_same_count_at_both_sizes(query_counts, ("api", name))


def test_the_larger_organization_is_ten_times_the_smaller(query_counts):
    # Guards the comparison itself: the pages above only prove something if the data grew.
    small, large = query_counts["sizes"]
    for model, count in small.items():
        assert count > 0, model
        assert large[model] == SCALE * count, (model, count, large[model])
