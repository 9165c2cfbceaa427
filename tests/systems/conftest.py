import pytest

from tests import factories


@pytest.fixture
def lead(db):
    return factories.person(email="lena.lead@example.org", full_name="Lena Lead", role="learning_lead")


@pytest.fixture
def crew(team, member):
    factories.membership(member, team)
    return team


@pytest.fixture
def outsider(db):
    return factories.person(email="otto.out@example.org", full_name="Otto Outsider")
