"""Email notification preferences through the API: the page's choices, one's own only, and an
unknown kind refused without changing anything."""

import pytest

from learnloop.integrations import notifications
from tests import factories

pytestmark = pytest.mark.django_db


def test_read_and_change_my_preferences(member):
    client = factories.token_client(member)
    listed = client.get("/api/v1/notification-preferences").json()["kinds"]
    assert {item["kind"] for item in listed} == set(notifications.KINDS)
    assert all(item["enabled"] for item in listed)

    changed = client.patch("/api/v1/notification-preferences", {"choices": {"digest": False}},
                           content_type="application/json")
    assert changed.status_code == 200
    assert {item["kind"]: item["enabled"] for item in changed.json()["kinds"]}["digest"] is False
    assert notifications.preferences_of(member)["digest"] is False
    assert notifications.preferences_of(member)["reminder"] is True  # the others stay


def test_unknown_kind_is_refused_and_nothing_changes(member):
    client = factories.token_client(member)
    response = client.patch("/api/v1/notification-preferences", {"choices": {"digest": False, "dgiest": True}},
                            content_type="application/json")
    assert response.status_code == 400 and "dgiest" in response.content.decode()
    assert notifications.preferences_of(member)["digest"] is True
    extra = client.patch("/api/v1/notification-preferences", {"choices": {}, "person_id": 1},
                         content_type="application/json")
    assert extra.status_code == 400


def test_preferences_are_ones_own(member):
    other = factories.person(email="o.ther@example.org", full_name="O Ther")
    factories.token_client(member).patch("/api/v1/notification-preferences", {"choices": {"digest": False}},
                                         content_type="application/json")
    assert notifications.preferences_of(other)["digest"] is True
    assert factories.token_client(other).get("/api/v1/notification-preferences").json()["kinds"][1]["enabled"] is True
