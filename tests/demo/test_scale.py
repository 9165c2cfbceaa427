"""`learnloop demo --scale N`: N sites, each a valid copy of the head office, the same for a seed."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from learnloop.actions.models import Action
from learnloop.demo import build_demo
from learnloop.demo.scale import SITE_HEAD_TITLE, replicate, site_name
from learnloop.org.models import Membership, OrgRole, Person, Team
from learnloop.reflection.models import Card, Session
from tests import factories


def _site_of_team(team: Team) -> str:
    return team.name.rpartition(" (")[2].rstrip(")") if team.name.endswith(")") else ""


def _sites_of_person(person: Person) -> set[str]:
    if person.title.startswith(SITE_HEAD_TITLE):
        return {person.title.partition(", ")[2]}
    return {_site_of_team(m.team) for m in person.memberships.select_related("team")} or {""}


def _state() -> dict:
    return {
        "people": list(Person.objects.order_by("pk").values_list("pk", "email", "full_name", "title", "manager_id")),
        "teams": list(Team.objects.order_by("pk").values_list("pk", "slug", "parent_id")),
        "actions": list(Action.objects.order_by("pk").values_list("pk", "title", "team_id", "owner_id", "status")),
    }


@pytest.mark.django_db(transaction=True)  # the demo flushes the database
def test_scaled_demo_is_n_sites_of_the_head_office_and_the_same_for_a_seed():
    build_demo(seed=5, only=("org", "actions"))
    head_office = _state()
    build_demo(seed=5, only=("org", "actions"), scale=3)
    first = _state()
    assert len(first["people"]) == 3 * len(head_office["people"])
    assert len(first["teams"]) == 3 * len(head_office["teams"])
    assert len(first["actions"]) == 3 * len(head_office["actions"])
    # The head office is what the ordinary demo builds; the sites come after it.
    assert first["people"][: len(head_office["people"])] == head_office["people"]
    assert {_site_of_team(team) for team in Team.objects.all()} == {"", site_name(1), site_name(2)}

    # Every reference stays inside its site: team members, action owners and teams, managers.
    for membership in Membership.objects.select_related("person__manager", "team"):
        manager = membership.person.manager
        if manager is not None:
            assert _site_of_team(membership.team) in _sites_of_person(manager), membership
    for action in Action.objects.select_related("team", "owner"):
        assert _site_of_team(action.team) in _sites_of_person(action.owner), action
    directors = Person.objects.filter(title__startswith=SITE_HEAD_TITLE)
    assert directors.count() == 2
    assert {d.manager.title for d in directors} == {"Chief Executive Officer"}
    assert Person.objects.filter(role=OrgRole.ADMIN).count() == 1

    build_demo(seed=5, only=("org", "actions"), scale=3)
    assert _state() == first


@pytest.mark.django_db
def test_copied_cards_stay_in_their_sites_session_with_marks_of_their_own():
    factories.small_organization()
    cards_before = Card.objects.count()
    context = type("Context", (), {"seed": 1, "announce": staticmethod(lambda _: None)})()
    replicate(context, 4)
    assert Card.objects.count() == 4 * cards_before
    for card in Card.objects.select_related("session__team", "author"):
        author_sites = {_site_of_team(m.team) for m in card.author.memberships.select_related("team")}
        assert _site_of_team(card.session.team) in author_sites
    hashes = [h for h in Card.objects.values_list("writer_hash", flat=True) if h]
    assert len(hashes) == len(set(hashes)), "a copied card shares its writer mark with the original"
    assert Session.objects.count() == 4 * (Session.objects.count() // 4)
    assert context.people and len(context.teams) == Team.objects.count()


@pytest.mark.django_db
def test_the_demo_command_refuses_a_scale_below_one():
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo", "--scale", "0", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Person.objects.exists()
