"""The weekly digest in a team's chat channel: the team's actions and the figures that moved.

Sent when `learnloop actions digest` runs (actions.digest.digests_run), to each active channel
that chose the notice, once per channel and week (ChatDigestDelivery is reserved in the same
transaction as the message is queued). A team with nothing open, nothing done this week, nothing
to check and no figure that moved gets no message.

Like every chat notice it names actions and their owners (not anonymous anywhere in Learnloop),
never a card, an answer or its author.
"""

from django.db import IntegrityError, transaction

from learnloop.actions.digest import TeamDigest, team_digest, week_of
from learnloop.integrations import chat
from learnloop.integrations.chat_formats import ChatMessage, render
from learnloop.integrations.chat_models import ChatChannel, ChatDigestDelivery, ChatEvent

LISTED = 3  # overdue actions and checks named one by one; the rest are counted


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def digest_message(digest: TeamDigest) -> ChatMessage:
    counts = (f"{_plural(digest.open_count, 'open action', 'open actions')} ({len(digest.overdue)} overdue), "
              f"{digest.done_this_week} done this week, {len(digest.to_check)} waiting for an effectiveness check.")
    lines = [counts]
    for action in digest.overdue[:LISTED]:
        owner = action.owner.full_name if action.owner else "no owner"
        lines.append(f"Overdue: {action.title} ({owner}, due {chat.day_text(action.due_on)})")
    if len(digest.overdue) > LISTED:
        lines.append(f"… and {len(digest.overdue) - LISTED} more overdue.")
    for action in digest.to_check[:LISTED]:
        lines.append(f"Did it work? {action.title} (check due {chat.day_text(action.check_on)})")
    for section in digest.sections:
        lines.append(f"{section.title}: " + "; ".join(line.lstrip("- ") for line in section.lines))
    return ChatMessage(title=f"{digest.team.name}: the week in learning", lines=tuple(lines),
                       url=chat.page_url("actions:team", team_id=digest.team.pk), link_label="Open the team's actions")


def send_weekly_digests(sender=None, *, today, send_now: bool = False, **kwargs) -> int:
    """Queue (or, with send_now, send) this week's digest to every channel that wants it; returns
    how many were queued. Channels already served this week are skipped."""
    week, digests, sent = week_of(today), {}, 0
    # Cron runs the digest daily: channels served earlier this week cost nothing (the reservation
    # below still settles a race between two runs).
    served = set(ChatDigestDelivery.objects.filter(week_of=week).values_list("channel_id", flat=True))
    channels = [channel for channel in ChatChannel.objects.filter(is_active=True).select_related("team")
                if ChatEvent.WEEKLY_DIGEST in channel.events and channel.pk not in served]
    for channel in channels:
        if channel.team_id not in digests:
            digests[channel.team_id] = team_digest(channel.team, today=today)
        digest = digests[channel.team_id]
        if digest.empty:
            continue
        payload = render(channel.kind, digest_message(digest))
        try:
            with transaction.atomic():
                ChatDigestDelivery.objects.create(channel=channel, week_of=week)
                if not send_now:
                    transaction.on_commit(lambda channel_id=channel.pk, body=payload:
                                          chat.send_chat_message.enqueue(channel_id, body))
        except IntegrityError:
            continue  # this channel had this week's digest already
        if send_now:
            chat.send(channel.pk, payload)
        sent += 1
    return sent
