"""Harbourline's barriers: teams stand in different places, from the survey and from behaviour."""

import pytest

from learnloop.demo import build_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def found(django_db_setup, django_db_blocker):
    from learnloop.org.models import Person, Team
    from learnloop.strategy import barriers

    with django_db_blocker.unblock():
        try:
            build_demo(seed=42)
            admin = Person.objects.filter(role="admin", is_active=True).order_by("pk").first()
            teams = list(Team.objects.filter(kind="team", archived_at=None).order_by("name"))
            yield {team.name: barriers.barriers_for_teams(teams, viewer=admin)[team.pk] for team in teams}
        finally:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)


def test_teams_show_different_barriers_from_both_sources(found):
    shown = {name: frozenset(item.barrier for item in items) for name, items in found.items()}
    assert len(set(shown.values())) >= 5  # not the same story everywhere
    assert all(len(barriers) < 4 for barriers in shown.values())  # nobody has every barrier
    every = {barrier for barriers in shown.values() for barrier in barriers}
    assert every == {"fear_of_failure", "leadership_support", "silos", "time_and_resources"}
    sources = {finding.source for items in found.values() for item in items for finding in item.findings}
    assert sources == {"survey", "behaviour"}
    # Every shown barrier carries evidence and practices.
    assert all(item.findings and item.practices for items in found.values() for item in items)


def test_every_behaviour_rule_fires_for_some_team(found):
    # Demo data that makes them fire: Harbourline's people operations never answer their
    # effectiveness checks (reflection demo), Data Infrastructure's goal ended last year and it runs no initiative,
    # the research findings library started without a budget (strategy demo).
    fired = {finding.rule for items in found.values() for item in items for finding in item.findings
             if finding.source == "behaviour"}
    assert fired >= {"actions_never_closed", "initiatives_without_budget", "checks_unanswered",
                     "no_goal_or_initiative", "little_reuse_outside", "few_experiments"}
