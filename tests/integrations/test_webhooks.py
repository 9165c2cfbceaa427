"""Outgoing webhooks against a real receiver on loopback, signatures checked with the reference
`standardwebhooks` library; retries, disabling, replay; refusing internal addresses."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks import Webhook

from learnloop.actions import services as actions
from learnloop.activity.services import record_activity
from learnloop.integrations import addresses, delivery, services, tasks
from learnloop.integrations.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def subscribe(admin, url, *types):
    return services.create_subscription(by=admin, url=url, event_types=list(types) or ["action.created"])


def verified(subscription, request) -> dict:
    _path, headers, body = request
    return Webhook(subscription.secret).verify(body, headers)


def test_an_event_reaches_the_receiver_signed_per_standard_webhooks(admin, team, receiver):
    subscription = subscribe(admin, receiver.url, "action.created")
    action = actions.create_action(by=admin, title="Add a rollback step", team=team, owner=admin)

    assert len(receiver.requests) == 1
    path, headers, _body = receiver.requests[0]
    assert path == "/hooks"
    assert headers["content-type"] == "application/json"
    payload = verified(subscription, receiver.requests[0])  # raises if the signature is wrong
    assert payload["type"] == "action.created"
    assert payload["data"]["action"]["id"] == action.pk
    assert payload["data"]["action"]["title"] == "Add a rollback step"
    assert payload["data"]["action"]["team"] == {"id": team.pk, "name": team.name}
    assert payload["data"]["actor"] == {"id": admin.pk, "name": admin.full_name}
    assert payload["data"]["action"]["url"].endswith(f"/actions/{action.pk}/")
    sent = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == sent.message_id
    assert (sent.status, sent.attempts, sent.last_status_code) == ("succeeded", 1, 200)
    assert sent.attempt_log.count() == 1


def test_a_wrong_secret_fails_the_reference_check(admin, team, receiver):
    subscribe(admin, receiver.url, "action.created")
    actions.create_action(by=admin, title="Something", team=team)
    from standardwebhooks.webhooks import WebhookVerificationError

    other = services.create_subscription(by=admin, url=receiver.url, event_types=["action.closed"])
    with pytest.raises(WebhookVerificationError):
        verified(other, receiver.requests[0])


def test_only_subscribed_types_are_sent(admin, team, receiver):
    subscription = subscribe(admin, receiver.url, "action.closed")
    action = actions.create_action(by=admin, title="Close me", team=team, owner=admin)
    assert receiver.requests == []
    actions.complete_action(by=admin, action=action, effect="worked", evidence="It did.")
    types = [verified(subscription, request)["type"] for request in receiver.requests]
    assert types == ["action.closed"]


def test_effectiveness_and_lesson_events(admin, team, receiver):
    from learnloop.knowledge import services as knowledge

    subscription = subscribe(admin, receiver.url, "effectiveness.recorded", "lesson.published")
    action = actions.create_action(by=admin, title="Try pairing", team=team, owner=admin)
    actions.complete_action(by=admin, action=action, effect="worked", evidence="Fewer bugs.")
    knowledge.create_entry(by=admin, kind="playbook", title="Not a lesson", body="b")
    knowledge.create_entry(by=admin, kind="lesson", title="Pairing helps", body="b")
    payloads = [verified(subscription, request) for request in receiver.requests]
    assert [p["type"] for p in payloads] == ["effectiveness.recorded", "lesson.published"]
    assert payloads[0]["data"]["effect"] == "worked"
    assert payloads[1]["data"]["entry"]["title"] == "Pairing helps"


def test_an_anonymous_event_names_nobody(admin, team, receiver):
    subscription = subscribe(admin, receiver.url, "action.created")
    action = actions.create_action(by=admin, title="Quiet", team=team)
    receiver.requests.clear()
    record_activity(verb="created", subject=action, actor=admin, anonymous=True)
    payload = verified(subscription, receiver.requests[0])
    assert payload["data"]["actor"] is None
    assert payload["timestamp"].endswith("T00:00:00+00:00")  # the day only, like the event


def test_a_failed_attempt_is_retried_with_exponential_backoff(admin, team, receiver, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    subscription = subscribe(admin, receiver.url, "action.created")
    actions.create_action(by=admin, title="Flaky receiver", team=team)
    sent = WebhookDelivery.objects.get()
    assert DBTaskResult.objects.count() == 1  # queued with the write, not sent yet
    receiver.statuses = [500, 503]

    before = timezone.now()
    assert tasks.deliver_webhook.call(sent.pk) is False
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.last_status_code) == ("pending", 1, 500)
    assert before + timedelta(seconds=59) < sent.next_attempt_at < timezone.now() + timedelta(seconds=61)
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert abs((retry.run_after - sent.next_attempt_at).total_seconds()) < 1

    tasks.deliver_webhook.call(sent.pk)
    sent.refresh_from_db()
    assert sent.attempts == 2
    assert sent.next_attempt_at - timezone.now() > timedelta(seconds=110)  # doubled: 120 s

    assert tasks.deliver_webhook.call(sent.pk) is True
    sent.refresh_from_db()
    subscription.refresh_from_db()
    assert (sent.status, sent.attempts, subscription.consecutive_failures) == ("succeeded", 3, 0)
    ids = {headers["webhook-id"] for _p, headers, _b in receiver.requests}
    assert ids == {sent.message_id}  # the same message id on every attempt
    assert [a.status_code for a in sent.attempt_log.all()] == [500, 503, 200]


def test_backoff_doubles_up_to_a_day(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert delivery.backoff(30).total_seconds() == 86400


def test_a_delivery_fails_after_its_last_attempt(admin, team, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500, 500]
    subscribe(admin, receiver.url, "action.created")
    actions.create_action(by=admin, title="Doomed", team=team)
    sent = WebhookDelivery.objects.get()
    delivery.attempt(sent.pk)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.next_attempt_at) == ("failed", 2, None)


def test_repeated_failures_disable_the_subscription(admin, team, receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER = 3
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500] * 10
    subscription = subscribe(admin, receiver.url, "action.created")
    for number in range(3):
        actions.create_action(by=admin, title=f"Action {number}", team=team)
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert "3 failed attempts in a row" in subscription.disabled_reason
    actions.create_action(by=admin, title="After", team=team)
    assert len(receiver.requests) == 3  # nothing sent to a disabled subscription
    services.update_subscription(by=admin, subscription_id=subscription.pk, active=True)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


def test_replay_sends_the_same_message_again(admin, team, receiver):
    subscription = subscribe(admin, receiver.url, "action.created")
    actions.create_action(by=admin, title="Replay me", team=team)
    first = WebhookDelivery.objects.get()
    copy = services.replay(by=admin, delivery_id=first.pk)
    copy.refresh_from_db()
    assert copy.status == "succeeded" and copy.replay_of_id == first.pk
    assert len(receiver.requests) == 2
    assert receiver.requests[0][1]["webhook-id"] == receiver.requests[1][1]["webhook-id"]
    assert receiver.requests[0][2] == receiver.requests[1][2]
    assert verified(subscription, receiver.requests[1])["type"] == "action.created"


def test_only_admins_manage_webhooks(member, receiver):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_subscription(by=member, url=receiver.url, event_types=["action.created"])


# --- SSRF -----------------------------------------------------------------------------------------

INTERNAL = [
    "http://127.0.0.1/", "http://127.1.2.3:8080/x", "http://[::1]/", "http://10.1.2.3/", "http://172.16.0.1/",
    "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/", "http://[fe80::1]/", "http://[fc00::5]/",
    "http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/", "http://100.64.0.1/",
    "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://017700000001/",
    "http://localhost/", "http://LOCALHOST.:8000/", "http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(url, admin, settings):
    settings.WEBHOOK_ALLOW = []
    with pytest.raises(ValidationError) as raised:
        services.create_subscription(by=admin, url=url, event_types=["action.created"])
    assert "internal addresses" in str(raised.value) or "not be resolved" in str(raised.value)
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.org/", "http:///path", "https://user:pw@example.org/", "http://[::1/"])
def test_bad_urls_are_refused_with_a_message(url, admin):
    with pytest.raises(ValidationError):
        services.create_subscription(by=admin, url=url, event_types=["action.created"])


def test_the_check_looks_at_every_resolved_address(monkeypatch, settings):
    settings.WEBHOOK_ALLOW = []

    def two_answers(host, port, **kwargs):
        return [(2, 1, 6, "", ("93.184.215.14", port)), (2, 1, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", two_answers)
    with pytest.raises(addresses.TargetRefused, match="loopback"):
        addresses.resolve("https://rebinding.example.test/")


def test_public_addresses_pass():
    assert addresses.why_internal(addresses.ipaddress.ip_address("93.184.215.14")) is None
    assert addresses.why_internal(addresses.ipaddress.ip_address("2606:4700::1111")) is None


def test_the_allow_list_takes_cidrs_and_host_names(settings):
    settings.WEBHOOK_ALLOW = ["10.0.0.0/8", "hooks.internal.example"]
    addresses.check_address(addresses.ipaddress.ip_address("10.9.9.9"), host="10.9.9.9")
    addresses.check_address(addresses.ipaddress.ip_address("192.168.0.9"), host="hooks.internal.example")
    with pytest.raises(addresses.TargetRefused):
        addresses.check_address(addresses.ipaddress.ip_address("192.168.0.9"), host="other.example")


def test_an_address_refused_at_delivery_time_is_not_contacted(admin, team, receiver, settings):
    subscribe(admin, receiver.url, "action.created")
    settings.WEBHOOK_ALLOW = []  # the operator narrowed the list after the subscription was made
    actions.create_action(by=admin, title="Not sent", team=team)
    assert receiver.requests == []
    sent = WebhookDelivery.objects.get()
    assert "loopback" in sent.last_error and sent.last_status_code is None


def test_a_redirect_to_loopback_is_not_followed(admin, team, receiver, second_receiver, settings):
    receiver.statuses = [302]
    receiver.location = f"http://localhost:{second_receiver.port}/internal"
    subscribe(admin, receiver.url, "action.created")
    actions.create_action(by=admin, title="Bounced", team=team)
    assert len(receiver.requests) == 1
    assert second_receiver.requests == []
    sent = WebhookDelivery.objects.get()
    assert sent.status == "pending" and "redirect" in sent.last_error


def test_the_connection_goes_to_the_checked_address_with_the_host_name(admin, team, receiver, monkeypatch, settings):
    """DNS is asked once per attempt; the socket connects to that answer; Host names the URL's host."""
    settings.WEBHOOK_ALLOW = ["hooks.example.test"]
    calls = []

    def resolver(host, port, *args, **kwargs):
        if host == "127.0.0.1":  # the socket "resolving" the pinned literal address
            return [(2, 1, 6, "", (host, port))]
        calls.append(host)
        # a second answer would point elsewhere: it must never be asked for
        answer = "127.0.0.1" if len(calls) == 1 else "192.0.2.1"
        return [(2, 1, 6, "", (answer, port))]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", resolver)
    subscription = WebhookSubscription.objects.create(
        url=f"http://hooks.example.test:{receiver.port}/in", event_types=["action.created"],
        secret=services.signing.new_secret(), created_by=admin)
    actions.create_action(by=admin, title="Pinned", team=team)
    assert calls == ["hooks.example.test"]
    _path, headers, _body = receiver.requests[0]
    assert headers["host"] == f"hooks.example.test:{receiver.port}"
    assert verified(subscription, receiver.requests[0])["type"] == "action.created"


