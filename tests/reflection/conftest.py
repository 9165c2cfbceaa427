import pytest

from learnloop.reflection import services
from learnloop.reflection.writer_keys import new_key
from tests import factories


@pytest.fixture
def facilitator(team):
    person = factories.person(email="fran.facilitator@example.org", full_name="Fran Facilitator")
    factories.membership(person, team, role="facilitator")
    return person


@pytest.fixture
def writer(team):
    """A team member whose authorship the anonymity tests try to uncover."""
    person = factories.person(email="wren.writer@example.org", full_name="Wren Writer")
    factories.membership(person, team)
    return person


@pytest.fixture
def colleague(team):
    person = factories.person(email="cal.colleague@example.org", full_name="Cal Colleague")
    factories.membership(person, team)
    return person


@pytest.fixture
def outsider(db):
    return factories.person(email="otto.outsider@example.org", full_name="Otto Outsider")


@pytest.fixture
def make_session(team, facilitator):
    def make(template="start-stop-continue", **fields):
        fields.setdefault("title", "Sprint 14 retro")
        return services.create_session(
            by=facilitator, team=team, template=services.builtin_template(template), **fields
        )

    return make


@pytest.fixture
def session(make_session):
    return make_session()


@pytest.fixture
def keys():
    """keys[name] -> that person's writer key for the test (each browser holds its own)."""
    store = {}

    class Keys(dict):
        def __missing__(self, name):
            store[name] = new_key()
            self[name] = store[name]
            return store[name]

    return Keys()


def move_to(session, phase, *, by):
    from learnloop.reflection.models import PHASE_ORDER

    while session.phase != phase:
        session = services.set_phase(by=by, session=session, phase=PHASE_ORDER[session.phase_index + 1])
    return session


def join(session, *people):
    """Open the board as each person: writing and voting need a participant row made before."""
    for person in people:
        services.join_session(by=person, session=session)
    return session
