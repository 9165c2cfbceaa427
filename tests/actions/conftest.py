"""Fixtures for the action engine: a team with a facilitator and members, and tasks run inline."""

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Changing TASKS fires setting_changed, which django.tasks answers by dropping its cached
    # backends, so the queue in these tests is the immediate one and is restored afterwards.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def facilitator(team):
    person = factories.person(email="fay.facilitator@example.org", full_name="Fay Facilitator")
    factories.membership(person, team, role="facilitator")
    return person


@pytest.fixture
def teammate(team):
    person = factories.person(email="tia.teammate@example.org", full_name="Tia Teammate")
    factories.membership(person, team)
    return person


@pytest.fixture
def outsider(db):
    return factories.person(email="otto.outsider@example.org", full_name="Otto Outsider")


@pytest.fixture
def learning_lead(db):
    return factories.person(email="lee.lead@example.org", full_name="Lee Lead", role="learning_lead")
