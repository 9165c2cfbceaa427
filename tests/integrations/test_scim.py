"""SCIM 2.0 provisioning, driven by the requests two common identity providers send.

The bodies below follow the request sequences Microsoft documents for Entra ID's provisioning
service ("Develop and plan provisioning for a SCIM endpoint": create, find by userName, PATCH
with "Replace" and string booleans, group member Add/Remove) and Okta's SCIM 2.0 guide (value
objects without a path, `members[value eq "…"]` removals, PUT replacing a user)."""

import json

import pytest
from django.test import Client

from learnloop.actions import services as actions
from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.integrations import scim
from learnloop.org.models import Membership, Person, Team
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

MEDIA = "application/scim+json"


@pytest.fixture
def provisioner(admin):
    _token, raw = scim.create_token(by=admin, name="Entra ID")
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def call(method: str, path: str, body=None):
        data = json.dumps(body) if body is not None else None
        response = getattr(client, method.lower())(f"/scim/v2/{path}", data=data, content_type=MEDIA)
        payload = response.json() if response.content else None
        return response.status_code, payload

    return call


ENTRA_USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "jana.mueller@harbourline.example",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "jana.mueller@harbourline.example"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "Jana Müller", "familyName": "Müller", "givenName": "Jana"},
    "roles": [],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Operations"},
}


def test_entra_id_creates_finds_updates_and_disables_a_user(provisioner, admin):
    status, found = provisioner("GET", 'Users?filter=userName eq "jana.mueller@harbourline.example"')
    assert status == 200 and found["totalResults"] == 0 and found["Resources"] == []

    status, created = provisioner("POST", "Users", ENTRA_USER)
    assert status == 201
    assert created["userName"] == "jana.mueller@harbourline.example" and created["displayName"] == "Jana Müller"
    assert created["externalId"] == ENTRA_USER["externalId"] and created["active"] is True
    person = Person.objects.get(email="jana.mueller@harbourline.example")
    assert person.role == "member" and not person.has_usable_password()

    # Asked twice (a retried create): a uniqueness conflict, not a second person.
    status, error = provisioner("POST", "Users", ENTRA_USER)
    assert status == 409 and error["scimType"] == "uniqueness"
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]

    status, found = provisioner("GET", f'Users?filter=externalId eq "{ENTRA_USER["externalId"]}"')
    assert [item["id"] for item in found["Resources"]] == [str(person.pk)]

    status, patched = provisioner("PATCH", f"Users/{person.pk}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "jana.mueller@hl.example"},
            {"op": "Replace", "path": "name.familyName", "value": "Schulz"},
            {"op": "Add", "path": "title", "value": "Dispatcher"},
        ]})
    assert status == 200 and patched["userName"] == "jana.mueller@hl.example"
    person.refresh_from_db()
    assert (person.email, person.full_name, person.title) == ("jana.mueller@hl.example", "Jana Schulz", "Dispatcher")

    status, disabled = provisioner("PATCH", f"Users/{person.pk}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})
    assert status == 200 and disabled["active"] is False
    person.refresh_from_db()
    assert not person.is_active
    deactivations = AuditEvent.objects.filter(kind=AuditKind.PERSON_DEACTIVATED, target=person.email)
    assert deactivations.get().actor == admin  # the token acts as the admin who made it


def test_okta_replaces_and_deactivates_with_value_objects(provisioner):
    status, created = provisioner("POST", "Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "test.user@okta.local",
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
        "displayName": "Test User", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [], "password": "1mz050nq", "active": True})
    assert status == 201
    user_id = created["id"]
    status, replaced = provisioner("PUT", f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": user_id,
        "userName": "test.user@okta.local", "name": {"givenName": "Another", "familyName": "User"},
        "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
        "displayName": "Another User", "active": True})
    assert status == 200 and replaced["displayName"] == "Another User"
    # The password Okta sent is not kept: people sign in through the identity provider.
    assert not Person.objects.get(pk=user_id).has_usable_password()
    status, deactivated = provisioner("PATCH", f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}]})
    assert status == 200 and deactivated["active"] is False
    status, reactivated = provisioner("PATCH", f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": True}}]})
    assert reactivated["active"] is True and Person.objects.get(pk=user_id).is_active


def test_deactivation_keeps_contributions_and_stops_sessions_and_tokens(provisioner, admin, team):
    person = factories.person(email="leaving@example.org", full_name="Lea Leaving")
    factories.membership(person, team)
    action = actions.create_action(by=person, title="Write the hand-over checklist", team=team, owner=person)
    browser = signed_in_client(person)
    assert browser.get("/").status_code == 200
    token = factories.token_client(person)
    assert token.get("/api/v1/me").status_code == 200

    status, _ = provisioner("DELETE", f"Users/{person.pk}")
    assert status == 204
    person.refresh_from_db()
    assert not person.is_active and Person.objects.filter(pk=person.pk).exists()  # never deleted
    action.refresh_from_db()
    assert action.created_by_id == person.pk  # what they did stays theirs
    assert browser.get("/").status_code == 302  # the session no longer signs them in
    assert token.get("/api/v1/me").status_code == 401
    status, shown = provisioner("GET", f"Users/{person.pk}")
    assert status == 200 and shown["active"] is False


def test_entra_id_provisions_a_group_and_its_members(provisioner):
    first = factories.person(email="a.one@example.org", full_name="Ada One")
    second = factories.person(email="b.two@example.org", full_name="Ben Two")
    status, found = provisioner("GET", 'Groups?excludedAttributes=members&filter=displayName eq "Harbour Ops"')
    assert found["totalResults"] == 0
    status, group = provisioner("POST", "Groups", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group",
                    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "Harbour Ops",
        "meta": {"resourceType": "Group"}})
    assert status == 201 and group["members"] == []
    team = Team.objects.get(name="Harbour Ops")
    status, _ = provisioner("PATCH", f"Groups/{team.pk}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": "members",
                        "value": [{"$ref": None, "value": str(first.pk)}, {"$ref": None, "value": str(second.pk)}]}]})
    assert status == 200
    assert set(Membership.objects.filter(team=team).values_list("person_id", flat=True)) == {first.pk, second.pk}
    status, group = provisioner("PATCH", f"Groups/{team.pk}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": None, "value": str(first.pk)}]}]})
    assert [member["value"] for member in group["members"]] == [str(second.pk)]
    status, listed = provisioner("GET", 'Groups?excludedAttributes=members&filter=displayName eq "Harbour Ops"')
    assert [item["id"] for item in listed["Resources"]] == [str(team.pk)] and "members" not in listed["Resources"][0]


