"""Team chat channels: who may connect one, what each notice says, and sending it.

A team's leads and facilitators (and admins) connect the team's incoming webhook in Slack,
Microsoft Teams or Mattermost and choose which notices it gets (chat_models.ChatEvent). Notices
are queued in the transaction of what caused them and sent by `learnloop worker` to the URL's
checked address (the webhooks' SSRF rules: no loopback, private or metadata addresses unless
allowed by LEARNLOOP_WEBHOOK_ALLOW). Ten failures in a row switch a channel off; a test message
that gets through switches it on again.

Nothing anonymous reaches a channel: notices name what happened to a team's session, action,
report or theme, never a card, an answer or its author.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from learnloop.integrations import addresses, delivery
from learnloop.integrations.chat_formats import ChatMessage, render
from learnloop.integrations.chat_models import ChatChannel, ChatEvent, ChatKind
from learnloop.org.permissions import can_manage_team_members, is_admin

DISABLE_AFTER = 10


def page_url(name: str, **kwargs) -> str:
    return settings.BASE_URL + reverse(name, kwargs=kwargs)


def host_of(channel: ChatChannel) -> str:
    """What the page shows of a saved URL: its host (the path holds the channel's secret)."""
    return urlsplit(channel.url).hostname or ""


def channels_for(viewer):
    """The channels of the teams the viewer manages (every team's for admins)."""
    channels = ChatChannel.objects.select_related("team").order_by("team__name", "id")
    if is_admin(viewer):
        return channels
    from learnloop.org.models import Membership

    led = Membership.objects.filter(person=viewer, role="facilitator").values_list("team_id", flat=True)
    return channels.filter(team_id__in=list(led))


def teams_to_connect(person):
    """The teams whose channels this person may connect: the teams they lead (every team for admins)."""
    from learnloop.org.models import Team

    teams = Team.objects.filter(archived_at__isnull=True).order_by("name")
    if is_admin(person):
        return teams
    return teams.filter(memberships__person=person, memberships__role="facilitator")


def _require_manage(by, team) -> None:
    if not can_manage_team_members(by, team):
        raise PermissionDenied(f"Only admins and leads of {team.name} connect its chat channels.")


def _clean_events(events) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    unknown = [name for name in chosen if name not in ChatEvent.values]
    if unknown:
        raise ValidationError({"events": f"Unknown notice {', '.join(map(str, unknown))}; "
                                         f"known: {', '.join(ChatEvent.values)}."})
    if not chosen:
        raise ValidationError({"events": "Choose at least one notice."})
    return chosen


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": "The URL is longer than 500 characters."})
    try:
        addresses.resolve(url)
    except addresses.TargetRefused as refused:
        raise ValidationError({"url": str(refused)}) from None
    return url


def connect(*, by, team, kind: str, url: str, events) -> ChatChannel:
    _require_manage(by, team)
    if kind not in ChatKind.values:
        raise ValidationError({"kind": f"Choose one of {', '.join(ChatKind.values)}."})
    channel = ChatChannel(team=team, kind=kind, url=_clean_url(url), events=_clean_events(events), created_by=by)
    channel.save()
    return channel


def disconnect(*, by, channel: ChatChannel) -> None:
    _require_manage(by, channel.team)
    channel.delete()


# --- notices --------------------------------------------------------------------------------------

def day_text(value) -> str:
    return f"{value.day} {value:%b %Y}"


def session_starting(session) -> ChatMessage:
    return ChatMessage(
        title=f"{session.title} is open for writing",
        lines=(f"{session.team.name} · {session.template.name}",
               "Add your cards now; they stay private until the facilitator reveals them."),
        url=page_url("reflection:session", session_id=session.pk), link_label="Open the board")


def action_due(action) -> ChatMessage:
    owner = action.owner.full_name if action.owner else "nobody yet"
    due = day_text(action.due_on) if action.due_on else ""
    return ChatMessage(title=f"Due soon: {action.title}", lines=(f"Owner: {owner} · due {due}",),
                       url=page_url("actions:detail", action_id=action.pk), link_label="Open the action")


def report_released(campaign) -> ChatMessage:
    return ChatMessage(title=f"Survey results are out: {campaign.name}",
                       lines=("The released figures respect the anonymity threshold.",),
                       url=page_url("surveys:campaign", campaign_id=campaign.pk), link_label="Read the report")


def theme_recurred(record: dict, action) -> ChatMessage:
    count = record["items_since"]
    return ChatMessage(
        title=f"“{record['title']}” came back",
        lines=(f"The action “{action.title}” was marked effective on {day_text(record['effective_on'])}; "
               f"{count} new mention{'s' if count != 1 else ''} since, the latest on {day_text(record['latest'])}.",),
        url=page_url("insights:theme", theme_id=record["theme_id"]), link_label="Open the theme")


def notify(*, team_ids, event: str, message: ChatMessage) -> int:
    """Queue the message for the active channels of these teams that chose this notice."""
    channels = [channel for channel in ChatChannel.objects.filter(team_id__in=list(team_ids), is_active=True)
                if event in channel.events]
    for channel in channels:
        payload = render(channel.kind, message)
        transaction.on_commit(lambda channel_id=channel.pk, body=payload: send_chat_message.enqueue(channel_id, body))
    return len(channels)


@task
def send_chat_message(channel_id: int, payload: dict) -> bool:
    """The job `learnloop worker` runs for each queued notice."""
    return send(channel_id, payload)


def send(channel_id: int, payload: dict) -> bool:
    """One attempt; records the outcome on the channel."""
    channel = ChatChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        return False
    try:
        status = delivery.post(channel.url, delivery.body_of(payload), {})
        outcome = f"HTTP {status}"
        worked = 200 <= status < 300
    except (OSError, addresses.TargetRefused) as error:
        outcome, worked = f"not delivered: {error}"[:200], False
    failures = 0 if worked else channel.failures_in_a_row + 1
    ChatChannel.objects.filter(pk=channel.pk).update(
        last_status=outcome, last_sent_at=timezone.now(), failures_in_a_row=failures,
        is_active=worked or failures < DISABLE_AFTER)
    return worked


def send_test(*, by, channel: ChatChannel) -> bool:
    """Send a test message now; a channel switched off after failures is switched on if it works."""
    _require_manage(by, channel.team)
    message = ChatMessage(title=f"Learnloop is connected to {channel.team.name}",
                          lines=(f"Notices: {', '.join(str(ChatEvent(name).label) for name in channel.events)}.",),
                          url=page_url("org:team", slug=channel.team.slug))
    worked = send(channel.pk, render(channel.kind, message))
    if worked:
        ChatChannel.objects.filter(pk=channel.pk).update(is_active=True)
    return worked

