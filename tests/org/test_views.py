import pytest

from learnloop.audit.models import AuditEvent
from learnloop.org.models import Membership, Person, Team
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_directory_lists_active_people_and_searches_every_word(member_client, member):
    factories.person(full_name="Priya Sharma", title="Data Engineer")
    factories.person(full_name="Priya Okafor", title="Designer")
    gone = factories.person(full_name="Priya Gone")
    gone.is_active = False
    gone.deactivated_at = gone.date_joined
    gone.save()
    page = member_client.get("/people/", {"q": "priya data"}).content.decode()
    assert "Priya Sharma" in page
    assert "Priya Okafor" not in page
    assert "Priya Gone" not in member_client.get("/people/", {"q": "priya"}).content.decode()
    assert "Priya Gone" in member_client.get("/people/", {"q": "priya", "status": "inactive"}).content.decode()


def test_search_as_you_type_gets_only_the_results(member_client):
    response = member_client.get("/people/", {"q": "mo"}, headers={"HX-Request": "true", "HX-Target": "people-results"})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="people-results"')
    assert "<html" not in page


def test_the_directory_filters_by_team(member_client, team):
    inside = factories.person(full_name="Inside Person")
    factories.membership(inside, team)
    factories.person(full_name="Outside Person")
    page = member_client.get("/people/", {"team": team.slug}).content.decode()
    assert "Inside Person" in page
    assert "Outside Person" not in page


