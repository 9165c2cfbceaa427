"""The edit page and the API's PATCH make the same edit of a person: same rules, same outcome."""

import pytest

from learnloop.audit.models import AuditEvent
from learnloop.org.models import Person
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _edit_on_the_page(admin, person, *, full_name, title, role):
    response = signed_in_client(admin).post(
        f"/people/{person.pk}/edit/", {"full_name": full_name, "title": title, "manager": "", "role": role}
    )
    refused = response.status_code == 200  # the form again, with the error; a save redirects
    return refused, response.content.decode()


def _edit_through_the_api(admin, person, *, full_name, title, role):
    response = factories.token_client(admin).patch(
        f"{API}/people/{person.pk}", {"full_name": full_name, "title": title, "role": role},
        content_type="application/json",
    )
    refused = response.status_code == 400
    return refused, " ".join(response.json().get("errors", {}).get("role", [])) if refused else ""


@pytest.mark.parametrize("edit", [_edit_on_the_page, _edit_through_the_api], ids=["web", "api"])
def test_a_refused_role_change_saves_nothing_of_the_edit(admin, edit):
    refused, shown = edit(admin, admin, full_name="Ada Renamed", title="Former admin", role="member")
    assert refused
    assert "last admin" in shown
    stored = Person.objects.get(pk=admin.pk)
    assert (stored.full_name, stored.title, stored.role) == ("Ada Admin", "", "admin")
    assert not AuditEvent.objects.filter(kind="role_changed").exists()


@pytest.mark.parametrize("edit", [_edit_on_the_page, _edit_through_the_api], ids=["web", "api"])
def test_an_allowed_edit_saves_name_title_and_role_together(admin, edit):
    factories.person(full_name="Second Admin", role="admin")
    refused, _ = edit(admin, admin, full_name="Ada Renamed", title="Engineer", role="member")
    assert not refused
    stored = Person.objects.get(pk=admin.pk)
    assert (stored.full_name, stored.title, stored.role) == ("Ada Renamed", "Engineer", "member")


def test_the_refused_page_shows_the_stored_name_not_the_refused_one(admin):
    _, page = _edit_on_the_page(admin, admin, full_name="Ada Renamed", title="", role="member")
    assert "Edit Ada Admin" in page
