"""`learnloop demo`: Harbourline, the same every time for a seed, never over a real organization."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from learnloop.activity.models import ActivityEvent
from learnloop.audit.models import AuditEvent
from learnloop.demo import DEMO_PASSWORD, build_demo
from learnloop.org.models import Invitation, Membership, Organization, OrgRole, Person, Team, TeamRole
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)  # the demo flushes the database

LOGIN_LINE = re.compile(r"^  (admin|learning lead|team lead|member)\s+(\S+@\S+)\s+(.+)$", re.MULTILINE)


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def organization_state() -> dict:
    """Everything that makes up the demo organization, by natural keys and ids."""
    return {
        "organization": list(Organization.objects.values_list("id", "name", "is_demo", "anonymity_threshold",
                                                             "created_at")),
        "people": list(Person.objects.order_by("id").values_list(
            "id", "email", "full_name", "title", "role", "manager__email", "is_active", "deactivated_at",
            "date_joined")),
        "teams": list(Team.objects.order_by("id").values_list(
            "id", "slug", "name", "kind", "parent__slug", "description", "created_at")),
        "memberships": list(Membership.objects.order_by("id").values_list(
            "id", "person__email", "team__slug", "role")),
        "invitations": list(Invitation.objects.order_by("id").values_list(
            "email", "full_name", "team__slug", "token_hash", "invited_by__email", "expires_at")),
    }


# The people-and-teams tests build only the organization (`--only org`): the content modules'
# demos are tested in their own test_demo.py, and the full build runs once, for the logins.


def test_the_demo_organization_looks_like_a_real_company():
    run_demo("--only", "org")
    organization = Organization.current()
    assert organization.name == "Harbourline" and organization.is_demo

    people = list(Person.objects.select_related("manager"))
    assert 140 <= len(people) <= 160  # "about 150 people"
    departments = Team.objects.filter(kind="department")
    teams = Team.objects.filter(kind="team")
    assert departments.count() == 4
    assert teams.count() == 12
    assert all(team.parent is not None and team.parent.kind == "department" for team in teams)
    assert not Team.objects.filter(archived_at__isnull=False).exists()

    # One reporting line: everyone but the CEO has a manager, and following managers up from
    # anyone reaches the CEO without going round in a circle.
    roots = [person for person in people if person.manager_id is None]
    assert [root.title for root in roots] == ["Chief Executive Officer"]
    ceo = roots[0]
    by_id = {person.id: person for person in people}
    for person in people:
        seen, current = set(), person
        while current.manager_id is not None:
            assert current.id not in seen, f"{person} is in a management loop"
            seen.add(current.id)
            current = by_id[current.manager_id]
        assert current == ceo

    leavers = [person for person in people if not person.is_active]
    assert 1 <= len(leavers) <= 10
    assert all(person.deactivated_at is not None for person in leavers)
    assert all(not person.reports.filter(is_active=True).exists() for person in leavers)

    # Believable titles: everyone has one, they vary, and each team is led by a manager-ish title.
    assert all(person.title.strip() for person in people)
    assert len({person.title for person in people}) >= 30
    assert len({person.email for person in people}) == len(people)
    assert all(re.fullmatch(r"[a-z0-9.]+@harbourline\.example", person.email) for person in people)
    for team in teams:
        leads = team.memberships.filter(role=TeamRole.FACILITATOR)
        assert leads.count() == 1, team
        assert re.search(r"Manager|Lead|Head|Director", leads.get().person.title), team
        assert team.memberships.filter(role=TeamRole.MEMBER).count() >= 5, team
    assert Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).count() == 1

    # Languages: part of the Hamburg office chose German; everyone else follows their browser.
    from learnloop.org.models import PersonAttributeValue

    in_hamburg = set(PersonAttributeValue.objects.filter(attribute__key="location", value="Hamburg")
                     .values_list("person_id", flat=True))
    german = {person.pk for person in people if person.language == "de"}
    assert 5 <= len(german) < len(in_hamburg) and german <= in_hamburg
    assert {person.language for person in people} == {"", "de"}


def test_the_printed_logins_work_and_have_the_stated_roles():
    output = run_demo()
    logins = {label: email for label, email, _ in LOGIN_LINE.findall(output)}
    assert set(logins) == {"admin", "learning lead", "team lead", "member"}
    assert DEMO_PASSWORD in output
    people = {}
    for label, email in logins.items():
        person = authenticate(email=email, password=DEMO_PASSWORD)
        assert person is not None, f"the {label} login does not work"
        assert person.is_active
        people[label] = person
    assert people["admin"].role == OrgRole.ADMIN and people["admin"].is_admin
    assert people["learning lead"].role == OrgRole.LEARNING_LEAD and people["learning lead"].is_learning_lead
    assert people["team lead"].memberships.filter(role=TeamRole.FACILITATOR, team__kind="team").exists()
    assert people["team lead"].reports.exists()
    assert people["member"].role == OrgRole.MEMBER
    assert not people["member"].memberships.filter(role=TeamRole.FACILITATOR).exists()
    assert people["member"].memberships.filter(team__kind="team").exists()
    assert len(set(logins.values())) == 4
    assert all(person.language == "" for person in people.values())  # the printed logins read English


def test_the_same_seed_gives_the_same_organization_and_rerunning_changes_nothing():
    run_demo("--seed", "7", "--only", "org")
    first = organization_state()
    activity = ActivityEvent.objects.count()  # whatever history the demo itself wrote
    # Whatever happened in between is cleared by the next run.
    played = factories.person(email="played.around@harbourline.example")
    ActivityEvent.objects.create(verb="played", subject_type="org.person", subject_id=str(played.pk))
    Team.objects.filter(slug="payments").update(description="Edited while trying the demo")
    run_demo("--seed", "7", "--only", "org")
    assert organization_state() == first
    assert Person.objects.count() == len(first["people"])
    assert not AuditEvent.objects.exists()
    assert ActivityEvent.objects.count() == activity
    assert not ActivityEvent.objects.filter(verb="played").exists()


def test_another_seed_gives_another_organization_of_the_same_shape():
    build_demo(seed=1, only=("org",))
    first = organization_state()
    build_demo(seed=2, only=("org",))
    second = organization_state()
    assert [row[1] for row in first["people"]] != [row[1] for row in second["people"]]
    assert [row[1:4] for row in first["teams"]] == [row[1:4] for row in second["teams"]]
    assert len(first["people"]) == len(second["people"])


def test_the_demo_refuses_a_database_holding_a_real_organization():
    factories.organization(name="Acme Real Ltd")
    real = factories.person(email="ceo@acme.example", role=OrgRole.ADMIN)
    factories.team(name="Real Team")
    before = organization_state()
    with pytest.raises(CommandError, match="real organization"):
        run_demo()
    assert organization_state() == before
    assert Person.objects.get() == real
    assert not Organization.current().is_demo


def test_the_demo_refuses_an_organization_with_teams_but_nobody_yet():
    # An admin may have imported the team structure before anyone else; that is real data too.
    factories.team(name="Imported Department", kind="department")
    before = organization_state()
    with pytest.raises(CommandError, match="real organization"):
        run_demo()
    assert organization_state() == before


def test_the_demo_runs_on_an_empty_database():
    Organization.current()  # created on first use by many pages: not a sign of real data
    # A failed sign-in on the fresh instance, or a backup of it, only wrote to the audit log.
    AuditEvent.objects.create(kind="login_failed", target="someone@example.org")
    run_demo("--only", "org")
    assert Organization.current().is_demo
    assert Person.objects.count() >= 140


def test_only_names_a_demo_part_that_exists():
    with pytest.raises(CommandError, match="No demo part named wiki"):
        run_demo("--only", "org,wiki")
    assert not Person.objects.exists()