def test_the_directory_paginates(member_client):
    for number in range(60):
        factories.person(full_name=f"Bulk {number:02d}")
    first = member_client.get("/people/").content.decode()
    second = member_client.get("/people/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


def test_a_person_page_shows_teams_manager_and_reports(member_client, member, team):
    boss = factories.person(full_name="Big Boss")
    member.manager = boss
    member.save()
    factories.membership(member, team, role="facilitator")
    page = member_client.get(f"/people/{member.pk}/").content.decode()
    assert "Big Boss" in page
    assert "Payments" in page
    assert "Mo Member" in member_client.get(f"/people/{boss.pk}/").content.decode()


def test_unknown_people_and_teams_are_404(member_client):
    assert member_client.get("/people/999999/").status_code == 404
    assert member_client.get("/teams/no-such-team/").status_code == 404


def test_members_cannot_open_admin_pages(member_client, member, team):
    for path in [
        "/people/new/",
        f"/people/{member.pk}/edit/",
        "/teams/new/",
        f"/teams/{team.slug}/edit/",
        "/invitations/",
        "/import/",
        "/audit/",
    ]:
        assert member_client.get(path).status_code == 403, path


def test_members_cannot_change_people_by_posting(member_client, admin):
    response = member_client.post(f"/people/{admin.pk}/status/", {"action": "deactivate"})
    assert response.status_code == 403
    assert Person.objects.get(pk=admin.pk).is_active


def test_admin_adds_a_person_and_sees_form_errors(admin_client):
    response = admin_client.post("/people/new/", {"email": "bad", "full_name": "", "role": "member"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert "Enter a valid email address." in page
    response = admin_client.post(
        "/people/new/", {"email": "new@example.org", "full_name": "New Person", "role": "member"}
    )
    person = Person.objects.get(email="new@example.org")
    assert response["Location"] == f"/people/{person.pk}/"


def test_admin_edit_refuses_a_management_loop_with_a_form_error(admin_client):
    boss = factories.person(full_name="Boss")
    report = factories.person(full_name="Report", manager=boss)
    response = admin_client.post(
        f"/people/{boss.pk}/edit/", {"full_name": "Boss", "title": "", "manager": report.pk, "role": "member"}
    )
    assert response.status_code == 200
    assert "reports to" in response.content.decode()
    boss.refresh_from_db()
    assert boss.manager is None


def test_removing_an_author_deactivates_them(admin_client, member, team):
    from learnloop.activity.services import record_activity

    record_activity(verb="created", subject=team, actor=member)
    response = admin_client.post(f"/people/{member.pk}/status/", {"action": "remove"}, follow=True)
    assert "deactivated instead of deleted" in response.content.decode()
    assert not Person.objects.get(pk=member.pk).is_active


def test_the_team_page_lists_departments_and_teams(member_client, department, team):
    page = member_client.get("/teams/").content.decode()
    assert "Engineering" in page and "Payments" in page
    page = member_client.get(f"/teams/{department.slug}/").content.decode()
    assert "Teams in Engineering" in page


def test_a_team_lead_changes_roles_inline_with_htmx(team, member):
    lead = factories.person(full_name="Lead")
    factories.membership(lead, team, role="facilitator")
    membership = factories.membership(member, team)
    from tests.conftest import signed_in_client

    client = signed_in_client(lead)
    response = client.post(f"/memberships/{membership.pk}/", {"role": "facilitator"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="membership-{membership.pk}"' in response.content.decode()
    assert "Saved." in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == "facilitator"
    assert AuditEvent.objects.filter(kind="role_changed", actor=lead).exists()


def test_plain_members_cannot_change_team_roles(member_client, member, team):
    membership = factories.membership(member, team)
    response = member_client.post(f"/memberships/{membership.pk}/", {"role": "facilitator"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=membership.pk).role == "member"


def test_members_do_not_see_the_team_management_controls(member_client, member, team):
    factories.membership(member, team)
    page = member_client.get(f"/teams/{team.slug}/").content.decode()
    assert "Add a member" not in page
    assert "<select" not in page


def test_admin_adds_a_team_member(admin_client, team, member):
    response = admin_client.post(f"/teams/{team.slug}/", {"person": member.pk, "role": "member"})
    assert response.status_code == 302
    assert Membership.objects.filter(team=team, person=member).exists()


def test_admin_creates_a_team_and_gets_errors_for_duplicates(admin_client, team):
    response = admin_client.post("/teams/new/", {"name": "payments", "kind": "team"})
    assert "already a team" in response.content.decode()
    response = admin_client.post("/teams/new/", {"name": "Mobile", "kind": "team", "parent": team.parent.pk})
    assert response.status_code == 302
    assert Team.objects.get(name="Mobile").parent == team.parent


def test_the_invitation_page_shows_the_link_once_and_accepting_signs_in(admin_client, client, team):
    response = admin_client.post(
        "/invitations/",
        {
            "email": "new@example.org",
            "full_name": "New",
            "title": "",
            "role": "member",
            "team": team.pk,
            "team_role": "member",
        },
    )
    page = response.content.decode()
    start = page.index('data-testid="invitation-url">') + len('data-testid="invitation-url">')
    url = page[start : page.index("<", start)]
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"full_name": "New Person", "password": "a long passphrase", "password_again": "a long passphrase"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(path).status_code == 410
    listing = admin_client.get("/invitations/").content.decode()
    assert "<td>accepted</td>" in listing
    assert 'data-testid="invitation-url"' not in listing


def test_accepting_with_mismatched_passwords_shows_an_error(admin, client):
    from learnloop.org.invitations import invite_person

    _, url = invite_person(by=admin, email="new@example.org")
    path = url.split("127.0.0.1:8000", 1)[1]
    response = client.post(path, {"full_name": "New", "password": "a long passphrase", "password_again": "different"})
    assert "The two passwords differ." in response.content.decode()
    assert not Person.objects.filter(email="new@example.org").exists()


def test_csv_import_checks_first_then_imports(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("teams.csv", b"name,kind,parent\nEngineering,department,\nPayments,team,Engineering\n")
    response = admin_client.post("/import/", {"kind": "teams", "file": upload})
    page = response.content.decode()
    assert "Check passed" in page
    assert not Team.objects.exists()
    csv_text = "name,kind,parent\nEngineering,department,\nPayments,team,Engineering\n"
    response = admin_client.post("/import/", {"kind": "teams", "csv_text": csv_text, "confirm": "on"})
    assert response.status_code == 302
    assert set(Team.objects.values_list("name", flat=True)) == {"Engineering", "Payments"}


def test_csv_import_lists_every_problem_and_imports_nothing(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", b"email,full_name\nbad,Someone\nok@example.org,\n")
    page = admin_client.post("/import/", {"kind": "people", "file": upload}).content.decode()
    assert "row 2, column email" in page
    assert "row 3, column full_name" in page
    assert "nothing was imported" in page
    assert not Person.objects.filter(email="ok@example.org").exists()


def test_bad_actions_on_people_teams_and_members_are_refused_with_a_message(admin_client, member, team):
    response = admin_client.post(f"/people/{member.pk}/status/", {"action": "promote"}, follow=True)
    assert "Unknown action." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active
    response = admin_client.post(f"/teams/{team.slug}/archive/", {"action": "explode"}, follow=True)
    assert "Unknown action." in response.content.decode()
    team.refresh_from_db()
    assert team.archived_at is None
    membership = factories.membership(member, team)
    response = admin_client.post(f"/memberships/{membership.pk}/", {"action": "promote", "role": "facilitator"})
    assert response.status_code == 400 and "Unknown action." in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == "member"
