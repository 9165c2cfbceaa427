"""The entry page and the API show an entry under the same visibility rules."""

import pytest

from learnloop.knowledge import services
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

DECISION = {"kind": "decision", "context": "We need transactions.", "options": "- PostgreSQL\n- DynamoDB",
            "decision": "PostgreSQL.", "consequences": "One more database."}


@pytest.fixture
def payments(department):
    return factories.team(name="Payments", parent=department)


@pytest.fixture
def author(payments):
    person = factories.person(full_name="Pia Payments")
    factories.membership(person, payments)
    return person


def _superseded_by_a_team_only_record(author, payments):
    old = services.create_entry(by=author, title="Public decision", **DECISION)
    services.set_decision_status(by=author, entry=old, status="accepted")
    successor = services.create_entry(by=author, title="Team-only successor", owner_team=payments,
                                      visibility="team", **DECISION)
    services.set_decision_status(by=author, entry=successor, status="accepted")
    services.set_decision_status(by=author, entry=old, status="superseded", superseded_by=successor)
    return old


def _page(viewer, entry) -> str:
    response = signed_in_client(viewer).get(f"/knowledge/{entry.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _api(viewer, entry) -> str:
    response = factories.token_client(viewer).get(f"/api/v1/knowledge/entries/{entry.pk}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("read", [_page, _api], ids=["web", "api"])
def test_a_team_only_successor_is_named_only_to_its_team(author, payments, read):
    old = _superseded_by_a_team_only_record(author, payments)
    outsider = factories.person(full_name="Otto Outsider")
    assert "Team-only successor" not in read(outsider, old)
    assert "Team-only successor" in read(author, old)