def test_okta_renames_removes_by_path_and_deletes_a_group(provisioner):
    member = factories.person(email="c.three@example.org", full_name="Cy Three")
    status, group = provisioner("POST", "Groups", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Test SCIMv2",
        "members": [{"value": str(member.pk), "display": "c.three@example.org"}]})
    team_id = group["id"]
    assert [item["value"] for item in group["members"]] == [str(member.pk)]
    status, renamed = provisioner("PATCH", f"Groups/{team_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"id": team_id, "displayName": "Dockside"}}]})
    assert renamed["displayName"] == "Dockside"
    status, emptied = provisioner("PATCH", f"Groups/{team_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "remove", "path": f'members[value eq "{member.pk}"]'}]})
    assert emptied["members"] == []
    status, _ = provisioner("DELETE", f"Groups/{team_id}")
    assert status == 204 and Team.objects.get(pk=team_id).archived_at is not None  # archived, kept
    status, gone = provisioner("GET", f"Groups/{team_id}")
    assert status == 404 and gone["status"] == "404"


def test_bad_requests_get_scim_errors_and_change_nothing(provisioner):
    status, error = provisioner("GET", 'Users?filter=userName co "jana"')
    assert status == 400 and error["scimType"] == "invalidFilter"
    status, error = provisioner("POST", "Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]})
    assert status == 400 and "userName" in error["detail"]
    status, error = provisioner("POST", "Users", {"userName": "not-an-address", "displayName": "X"})
    assert status == 400 and Person.objects.filter(email="not-an-address").count() == 0
    no_members = {"Operations": [{"op": "add", "path": "members", "value": []}]}
    status, error = provisioner("PATCH", "Groups/999999", no_members)
    assert status == 404
    team = factories.team(name="Quay")
    status, error = provisioner("PATCH", f"Groups/{team.pk}", {
        "Operations": [{"op": "add", "path": "members", "value": [{"value": "424242"}]}]})
    assert status == 400 and "424242" in error["detail"]
    status, error = provisioner("PATCH", f"Groups/{team.pk}", {"Operations": [{"op": "move", "path": "members"}]})
    assert status == 400 and error["scimType"] == "invalidSyntax"


def test_only_a_live_provisioning_token_opens_scim(admin):
    anonymous = Client()
    assert anonymous.get("/scim/v2/Users").status_code == 401
    # A personal API token or a browser session is not a provisioning token.
    assert factories.token_client(admin).get("/scim/v2/Users").status_code == 401
    assert signed_in_client(admin).get("/scim/v2/Users").status_code == 401
    token, raw = scim.create_token(by=admin, name="Okta")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/scim/v2/ServiceProviderConfig").json()["patch"]["supported"] is True
    # The token stops when its maker stops being an admin, and when it is revoked.
    admin.role = "member"
    admin.save(update_fields=["role"])
    assert client.get("/scim/v2/Users").status_code == 401
    admin.role = "admin"
    admin.save(update_fields=["role"])
    scim.revoke_token(by=admin, prefix=token.prefix)
    response = client.get("/scim/v2/Users")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_paging_follows_start_index_and_count(provisioner):
    for number in range(5):
        factories.person(email=f"p{number}@example.org", full_name=f"Person {number}")
    _, first = provisioner("GET", "Users?startIndex=1&count=2")
    _, second = provisioner("GET", "Users?startIndex=3&count=2")
    assert first["totalResults"] == second["totalResults"] == Person.objects.count()
    assert first["itemsPerPage"] == 2 and first["startIndex"] == 1 and second["startIndex"] == 3
    assert not {item["id"] for item in first["Resources"]} & {item["id"] for item in second["Resources"]}


def test_the_cli_makes_lists_and_revokes_tokens(admin, member):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("scim", "token-create", "Okta", "--by", admin.email, stdout=out, stderr=StringIO())
    raw = out.getvalue().strip()
    assert raw.startswith("llscim_")
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/scim/v2/Users").status_code == 200
    listed = StringIO()
    call_command("scim", "tokens", stdout=listed)
    assert "Okta" in listed.getvalue() and admin.email in listed.getvalue() and raw not in listed.getvalue()
    with pytest.raises(CommandError, match="Only admins"):
        call_command("scim", "token-create", "Mine", "--by", member.email, stdout=StringIO())
    call_command("scim", "token-revoke", raw[:12], "--by", admin.email, stdout=StringIO())
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/scim/v2/Users").status_code == 401


def test_admins_make_and_revoke_tokens_on_the_page(admin, member):
    page = signed_in_client(admin)
    made = page.post("/integrations/provisioning/", {"name": "Entra ID"})
    assert made.status_code == 200
    raw = made.content.decode().split('id="new-provisioning-token"')[1].split("<code>")[1].split("</code>")[0]
    assert raw.startswith("llscim_")
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/scim/v2/Users").status_code == 200
    assert raw not in page.get("/integrations/provisioning/").content.decode()  # shown once
    assert page.post("/integrations/provisioning/", {"name": ""}).status_code == 400
    assert signed_in_client(member).get("/integrations/provisioning/").status_code == 403
    page.post("/integrations/provisioning/revoke/", {"prefix": raw[:12]})
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/scim/v2/Users").status_code == 401


def test_listing_users_and_groups_costs_the_same_for_two_or_twenty(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _token, raw = scim.create_token(by=admin, name="Okta")
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    def counted(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    def grow(count):
        for _ in range(count):
            team = factories.team()
            factories.membership(factories.person(), team)

    grow(2)
    client.get("/scim/v2/ServiceProviderConfig")  # the token's last use is written at most once a minute
    users, groups = counted("/scim/v2/Users"), counted("/scim/v2/Groups")
    grow(18)
    assert (counted("/scim/v2/Users"), counted("/scim/v2/Groups")) == (users, groups)
