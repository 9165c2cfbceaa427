import pytest

from learnloop.growth import services
from learnloop.growth.models import SkillCategory
from tests import factories


@pytest.fixture
def learning_lead(db):
    return factories.person(email="lee.lead@example.org", full_name="Lee Lead", role="learning_lead")


@pytest.fixture
def lead(team):
    person = factories.person(email="fran.facilitator@example.org", full_name="Fran Facilitator")
    factories.membership(person, team, role="facilitator")
    return person


@pytest.fixture
def ana(team):
    person = factories.person(email="ana@example.org", full_name="Ana Analyst")
    factories.membership(person, team)
    return person


@pytest.fixture
def ben(team):
    person = factories.person(email="ben@example.org", full_name="Ben Builder")
    factories.membership(person, team)
    return person


@pytest.fixture
def outsider(db):
    other = factories.team(name="Warehouse")
    person = factories.person(email="otto@example.org", full_name="Otto Outsider")
    factories.membership(person, other)
    return person


@pytest.fixture
def category(db):
    return SkillCategory.objects.create(name="Operations")


@pytest.fixture
def incident(learning_lead, category):
    return services.create_skill(by=learning_lead, name="Incident response", category=category,
                                 aliases="incident, on-call")


@pytest.fixture
def testing(learning_lead, category):
    return services.create_skill(by=learning_lead, name="Automated testing", category=category, aliases="testing")
