from types import SimpleNamespace

import pytest

from learnloop.systems import stockflow_services as services
from learnloop.systems.demo_models import BINDINGS, MODEL_FILE
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


@pytest.fixture
def people(db):
    factories.organization(name="Harbourline")
    lead = factories.person(role="learning_lead", full_name="Lena Lead")
    team = factories.team(name="Payments")
    other_team = factories.team(name="On-call")
    member = factories.person(full_name="Mia Member")
    factories.membership(member, team)
    outsider = factories.person(full_name="Otto Outsider")
    factories.membership(outsider, other_team)
    return SimpleNamespace(lead=lead, team=team, other_team=other_team, member=member, outsider=outsider)


@pytest.fixture
def decay_model(people):
    return services.upload_model(people.lead, name="Knowledge decay", team=None, file_name="knowledge_decay.mdl",
                                 content=MODEL_FILE.read_bytes(), bindings=BINDINGS,
                                 translate_now=True)


EVIL_MDL = """{UTF-8}
x = 1
\t~\tDmnl
\t~\t\"\"\"\\import pathlib\\pathlib.Path('MARKER').write_text("owned")\\\"\"\"
\t|
FINAL TIME = 4
\t~\tMonth
\t~\t
\t|
INITIAL TIME = 0
\t~\tMonth
\t~\t
\t|
SAVEPER = 1
\t~\tMonth
\t~\t
\t|
TIME STEP = 1
\t~\tMonth
\t~\t
\t|
"""
