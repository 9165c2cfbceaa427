"""The knowledge-network pages in German (an organization without flows yet: every empty state)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.i18n_check import assert_no_english

DE = {"HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def lead(db):
    factories.organization(name="Hafen Nord AG")
    person = factories.person(email="eva.schmidt@example.org", full_name="Eva Schmidt", role="learning_lead")
    client = Client()
    client.force_login(person)
    return client


def test_the_network_report_is_german(lead):
    response = lead.get(reverse("network:report"), **DE)
    assert response.status_code == 200
    assert_no_english(response)


def test_my_network_is_german(lead):
    response = lead.get(reverse("network:me"), **DE)
    assert response.status_code == 200
    # "Person" is German too (a column heading here).
    assert_no_english(response, allowed=frozenset({"person"}))
