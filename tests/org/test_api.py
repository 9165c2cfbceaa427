"""The people-and-teams API: me, people, teams, memberships, invitations and CSV imports."""

import pytest
from django.core import mail
from django.utils import timezone

from learnloop.accounts.services import create_api_token
from learnloop.activity.services import record_activity
from learnloop.audit.models import AuditEvent
from learnloop.org.invitations import pending_invitation
from learnloop.org.models import Invitation, Membership, Person, Team
from tests import factories
from tests.factories import TokenClient

pytestmark = pytest.mark.django_db

API = "/api/v1"
JSON = "application/json"


def _items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def _names(response) -> list[str]:
    return [item.get("full_name") or item.get("name") for item in _items(response)]


# --- me ------------------------------------------------------------------------------------------


def test_me_shows_the_signed_in_person_with_their_teams(member, team, api_as):
    factories.membership(member, team, role="facilitator")
    response = api_as(member).get(f"{API}/me")
    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["full_name"], body["role"]) == (member.email, "Mo Member", "member")
    assert [(m["team"]["name"], m["role"]) for m in body["memberships"]] == [("Payments", "facilitator")]


def test_people_edit_their_own_name_and_title(member, api_as):
    response = api_as(member).patch(f"{API}/me", {"full_name": "Mo Renamed", "title": "Engineer"}, content_type=JSON)
    assert response.status_code == 200
    assert (response.json()["full_name"], response.json()["title"]) == ("Mo Renamed", "Engineer")
    member.refresh_from_db()
    assert (member.full_name, member.title) == ("Mo Renamed", "Engineer")


def test_editing_only_the_title_keeps_the_name(member, api_as):
    api_as(member).patch(f"{API}/me", {"title": "Engineer"}, content_type=JSON)
    member.refresh_from_db()
    assert (member.full_name, member.title) == ("Mo Member", "Engineer")


def test_my_name_cannot_be_blank(member, api_as):
    response = api_as(member).patch(f"{API}/me", {"full_name": "   "}, content_type=JSON)
    assert response.status_code == 400
    assert "full_name" in response.json()["errors"]
    member.refresh_from_db()
    assert member.full_name == "Mo Member"


def test_member_cannot_change_own_role_through_me(member, api_as):
    response = api_as(member).patch(f"{API}/me", {"role": "admin", "title": "Boss"}, content_type=JSON)
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.role == "member"
    assert member.title == ""
    assert not AuditEvent.objects.filter(kind="role_changed").exists()


def test_member_cannot_change_own_role_through_their_person_record(member, api_as):
    response = api_as(member).patch(f"{API}/people/{member.pk}", {"title": "Boss", "role": "admin"}, content_type=JSON)
    assert response.status_code == 403
    member.refresh_from_db()
    # Nothing of the refused request sticks, not even the harmless title.
    assert (member.role, member.title) == ("member", "")


# --- people: reading -------------------------------------------------------------------------------


@pytest.fixture
def directory(admin, member, team):
    boss = factories.person(full_name="Bea Boss", title="Head of Payments", role="learning_lead")
    report = factories.person(full_name="Ray Report", manager=boss)
    gone = factories.person(full_name="Gus Gone", is_active=False, deactivated_at=timezone.now())
    factories.membership(report, team)
    factories.membership(gone, team)
    return {"boss": boss, "report": report, "gone": gone}


def test_directory_lists_active_people_by_name(member, directory, api_as):
    assert _names(api_as(member).get(f"{API}/people")) == ["Ada Admin", "Bea Boss", "Mo Member", "Ray Report"]


def test_directory_searches_names_emails_and_titles(member, directory, api_as):
    client = api_as(member)
    assert _names(client.get(f"{API}/people?q=payments")) == ["Bea Boss"]
    assert _names(client.get(f"{API}/people?q=ray rep")) == ["Ray Report"]
    assert _names(client.get(f"{API}/people?q=ada.admin@")) == ["Ada Admin"]


def test_directory_filters_by_team_role_and_manager(member, team, directory, api_as):
    client = api_as(member)
    assert _names(client.get(f"{API}/people?team={team.pk}")) == ["Ray Report"]
    assert _names(client.get(f"{API}/people?role=learning_lead")) == ["Bea Boss"]
    assert _names(client.get(f"{API}/people?manager={directory['boss'].pk}")) == ["Ray Report"]


