"""Team chat channels: each platform gets its own message shape, notices reach the team that
asked for them through a real receiver on loopback, markup in titles can't ping a channel, and
only the team's leads connect one."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnloop.actions import services as actions
from learnloop.actions.models import ActionReminder
from learnloop.integrations import chat
from learnloop.integrations.chat_formats import ChatMessage, render
from learnloop.integrations.chat_models import ChatChannel
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = ChatMessage(title="Sprint 9 retro is open <!channel>", lines=("Payments · *Start, stop, continue*",),
                      url="https://learnloop.example.org/sessions/9/", link_label="Open the board")


def test_slack_gets_block_kit_with_escaped_control_characters():
    payload = render("slack", MESSAGE)
    assert payload["text"] == "Sprint 9 retro is open &lt;!channel&gt;"
    kinds = [block["type"] for block in payload["blocks"]]
    assert kinds == ["header", "section", "actions"]
    assert payload["blocks"][2]["elements"][0]["url"] == MESSAGE.url


def test_teams_gets_an_adaptive_card():
    payload = render("teams", MESSAGE)
    attachment = payload["attachments"][0]
    assert payload["type"] == "message" and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the board", "url": MESSAGE.url}]
    assert "\\*Start, stop, continue\\*" in card["body"][1]["text"]


def test_mattermost_gets_markdown_that_mentions_nobody():
    text = render("mattermost", ChatMessage(title="@channel look", lines=("@all",), url="https://x.example/"))["text"]
    assert text.startswith("#### @\u200bchannel look") and "@\u200ball" in text
    assert "[Open in Learnloop](https://x.example/)" in text


def _received(receiver) -> list[dict]:
    return [json.loads(body) for _path, _headers, body in receiver.requests]


def test_a_team_lead_connects_a_channel_and_the_team_hears_of_its_retro(receiver, lead, team):
    from learnloop.reflection import services as reflection

    chat.connect(by=lead, team=team, kind="slack", url=receiver.url, events=["session_starting"])
    session = reflection.create_session(by=lead, team=team, template=reflection.builtin_template("start-stop-continue"),
                                        title="Sprint 9 retro")
    reflection.set_phase(by=lead, session=session, phase="reflect")
    (message,) = _received(receiver)
    assert message["text"] == "Sprint 9 retro is open for writing"
    assert message["blocks"][2]["elements"][0]["url"].endswith(f"/sessions/{session.pk}/")
    channel = ChatChannel.objects.get()
    assert channel.last_status == "HTTP 200" and channel.failures_in_a_row == 0


def test_an_action_due_soon_is_told_once_whoever_is_reminded(receiver, lead, member, team):
    chat.connect(by=lead, team=team, kind="mattermost", url=receiver.url, events=["action_due"])
    action = actions.create_action(by=lead, title="Rotate the pager", team=team, owner=member,
                                   due_on=timezone.localdate() + timedelta(days=2))
    for person in (member, lead):
        ActionReminder.objects.create(action=action, kind="due_soon", for_date=action.due_on, recipient=person)
    (message,) = _received(receiver)
    assert message["text"].startswith("#### Due soon: Rotate the pager") and member.full_name in message["text"]


def test_other_teams_and_other_notices_stay_quiet(receiver, lead, team):
    from learnloop.reflection import services as reflection

    other = factories.team(name="Elsewhere")
    chat.connect(by=lead, team=team, kind="teams", url=receiver.url, events=["action_due"])
    elsewhere_lead = factories.person(email="el@example.org", full_name="El Lead")
    factories.membership(elsewhere_lead, other, role="facilitator")
    session = reflection.create_session(by=lead, team=team, template=reflection.builtin_template("start-stop-continue"),
                                        title="Quiet retro")
    reflection.set_phase(by=lead, session=session, phase="reflect")  # this channel didn't ask for sessions
    actions.create_action(by=elsewhere_lead, title="Not ours", team=other, due_on=timezone.localdate())
    assert receiver.requests == []


def test_only_leads_connect_and_internal_addresses_are_refused(lead, member, team):
    with pytest.raises(PermissionDenied):
        chat.connect(by=member, team=team, kind="slack", url="https://hooks.slack.com/services/T/B/x",
                     events=["action_due"])
    with pytest.raises(ValidationError) as refused:
        chat.connect(by=lead, team=team, kind="slack", url="http://169.254.169.254/latest", events=["action_due"])
    assert "url" in refused.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        chat.connect(by=lead, team=team, kind="irc", url="https://hooks.slack.com/services/T/B/x",
                     events=["action_due"])
    assert "kind" in unknown.value.message_dict


def test_a_failing_channel_is_switched_off_and_a_working_test_switches_it_on(receiver, lead, team):
    channel = chat.connect(by=lead, team=team, kind="slack", url=receiver.url, events=["action_due"])
    receiver.statuses = [500] * chat.DISABLE_AFTER
    for _ in range(chat.DISABLE_AFTER):
        chat.send(channel.pk, {"text": "x"})
    channel.refresh_from_db()
    assert not channel.is_active and channel.last_status == "HTTP 500"
    assert chat.send_test(by=lead, channel=channel) is True
    channel.refresh_from_db()
    assert channel.is_active and channel.failures_in_a_row == 0


def test_the_page_connects_tests_and_disconnects(receiver, lead, member, team):
    from tests.conftest import signed_in_client

    page = signed_in_client(lead)
    answer = page.post("/integrations/chat/", {"team": team.pk, "kind": "slack", "url": receiver.url,
                                                "events": ["action_due", "report_released"]})
    assert answer.status_code == 302
    listed = page.get("/integrations/chat/").content.decode()
    assert "127.0.0.1" in listed and "/hooks" not in listed  # the URL's secret path is never shown again
    channel = ChatChannel.objects.get()
    page.post("/integrations/chat/do/", {"channel": channel.pk, "action": "test"})
    assert len(receiver.requests) == 1
    refused = page.post("/integrations/chat/", {"team": team.pk, "kind": "slack", "url": "http://10.0.0.1/x",
                                                 "events": ["action_due"]})
    assert refused.status_code == 400 and "private" in refused.content.decode().lower()
    # A member of the team sees no channel and can't act on one.
    assert "127.0.0.1" not in signed_in_client(member).get("/integrations/chat/").content.decode()
    assert signed_in_client(member).post("/integrations/chat/do/", {"channel": channel.pk,
                                                                    "action": "disconnect"}).status_code == 404
    page.post("/integrations/chat/do/", {"channel": channel.pk, "action": "disconnect"})
    assert not ChatChannel.objects.exists()


def test_the_api_connects_lists_without_the_secret_and_refuses_bad_input(receiver, lead, member, team):
    client = factories.token_client(lead)
    created = client.post("/api/v1/chat-channels", {"team_id": team.pk, "kind": "teams", "url": receiver.url,
                                                    "events": ["session_starting"]}, content_type="application/json")
    assert created.status_code == 201 and created.json()["host"] == "127.0.0.1" and "url" not in created.json()
    listed = client.get("/api/v1/chat-channels").json()
    assert [item["id"] for item in listed["items"]] == [created.json()["id"]]
    tested = client.post(f"/api/v1/chat-channels/{created.json()['id']}/test")
    assert tested.json() == {"delivered": True, "last_status": "HTTP 200"}
    bad = client.post("/api/v1/chat-channels", {"team_id": team.pk, "kind": "teams", "url": receiver.url,
                                                "events": ["gossip"]}, content_type="application/json")
    assert bad.status_code == 400 and "gossip" in bad.content.decode()
    outsider = factories.token_client(member)
    assert outsider.get("/api/v1/chat-channels").json()["items"] == []
    assert outsider.delete(f"/api/v1/chat-channels/{created.json()['id']}").status_code == 404
    forbidden = outsider.post("/api/v1/chat-channels", {"team_id": team.pk, "kind": "slack", "url": receiver.url,
                                                        "events": ["action_due"]}, content_type="application/json")
    assert forbidden.status_code == 403
    assert client.delete(f"/api/v1/chat-channels/{created.json()['id']}").status_code == 204


def test_the_weekly_digest_reaches_the_teams_channel_once_a_week(receiver, lead, member, team):
    from learnloop.actions import sending

    today = timezone.localdate()
    chat.connect(by=lead, team=team, kind="mattermost", url=receiver.url, events=["weekly_digest"])
    quiet = factories.team(name="Quiet team")
    factories.membership(lead, quiet, role="facilitator")
    chat.connect(by=lead, team=quiet, kind="slack", url=receiver.url, events=["weekly_digest"])  # nothing to say
    late = actions.create_action(by=lead, title="Rotate the pager", team=team, owner=member,
                                 due_on=today - timedelta(days=20))
    actions.create_action(by=lead, title="Write the runbook", team=team, due_on=today + timedelta(days=9))
    done = actions.create_action(by=lead, title="Fix the alert noise", team=team, owner=member)
    # Done three days ago, to be checked yesterday: the check is due now.
    actions.complete_action(by=lead, action=done, check_on=today - timedelta(days=1),
                            at=timezone.now() - timedelta(days=3))

    sending.run_digests(today=today)
    (message,) = _received(receiver)
    text = message["text"]
    assert text.startswith(f"#### {team.name}: the week in learning")
    assert "2 open actions (1 overdue), 1 done this week, 1 waiting for an effectiveness check." in text
    assert f"Overdue: {late.title} ({member.full_name}, due {chat.day_text(late.due_on)})" in text
    assert "Did it work? Fix the alert noise" in text
    assert f"/actions/team/{team.pk}/" in text

    sending.run_digests(today=today)  # cron runs it daily: still one digest this week
    assert len(receiver.requests) == 1
    sending.run_digests(today=today + timedelta(days=7))
    assert len(receiver.requests) == 2
