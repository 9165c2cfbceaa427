"""The chat channels and provisioning tokens pages and the chat channels API list run as many
queries with ten rows as with one (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.integrations import scim
from learnloop.integrations.chat_models import ChatChannel
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> int:
    client.get(path)  # warm the per-process caches (navigation, settings)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def _channels(admin, count: int) -> None:
    for number in range(count):
        team = factories.team(name=f"Quay {ChatChannel.objects.count()}-{number}")
        ChatChannel.objects.create(team=team, kind="slack", url=f"https://hooks.slack.com/services/T/B/{number}",
                                   events=["action_due", "report_released"], created_by=admin)


@pytest.mark.parametrize("path", ["/integrations/chat/", "/integrations/provisioning/"])
def test_the_pages_cost_the_same_with_ten_rows(admin, path):
    page = signed_in_client(admin)
    _channels(admin, 1)
    scim.create_token(by=admin, name="Entra ID")
    once = _queries(page, path)
    _channels(admin, 9)
    for number in range(9):
        scim.create_token(by=admin, name=f"Okta {number}")
    assert _queries(page, path) == once


def test_the_chat_channels_api_costs_the_same_with_ten_rows(admin):
    client = factories.token_client(admin)
    _channels(admin, 1)
    once = _queries(client, "/api/v1/chat-channels")
    _channels(admin, 9)
    assert _queries(client, "/api/v1/chat-channels") == once