def test_payload_bodies_are_compact_json(admin, team, receiver):
    subscription = subscribe(admin, receiver.url, "action.created")
    actions.create_action(by=admin, title="Ünïcode", team=team)
    body = receiver.requests[0][2]
    assert json.loads(body)["data"]["action"]["title"] == "Ünïcode"
    assert verified(subscription, receiver.requests[0])


def test_an_export_leaves_the_signing_secret_out(admin, receiver, tmp_path):
    from learnloop.ops.export import export_all

    subscription = subscribe(admin, receiver.url, "action.created")
    export_all(tmp_path / "export.json")
    text = (tmp_path / "export.json").read_text()
    assert subscription.url in text and subscription.secret not in text


def test_the_openapi_document_describes_every_webhook(client):
    from learnloop.integrations.events import EVENT_TYPES

    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["webhooks"]) == {*EVENT_TYPES, "ping"}
    for name, item in schema["webhooks"].items():
        operation = item["post"]
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        payload = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
        # The payload named for the event is the one whose `type` can be that event.
        assert name in payload["properties"]["type"].get("enum", [payload["properties"]["type"].get("const")])
        assert {parameter["name"] for parameter in operation["parameters"]} == {
            "webhook-id", "webhook-timestamp", "webhook-signature"}


def test_an_import_announces_every_lesson_and_reads_the_subscriptions_once(admin, receiver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learnloop.knowledge.transfer import import_markdown

    subscription = subscribe(admin, receiver.url, "lesson.published")
    files = [(f"note-{number}.md", f"---\ntitle: Lesson {number}\ntype: lesson\n---\nKeep step {number}.\n".encode())
             for number in range(5)]
    with CaptureQueriesContext(connection) as queries:
        report = import_markdown(by=admin, files=files, dry_run=False)
    assert report.imported, report.errors
    assert sorted(verified(subscription, request)["data"]["entry"]["title"] for request in receiver.requests) == [
        f"Lesson {number}" for number in range(5)]
    table = WebhookSubscription._meta.db_table
    listing = f'FROM "{table}" WHERE "{table}"."is_active"'  # the subscribers of an event (not a delivery's own)
    assert sum(listing in query["sql"] for query in queries.captured_queries) == 1
    # Outside an import every event reads them afresh: a subscription made since is heard.
    later = subscribe(admin, receiver.url, "lesson.published")
    import_markdown(by=admin, files=[("note-5.md", b"---\ntitle: Lesson 5\ntype: lesson\n---\nOne more.\n")],
                    dry_run=False)
    assert verified(later, receiver.requests[-1])["data"]["entry"]["title"] == "Lesson 5"
