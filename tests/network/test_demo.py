"""Harbourline's knowledge-flow network tells a story the report finds: Finance keeps to itself,
one site reliability engineer is the only link between their team and most others, and an
analytics guild from five teams is a community the org chart does not show. The whole demo is
built once, outside a test transaction (the demo flushes the database)."""

from collections import Counter

import pytest
from django.core.management import call_command

from learnloop.demo import build_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from learnloop.analytics import network
    from learnloop.network import selectors, services
    from learnloop.org.models import OrgRole, Person

    with django_db_blocker.unblock():
        try:
            context = build_demo(seed=42)
            admin = Person.objects.get(role=OrgRole.ADMIN, is_active=True)
            lead = Person.objects.filter(role=OrgRole.LEARNING_LEAD, is_active=True).order_by("pk").first()
            since, until = services.default_period()
            team_of, names = selectors.primary_teams(), selectors.team_names()
            edges = selectors.platform_edges(since, until)
            graph = network.build_network(((str(e.source), str(e.target), e.weight) for e in edges), directed=True,
                                          weighted=True, nodes=[str(person) for person in sorted(team_of)])
            found = network.communities(graph)
            facts = {
                "admin": services.team_report(admin),
                "lead": services.team_report(lead),
                "guild": {person.pk for person in context.extra["network_guild"]},
                "community_of": {int(name): found.membership[i] for i, name in enumerate(graph.names)},
                "team_name": {person: names[team] for person, team in team_of.items()},
                "sre_contact": Person.objects.filter(memberships__team__slug="site-reliability", is_active=True,
                                                     title="Senior Site Reliability Engineer").order_by("pk").first(),
            }
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_finance_is_the_one_silo(demo):
    for report in (demo["admin"], demo["lead"]):
        assert [silo["team"] for silo in report.silos] == ["Finance"]
    finance = next(team for team in demo["lead"].teams if team["name"] == "Finance")
    assert finance["ei_index"] <= -0.6 and finance["reach"] <= 1
    others = [team["ei_index"] for team in demo["lead"].teams if team["name"] != "Finance" and team["id"]]
    assert min(others) > -0.6


def test_one_site_reliability_engineer_is_the_only_bridge_to_most_teams(demo):
    for report in (demo["admin"], demo["lead"]):
        assert len(report.overloaded_bridges) == 1
        bridge = report.overloaded_bridges[0]
        assert bridge["team"] == "Site Reliability" and len(bridge["other_teams"]) >= 6
    # Only admins learn who it is: the designed engineer, far ahead of anyone else.
    people = demo["admin"].bridge_people
    assert people[0]["person"] == demo["sre_contact"].full_name
    assert all(len(person["only_bridge_to"]) <= 2 for person in people[1:])
    assert demo["lead"].bridge_people is None and demo["lead"].champions is None


def test_the_analytics_guild_is_a_community_across_the_org_chart(demo):
    guild = demo["guild"]
    assert len({demo["team_name"][person] for person in guild}) == 5
    communities = {demo["community_of"][person] for person in guild}
    assert len(communities) == 1
    members = {person for person, community in demo["community_of"].items() if community in communities}
    assert members == guild  # the guild, nobody else: not any team of the org chart
    assert max(Counter(demo["team_name"][person] for person in members).values()) <= 2
    report = demo["lead"]
    assert report.modularity >= report.team_modularity + 0.03