def test_directory_shows_deactivated_people_only_when_asked(member, team, directory, api_as):
    client = api_as(member)
    assert _names(client.get(f"{API}/people?active=false")) == ["Gus Gone"]
    assert "Gus Gone" in _names(client.get(f"{API}/people?active=all"))
    assert _names(client.get(f"{API}/people?team={team.pk}&active=all")) == ["Gus Gone", "Ray Report"]


def test_filtering_by_unknown_team_or_manager_is_a_400(member, api_as):
    client = api_as(member)
    response = client.get(f"{API}/people?team=999999")
    assert response.status_code == 400
    assert "team" in response.json()["errors"]
    response = client.get(f"{API}/people?manager=999999")
    assert response.status_code == 400
    assert "manager" in response.json()["errors"]


def test_person_detail_includes_manager_and_memberships(member, team, directory, api_as):
    response = api_as(member).get(f"{API}/people/{directory['report'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["manager"]["full_name"] == "Bea Boss"
    assert body["memberships"] == [
        {
            "id": body["memberships"][0]["id"],
            "team": {"id": team.pk, "name": "Payments", "slug": "payments"},
            "role": "member",
        }
    ]
    assert body["deactivated_at"] is None


# --- people: adding and editing ----------------------------------------------------------------------


def test_admin_adds_a_person(admin, api_as):
    boss = factories.person(full_name="Bea Boss")
    response = api_as(admin).post(
        f"{API}/people",
        {"email": " Zoe.Park@Example.org ", "full_name": "Zoe Park", "title": "Analyst", "manager_id": boss.pk},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"], body["manager"]["id"]) == ("zoe.park@example.org", "member", boss.pk)
    person = Person.objects.get(email="zoe.park@example.org")
    assert person.manager == boss
    assert AuditEvent.objects.filter(kind="person_created", target="zoe.park@example.org").exists()


def test_member_cannot_add_people(member, api_as):
    response = api_as(member).post(f"{API}/people", {"email": "x@example.org", "full_name": "X"}, content_type=JSON)
    assert response.status_code == 403
    assert not Person.objects.filter(email="x@example.org").exists()


def test_adding_a_duplicate_email_is_refused_whatever_its_case(admin, member, api_as):
    response = api_as(admin).post(
        f"{API}/people", {"email": "MO.Member@example.org", "full_name": "Mo Again"}, content_type=JSON
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["errors"]["email"][0]
    assert Person.objects.filter(email__iexact="mo.member@example.org").count() == 1


def test_adding_a_bad_email_is_refused(admin, api_as):
    response = api_as(admin).post(f"{API}/people", {"email": "not-an-address", "full_name": "X"}, content_type=JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["email"]


def test_adding_with_an_unknown_manager_is_refused(admin, api_as):
    response = api_as(admin).post(
        f"{API}/people", {"email": "x@example.org", "full_name": "X", "manager_id": 999999}, content_type=JSON
    )
    assert response.status_code == 400
    assert "manager_id" in response.json()["errors"]
    assert not Person.objects.filter(email="x@example.org").exists()


def test_admin_edits_name_title_manager_and_role(admin, member, api_as):
    boss = factories.person(full_name="Bea Boss")
    response = api_as(admin).patch(
        f"{API}/people/{member.pk}",
        {"full_name": "Mo Moved", "title": "Lead", "manager_id": boss.pk, "role": "learning_lead"},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.full_name, member.title, member.manager, member.role) == ("Mo Moved", "Lead", boss, "learning_lead")
    event = AuditEvent.objects.get(kind="role_changed")
    assert (event.actor, event.target) == (admin, member.email)
    assert event.detail == {"scope": "organization", "from": "member", "to": "learning_lead"}


def test_admin_clears_a_manager_with_null(admin, api_as):
    boss = factories.person(full_name="Bea Boss")
    report = factories.person(full_name="Ray Report", manager=boss)
    response = api_as(admin).patch(f"{API}/people/{report.pk}", {"manager_id": None}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["manager"] is None
    report.refresh_from_db()
    assert report.manager is None


def test_management_cycles_are_refused(admin, api_as):
    boss = factories.person(full_name="Bea Boss")
    report = factories.person(full_name="Ray Report", manager=boss)
    response = api_as(admin).patch(f"{API}/people/{boss.pk}", {"manager_id": report.pk}, content_type=JSON)
    assert response.status_code == 400
    assert "manager_id" in response.json()["errors"]
    boss.refresh_from_db()
    assert boss.manager is None


def test_demoting_the_last_admin_is_refused(admin, api_as):
    response = api_as(admin).patch(f"{API}/people/{admin.pk}", {"role": "member"}, content_type=JSON)
    assert response.status_code == 400
    assert "last admin" in response.json()["errors"]["role"][0]
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_a_refused_role_change_keeps_the_rest_of_the_edit_out_too(admin, api_as):
    response = api_as(admin).patch(
        f"{API}/people/{admin.pk}", {"title": "Former admin", "role": "member"}, content_type=JSON
    )
    assert response.status_code == 400
    admin.refresh_from_db()
    assert (admin.role, admin.title) == ("admin", "")


def test_an_admin_can_step_down_once_there_is_another(admin, api_as):
    factories.person(full_name="Second Admin", role="admin")
    response = api_as(admin).patch(f"{API}/people/{admin.pk}", {"role": "member"}, content_type=JSON)
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.role == "member"


def test_members_cannot_edit_others(admin, member, api_as):
    client = api_as(member)
    for change in ({"title": "Hacked"}, {"role": "member"}, {"manager_id": member.pk}):
        response = client.patch(f"{API}/people/{admin.pk}", change, content_type=JSON)
        assert response.status_code == 403, change
    admin.refresh_from_db()
    assert (admin.title, admin.role, admin.manager) == ("", "admin", None)


def test_members_cannot_change_their_own_manager(admin, member, api_as):
    response = api_as(member).patch(f"{API}/people/{member.pk}", {"manager_id": admin.pk}, content_type=JSON)
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.manager is None


# --- people: deactivating and removing ----------------------------------------------------------------


def test_deactivating_switches_off_access_and_reactivating_restores_it(admin, member, api_as):
    _, raw = create_api_token(person=member, name="laptop")
    client = api_as(admin)
    response = client.post(f"{API}/people/{member.pk}/deactivate")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["deactivated_at"]
    assert TokenClient(raw).get(f"{API}/me").status_code == 401
    assert AuditEvent.objects.filter(kind="person_deactivated", target=member.email).exists()

    response = client.post(f"{API}/people/{member.pk}/reactivate")
    assert response.status_code == 200
    assert (response.json()["is_active"], response.json()["deactivated_at"]) == (True, None)
    member.refresh_from_db()
    assert member.is_active
    # Tokens revoked on deactivation stay revoked.
    assert TokenClient(raw).get(f"{API}/me").status_code == 401


def test_members_cannot_deactivate_people(admin, member, api_as):
    assert api_as(member).post(f"{API}/people/{admin.pk}/deactivate").status_code == 403
    admin.refresh_from_db()
    assert admin.is_active


def test_admins_cannot_deactivate_themselves(admin, api_as):
    response = api_as(admin).post(f"{API}/people/{admin.pk}/deactivate")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_removing_someone_who_authored_nothing_deletes_them(admin, member, team, api_as):
    factories.membership(member, team)
    response = api_as(admin).delete(f"{API}/people/{member.pk}")
    assert response.status_code == 200
    assert response.json() == {"result": "deleted"}
    assert not Person.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(kind="person_deleted", target="mo.member@example.org").exists()


def test_removing_an_author_deactivates_them_and_keeps_their_work(admin, member, team, api_as):
    event = record_activity(verb="created", subject=team, actor=member, team=team)
    response = api_as(admin).delete(f"{API}/people/{member.pk}")
    assert response.status_code == 200
    assert response.json() == {"result": "deactivated"}
    member.refresh_from_db()
    assert not member.is_active
    event.refresh_from_db()
    assert event.actor_id == member.pk


def test_members_cannot_remove_people(admin, member, api_as):
    other = factories.person()
    assert api_as(member).delete(f"{API}/people/{other.pk}").status_code == 403
    assert Person.objects.filter(pk=other.pk, is_active=True).exists()


def test_admins_cannot_remove_themselves(admin, api_as):
    assert api_as(admin).delete(f"{API}/people/{admin.pk}").status_code == 400
    assert Person.objects.filter(pk=admin.pk, is_active=True).exists()


# --- teams -------------------------------------------------------------------------------------------


@pytest.fixture
def org_chart(department, team):
    platform = factories.team(name="Platform", parent=department, description="Runs the servers")
    sales = factories.team(name="Sales", kind="department")
    old = factories.team(name="Old Guild", archived_at=timezone.now())
    return {"platform": platform, "sales": sales, "old": old}


def test_teams_are_listed_without_archived_ones(member, org_chart, api_as):
    assert _names(api_as(member).get(f"{API}/teams")) == ["Engineering", "Payments", "Platform", "Sales"]


def test_archived_teams_are_listed_when_asked(member, org_chart, api_as):
    names = _names(api_as(member).get(f"{API}/teams?include_archived=true"))
    assert names == ["Engineering", "Old Guild", "Payments", "Platform", "Sales"]


def test_teams_filter_by_kind_parent_and_text(member, department, org_chart, api_as):
    client = api_as(member)
    assert _names(client.get(f"{API}/teams?kind=department")) == ["Engineering", "Sales"]
    assert _names(client.get(f"{API}/teams?parent={department.pk}")) == ["Payments", "Platform"]
    assert _names(client.get(f"{API}/teams?q=servers")) == ["Platform"]


def test_team_detail_counts_active_members(member, team, api_as):
    factories.membership(member, team)
    factories.membership(factories.person(), team)
    factories.membership(factories.person(is_active=False, deactivated_at=timezone.now()), team)
    response = api_as(member).get(f"{API}/teams/{team.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["kind"], body["member_count"]) == ("Payments", "team", 2)
    assert body["parent"]["name"] == "Engineering"


def test_archived_team_detail_is_still_readable(member, org_chart, api_as):
    response = api_as(member).get(f"{API}/teams/{org_chart['old'].pk}")
    assert response.status_code == 200
    assert response.json()["archived_at"]


def test_admin_creates_a_team_inside_a_department(admin, department, api_as):
    response = api_as(admin).post(
        f"{API}/teams", {"name": "Data Science", "parent_id": department.pk, "description": "Models"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["slug"], body["kind"], body["parent"]["id"], body["member_count"]) == (
        "data-science",
        "team",
        department.pk,
        0,
    )
    assert Team.objects.get(slug="data-science").parent == department


def test_member_cannot_create_teams(member, api_as):
    assert api_as(member).post(f"{API}/teams", {"name": "Mine"}, content_type=JSON).status_code == 403
    assert not Team.objects.filter(name="Mine").exists()


def test_team_names_are_unique_whatever_their_case(admin, team, api_as):
    response = api_as(admin).post(f"{API}/teams", {"name": "PAYMENTS"}, content_type=JSON)
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    assert Team.objects.filter(name__iexact="payments").count() == 1


def test_a_team_can_only_sit_inside_a_department(admin, team, api_as):
    response = api_as(admin).post(f"{API}/teams", {"name": "Squad", "parent_id": team.pk}, content_type=JSON)
    assert response.status_code == 400
    assert "parent_id" in response.json()["errors"]
    assert not Team.objects.filter(name="Squad").exists()


def test_an_unknown_parent_is_refused(admin, api_as):
    response = api_as(admin).post(f"{API}/teams", {"name": "Squad", "parent_id": 999999}, content_type=JSON)
    assert response.status_code == 400
    assert "parent_id" in response.json()["errors"]


def test_admin_renames_and_moves_a_team(admin, team, org_chart, api_as):
    response = api_as(admin).patch(
        f"{API}/teams/{team.pk}", {"name": "Billing", "parent_id": org_chart["sales"].pk}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    team.refresh_from_db()
    assert (team.name, team.parent) == ("Billing", org_chart["sales"])


def test_departments_cannot_form_a_cycle(admin, department, api_as):
    inner = factories.team(name="Inner", kind="department", parent=department)
    response = api_as(admin).patch(f"{API}/teams/{department.pk}", {"parent_id": inner.pk}, content_type=JSON)
    assert response.status_code == 400
    assert "parent_id" in response.json()["errors"]
    department.refresh_from_db()
    assert department.parent is None


def test_renaming_onto_another_teams_name_is_refused(admin, team, department, api_as):
    response = api_as(admin).patch(f"{API}/teams/{team.pk}", {"name": "engineering"}, content_type=JSON)
    assert response.status_code == 400
    team.refresh_from_db()
    assert team.name == "Payments"


def test_member_cannot_edit_teams(member, team, api_as):
    assert api_as(member).patch(f"{API}/teams/{team.pk}", {"name": "Ours"}, content_type=JSON).status_code == 403
    team.refresh_from_db()
    assert team.name == "Payments"


def test_archiving_and_unarchiving_a_team(admin, member, team, api_as):
    client = api_as(admin)
    response = client.post(f"{API}/teams/{team.pk}/archive")
    assert response.status_code == 200
    assert response.json()["archived_at"]
    assert "Payments" not in _names(client.get(f"{API}/teams"))
    response = client.post(f"{API}/teams/{team.pk}/unarchive")
    assert response.status_code == 200
    assert response.json()["archived_at"] is None
    assert "Payments" in _names(client.get(f"{API}/teams"))


def test_a_department_with_active_teams_cannot_be_archived(admin, department, team, api_as):
    response = api_as(admin).post(f"{API}/teams/{department.pk}/archive")
    assert response.status_code == 400
    department.refresh_from_db()
    assert department.archived_at is None


def test_member_cannot_archive_teams(member, team, api_as):
    assert api_as(member).post(f"{API}/teams/{team.pk}/archive").status_code == 403
    team.refresh_from_db()
    assert team.archived_at is None


# --- memberships ---------------------------------------------------------------------------------


def test_memberships_list_and_filter(member, admin, team, department, api_as):
    factories.membership(member, team, role="facilitator")
    factories.membership(admin, team)
    factories.membership(admin, department)
    client = api_as(member)
    everything = _items(client.get(f"{API}/memberships"))
    assert [(m["team"]["name"], m["person"]["full_name"], m["role"]) for m in everything] == [
        ("Engineering", "Ada Admin", "member"),
        ("Payments", "Ada Admin", "member"),
        ("Payments", "Mo Member", "facilitator"),
    ]
    assert len(_items(client.get(f"{API}/memberships?team={team.pk}"))) == 2
    assert len(_items(client.get(f"{API}/memberships?person={admin.pk}"))) == 2
    assert [m["person"]["id"] for m in _items(client.get(f"{API}/memberships?role=facilitator"))] == [member.pk]


def test_admin_adds_changes_and_removes_a_membership(admin, member, team, api_as):
    client = api_as(admin)
    response = client.post(f"{API}/memberships", {"team_id": team.pk, "person_id": member.pk}, content_type=JSON)
    assert response.status_code == 201, response.content
    membership_id = response.json()["id"]
    assert response.json()["role"] == "member"

    response = client.patch(f"{API}/memberships/{membership_id}", {"role": "facilitator"}, content_type=JSON)
    assert response.status_code == 200
    assert Membership.objects.get(pk=membership_id).role == "facilitator"

    response = client.delete(f"{API}/memberships/{membership_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Membership.objects.filter(pk=membership_id).exists()


def test_team_role_changes_are_audited(admin, member, team, api_as):
    membership = factories.membership(member, team)
    api_as(admin).patch(f"{API}/memberships/{membership.pk}", {"role": "facilitator"}, content_type=JSON)
    event = AuditEvent.objects.get(kind="role_changed")
    assert (event.actor, event.target) == (admin, member.email)
    assert event.detail == {"scope": "team:payments", "from": "member", "to": "facilitator"}


def test_adding_a_facilitator_and_removing_one_are_audited(admin, member, team, api_as):
    client = api_as(admin)
    response = client.post(
        f"{API}/memberships", {"team_id": team.pk, "person_id": member.pk, "role": "facilitator"}, content_type=JSON
    )
    client.delete(f"{API}/memberships/{response.json()['id']}")
    details = [event.detail for event in AuditEvent.objects.filter(kind="role_changed").order_by("id")]
    assert details == [
        {"scope": "team:payments", "from": None, "to": "facilitator"},
        {"scope": "team:payments", "from": "facilitator", "to": None},
    ]


def test_adding_someone_twice_is_refused(admin, member, team, api_as):
    factories.membership(member, team)
    response = api_as(admin).post(f"{API}/memberships", {"team_id": team.pk, "person_id": member.pk}, content_type=JSON)
    assert response.status_code == 400
    assert "person_id" in response.json()["errors"]


def test_nobody_joins_an_archived_team(admin, member, api_as):
    old = factories.team(name="Old Guild", archived_at=timezone.now())
    response = api_as(admin).post(f"{API}/memberships", {"team_id": old.pk, "person_id": member.pk}, content_type=JSON)
    assert response.status_code == 400
    assert "team_id" in response.json()["errors"]


def test_memberships_need_a_known_team_and_person(admin, member, team, api_as):
    client = api_as(admin)
    response = client.post(f"{API}/memberships", {"team_id": 999999, "person_id": member.pk}, content_type=JSON)
    assert (response.status_code, list(response.json()["errors"])) == (400, ["team_id"])
    response = client.post(f"{API}/memberships", {"team_id": team.pk, "person_id": 999999}, content_type=JSON)
    assert (response.status_code, list(response.json()["errors"])) == (400, ["person_id"])


@pytest.fixture
def lead(team):
    person = factories.person(full_name="Fay Facilitator")
    factories.membership(person, team, role="facilitator")
    return person


def test_team_facilitator_manages_their_own_teams_members(lead, member, team, api_as):
    client = api_as(lead)
    response = client.post(f"{API}/memberships", {"team_id": team.pk, "person_id": member.pk}, content_type=JSON)
    assert response.status_code == 201, response.content
    membership_id = response.json()["id"]
    assert (
        client.patch(f"{API}/memberships/{membership_id}", {"role": "facilitator"}, content_type=JSON).status_code
        == 200
    )
    assert client.delete(f"{API}/memberships/{membership_id}").status_code == 204
    assert not Membership.objects.filter(pk=membership_id).exists()


def test_department_facilitator_manages_teams_inside_it(member, department, team, api_as):
    head = factories.person(full_name="Dee Department")
    factories.membership(head, department, role="facilitator")
    client = api_as(head)
    response = client.post(f"{API}/memberships", {"team_id": team.pk, "person_id": member.pk}, content_type=JSON)
    assert response.status_code == 201, response.content
    membership_id = response.json()["id"]
    assert (
        client.patch(f"{API}/memberships/{membership_id}", {"role": "facilitator"}, content_type=JSON).status_code
        == 200
    )
    assert client.delete(f"{API}/memberships/{membership_id}").status_code == 204


def test_facilitator_cannot_manage_other_teams(lead, member, department, api_as):
    other = factories.team(name="Platform", parent=department)
    existing = factories.membership(factories.person(), other)
    client = api_as(lead)
    assert (
        client.post(f"{API}/memberships", {"team_id": other.pk, "person_id": member.pk}, content_type=JSON).status_code
        == 403
    )
    # Leading a team inside a department doesn't make you a lead of the department.
    assert (
        client.post(
            f"{API}/memberships", {"team_id": department.pk, "person_id": member.pk}, content_type=JSON
        ).status_code
        == 403
    )
    assert (
        client.patch(f"{API}/memberships/{existing.pk}", {"role": "facilitator"}, content_type=JSON).status_code == 403
    )
    assert client.delete(f"{API}/memberships/{existing.pk}").status_code == 403
    existing.refresh_from_db()
    assert existing.role == "member"
    assert not Membership.objects.filter(person=member).exists()


def test_plain_members_cannot_manage_their_own_team(member, team, api_as):
    mine = factories.membership(member, team)
    other = factories.person()
    client = api_as(member)
    assert (
        client.post(f"{API}/memberships", {"team_id": team.pk, "person_id": other.pk}, content_type=JSON).status_code
        == 403
    )
    assert client.patch(f"{API}/memberships/{mine.pk}", {"role": "facilitator"}, content_type=JSON).status_code == 403
    mine.refresh_from_db()
    assert mine.role == "member"


# --- invitations ---------------------------------------------------------------------------------


def _invite(client, **fields):
    return client.post(f"{API}/invitations", {"email": "new@example.org", **fields}, content_type=JSON)


def test_admin_invites_someone_and_the_link_is_emailed_once(admin, team, api_as):
    client = api_as(admin)
    response = _invite(client, full_name="New Person", team_id=team.pk, team_role="facilitator")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["status"], body["team"]["id"], body["team_role"]) == (
        "new@example.org",
        "pending",
        team.pk,
        "facilitator",
    )
    url = body["accept_url"]
    assert url.startswith("http")
    assert pending_invitation(url.rstrip("/").rsplit("/", 1)[-1]) is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert url in mail.outbox[0].body
    # The link is in no listing, and only a hash of it is stored.
    listed = client.get(f"{API}/invitations")
    assert "accept_url" not in listed.json()["items"][0]
    assert url.rstrip("/").rsplit("/", 1)[-1] not in listed.content.decode()
    assert not Invitation.objects.filter(token_hash__contains=url.rstrip("/").rsplit("/", 1)[-1]).exists()


def test_invitations_list_by_status(admin, api_as):
    client = api_as(admin)
    _invite(client, email="first@example.org")
    second = _invite(client, email="second@example.org").json()
    client.delete(f"{API}/invitations/{second['id']}")

    def emails(query=""):
        return [i["email"] for i in client.get(f"{API}/invitations{query}").json()["items"]]

    assert emails() == ["second@example.org", "first@example.org"]
    assert emails("?status=pending") == ["first@example.org"]
    assert emails("?status=revoked") == ["second@example.org"]
    assert emails("?status=accepted") == []


def test_admin_revokes_an_invitation(admin, api_as):
    client = api_as(admin)
    invitation = _invite(client).json()
    url = invitation["accept_url"]
    response = client.delete(f"{API}/invitations/{invitation['id']}")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert pending_invitation(url.rstrip("/").rsplit("/", 1)[-1]) is None
    assert AuditEvent.objects.filter(kind="invitation_revoked", target="new@example.org").exists()
    again = client.delete(f"{API}/invitations/{invitation['id']}")
    assert again.status_code == 400
    assert "already revoked" in again.json()["detail"]


def test_members_cannot_see_send_or_revoke_invitations(admin, member, api_as):
    invitation = _invite(api_as(admin)).json()
    mail.outbox.clear()
    client = api_as(member)
    assert client.get(f"{API}/invitations").status_code == 403
    assert _invite(client, email="friend@example.org").status_code == 403
    assert client.delete(f"{API}/invitations/{invitation['id']}").status_code == 403
    assert not Invitation.objects.filter(email="friend@example.org").exists()
    assert Invitation.objects.get(pk=invitation["id"]).status == "pending"
    assert mail.outbox == []


def test_inviting_someone_who_already_has_an_account_is_refused(admin, member, api_as):
    response = _invite(api_as(admin), email="Mo.Member@example.org")
    assert response.status_code == 400
    assert "already has an account" in response.json()["errors"]["email"][0]
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_inviting_with_a_bad_email_is_refused(admin, api_as):
    response = _invite(api_as(admin), email="nobody")
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


# --- CSV import ----------------------------------------------------------------------------------

TEAMS_CSV = """name,kind,parent,description
Engineering,department,,Builds the product
Payments,team,Engineering,Money things
"""

PEOPLE_CSV = """email,full_name,title,manager_email,teams,role
bea@example.org,Bea Boss,Head,,Payments:facilitator,learning_lead
ray@example.org,Ray Report,Engineer,bea@example.org,Payments,
"""


def test_team_import_is_a_dry_run_unless_told_otherwise(admin, api_as):
    response = api_as(admin).post(f"{API}/import/teams", {"csv": TEAMS_CSV}, content_type=JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ok"], body["dry_run"], body["imported"], body["created"]) == (True, True, False, 2)
    assert body["detail"] == "2 teams would be created, 0 updated, 0 unchanged."
    assert [(row["row"], row["action"], row["label"]) for row in body["rows"]] == [
        (2, "create", "Engineering"),
        (3, "create", "Payments"),
    ]
    assert not Team.objects.exists()


def test_team_import_writes_when_dry_run_is_off(admin, api_as):
    response = api_as(admin).post(f"{API}/import/teams", {"csv": TEAMS_CSV, "dry_run": False}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["imported"] is True
    assert Team.objects.get(name="Payments").parent == Team.objects.get(name="Engineering")
    assert AuditEvent.objects.filter(kind="import", target="teams").exists()


def test_a_team_file_with_errors_is_refused_row_by_row_and_writes_nothing(admin, api_as):
    bad = "name,kind,parent\nGood Team,team,\nWeird,circle,\nLost,team,Nowhere\n"
    response = api_as(admin).post(f"{API}/import/teams", {"csv": bad, "dry_run": False}, content_type=JSON)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert body["imported"] is False
    assert "nothing was imported" in body["detail"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "kind"), (4, "parent")]
    assert all(e["message"] for e in body["errors"])
    assert not Team.objects.exists()


def test_people_import_dry_run_then_for_real(admin, api_as):
    client = api_as(admin)
    client.post(f"{API}/import/teams", {"csv": TEAMS_CSV, "dry_run": False}, content_type=JSON)
    dry = client.post(f"{API}/import/people", {"csv": PEOPLE_CSV}, content_type=JSON)
    assert dry.status_code == 200, dry.content
    assert (dry.json()["created"], dry.json()["imported"]) == (2, False)
    assert not Person.objects.filter(email="bea@example.org").exists()

    real = client.post(f"{API}/import/people", {"csv": PEOPLE_CSV, "dry_run": False}, content_type=JSON)
    assert real.status_code == 200, real.content
    assert real.json()["imported"] is True
    ray = Person.objects.get(email="ray@example.org")
    assert ray.manager.email == "bea@example.org"
    assert Membership.objects.get(person__email="bea@example.org").role == "facilitator"
    assert Person.objects.get(email="bea@example.org").role == "learning_lead"


def test_a_people_file_with_errors_writes_nothing(admin, team, api_as):
    bad = "email,full_name,teams\nok@example.org,Okay,Payments\nnot-an-email,Broken,\nx@example.org,,Nowhere\n"
    response = api_as(admin).post(f"{API}/import/people", {"csv": bad, "dry_run": False}, content_type=JSON)
    assert response.status_code == 400
    errors = [(e["row"], e["column"]) for e in response.json()["errors"]]
    assert errors == [(3, "email"), (4, "full_name"), (4, "teams")]
    assert not Person.objects.filter(email__in=["ok@example.org", "x@example.org"]).exists()


def test_a_file_missing_required_columns_is_refused(admin, api_as):
    response = api_as(admin).post(f"{API}/import/people", {"csv": "name\nBea\n"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 1


def test_members_cannot_import(member, api_as):
    client = api_as(member)
    for kind, data in (("teams", TEAMS_CSV), ("people", PEOPLE_CSV)):
        response = client.post(f"{API}/import/{kind}", {"csv": data, "dry_run": False}, content_type=JSON)
        assert response.status_code == 403
    assert not Team.objects.exists()
    assert not Person.objects.filter(email="bea@example.org").exists()


def test_nobody_is_invited_to_an_archived_team(admin, api_as, team):
    team.archived_at = timezone.now()
    team.save()
    response = api_as(admin).post(
        f"{API}/invitations", {"email": "new@example.org", "team_id": team.pk}, content_type=JSON
    )
    assert response.status_code == 400
    assert "team_id" in response.json()["errors"]


def test_a_five_megabyte_csv_is_accepted_through_the_api(admin, api_as):
    description = "x" * 4000
    body = "name,kind,description\n" + "".join(f"Team {number},team,{description}\n" for number in range(1100))
    assert 4 * 1024 * 1024 < len(body) < 5 * 1024 * 1024
    response = api_as(admin).post(f"{API}/import/teams", {"csv": body}, content_type=JSON)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["created"] == 1100
