"""The webhook and calendar API: the same services as the pages; payloads match their schemas
(the suite checks every answer against the OpenAPI document)."""

import pytest
from standardwebhooks import Webhook

from learnloop.actions import services as actions

pytestmark = pytest.mark.django_db


def test_subscribe_see_the_log_and_replay_through_the_api(admin, team, receiver, api_as):
    client = api_as(admin)
    created = client.post("/api/v1/webhooks", {"url": receiver.url, "event_types": ["action.created"],
                                               "description": "CI bot"}, content_type="application/json")
    assert created.status_code == 201, created.content
    subscription = created.json()
    assert subscription["secret"].startswith("whsec_")
    actions.create_action(by=admin, title="From the API", team=team)

    listed = client.get("/api/v1/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    log = client.get(f"/api/v1/webhooks/{subscription['id']}/deliveries").json()
    assert log["count"] == 1 and log["items"][0]["status"] == "succeeded"
    detail = client.get(f"/api/v1/webhooks/deliveries/{log['items'][0]['id']}").json()
    assert detail["payload"]["type"] == "action.created"
    assert detail["attempt_log"][0]["status_code"] == 200

    replayed = client.post(f"/api/v1/webhooks/deliveries/{detail['id']}/replay")
    assert replayed.status_code == 201 and replayed.json()["message_id"] == detail["message_id"]
    assert len(receiver.requests) == 2
    Webhook(subscription["secret"]).verify(receiver.requests[1][2], receiver.requests[1][1])

    ping = client.post(f"/api/v1/webhooks/{subscription['id']}/test")
    assert ping.status_code == 201
    assert Webhook(subscription["secret"]).verify(receiver.requests[2][2], receiver.requests[2][1])["type"] == "ping"


def test_internal_urls_are_a_400_with_the_reason(admin, api_as, settings):
    settings.WEBHOOK_ALLOW = []
    body = {"url": "http://169.254.169.254/", "event_types": ["action.created"]}
    answer = api_as(admin).post("/api/v1/webhooks", body, content_type="application/json")
    assert answer.status_code == 400
    assert "internal addresses" in answer.json()["detail"]


def test_unknown_event_types_are_refused(admin, api_as, receiver):
    answer = api_as(admin).post("/api/v1/webhooks", {"url": receiver.url, "event_types": ["action.exploded"]},
                                content_type="application/json")
    assert answer.status_code == 422


def test_patch_rotate_delete(admin, api_as, receiver):
    client = api_as(admin)
    subscription = client.post("/api/v1/webhooks", {"url": receiver.url, "event_types": ["action.created"]},
                               content_type="application/json").json()
    changed = client.patch(f"/api/v1/webhooks/{subscription['id']}",
                           {"active": False, "event_types": ["action.closed", "session.closed"]},
                           content_type="application/json").json()
    assert changed["is_active"] is False and changed["event_types"] == ["action.closed", "session.closed"]
    rotated = client.post(f"/api/v1/webhooks/{subscription['id']}/rotate-secret").json()
    assert rotated["secret"] != subscription["secret"]
    assert client.delete(f"/api/v1/webhooks/{subscription['id']}").status_code == 204
    assert client.get(f"/api/v1/webhooks/{subscription['id']}").status_code == 404


def test_members_get_403(member, api_as):
    client = api_as(member)
    assert client.get("/api/v1/webhooks").status_code == 403
    assert client.get("/api/v1/webhooks/event-types").status_code == 403


def test_event_types_are_listed(admin, api_as):
    names = [item["name"] for item in api_as(admin).get("/api/v1/webhooks/event-types").json()]
    assert "experiment.decided" in names and "survey.report_released" in names


def test_webhook_pages(admin_client, member_client, receiver, settings):
    assert member_client.get("/integrations/webhooks/").status_code == 403
    page = admin_client.post("/integrations/webhooks/", {"url": "http://10.0.0.1/", "event_types": ["action.created"]})
    assert page.status_code == 200 and "internal addresses" in page.content.decode()
    made = admin_client.post("/integrations/webhooks/", {"url": receiver.url, "event_types": ["action.created"]})
    assert made.status_code == 302
    detail = admin_client.get(made["Location"])
    assert detail.status_code == 200 and "whsec_" in detail.content.decode()
    sent = admin_client.post(made["Location"] + "do/", {"action": "test"})
    assert sent.status_code == 302 and len(receiver.requests) == 1
    from learnloop.integrations.models import WebhookDelivery

    delivery = WebhookDelivery.objects.get()
    assert admin_client.get(f"/integrations/webhooks/deliveries/{delivery.pk}/").status_code == 200
    assert admin_client.post("/integrations/webhooks/replay/", {"delivery": delivery.pk}).status_code == 302
    assert len(receiver.requests) == 2
    assert admin_client.post("/integrations/webhooks/replay/", {"delivery": "99999999999999999999"}).status_code == 302
    assert admin_client.post(made["Location"] + "do/", {"action": "explode"}).status_code == 302
    assert admin_client.get("/integrations/webhooks/12345/").status_code == 404
