"""What a session leaves behind: actions (through the action engine), lessons (knowledge entries
with provenance back to the session and each card), and the review of earlier actions.

A lesson is written by the person who promotes it; card authors are never copied into it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.actions import selectors as action_selectors
from learnloop.actions import services as action_services
from learnloop.activity.services import record_activity
from learnloop.knowledge import services as knowledge
from learnloop.reflection.models import Card, Group, Lesson, Phase, Session
from learnloop.reflection.permissions import can_facilitate, require

SESSION_SOURCE = "reflection.session"
CARD_SOURCE = "reflection.card"
# Actions and lessons are made once there is something to act on: from discussing onwards.
FOLLOW_UP_PHASES = {Phase.DISCUSS, Phase.ACTIONS}



def session_label(session: Session) -> str:
    return f"{session.template.name}: {session.title} ({session.held_on:%d %b %Y})"


def create_session_action(*, by, session: Session, title: str, owner=None, due_on=None, priority: str = "normal",
                          description: str = "", group: Group | None = None, at=None):
    require(can_facilitate(by, session), gettext("Only the facilitator records the session's actions."))
    if session.phase not in FOLLOW_UP_PHASES:
        raise ValidationError({"phase": gettext("Actions are agreed in the discuss or actions phase.")})
    if group is not None and group.session_id != session.pk:
        raise ValidationError({"group": gettext("That group is from another session.")})
    if group is not None and not description:
        description = f"From “{group.title}”."
    action = action_services.create_action(
        by=by, title=title, owner=owner, team=session.team, due_on=due_on, priority=priority,
        description=description, source_type=SESSION_SOURCE, source_id=str(session.pk),
        source_label=session_label(session), source_url=reverse("reflection:session", args=[session.pk]), at=at,
    )
    return action


def actions_of(session: Session) -> list:
    return list(action_selectors.actions_for_source(SESSION_SOURCE, str(session.pk)))


def earlier_open_actions(session: Session) -> list:
    """The team's open actions from its earlier sessions: reviewed first when a session starts."""
    return [
        action for action in action_selectors.open_actions_for_team(session.team)
        if action.source_type == SESSION_SOURCE and action.source_id != str(session.pk)
    ]


REVIEW_OUTCOMES = ("still_open", "done", "not_doing")


def review_earlier_action(*, by, session: Session, action, outcome: str, reason: str = "") -> None:
    """In prepare: an earlier action is still open, done, or not being done (with a reason)."""
    require(can_facilitate(by, session), gettext("Only the facilitator reviews earlier actions with the team."))
    if outcome not in REVIEW_OUTCOMES:
        raise ValidationError({"outcome": gettext("Say whether the action is still open, done or not being done.")})
    if action.team_id != session.team_id or action.source_type != SESSION_SOURCE:
        raise ValidationError({"action": gettext("That action is not one of this team's session actions.")})
    if outcome == "done":
        action_services.complete_action(by=by, action=action)
    elif outcome == "not_doing":
        if not reason.strip():
            raise ValidationError({"reason": gettext("Say why the team is not doing it.")})
        action_services.decline_action(by=by, action=action, reason=reason.strip())
    record_activity(verb="action_reviewed", subject=session, actor=by, team=session.team,
                    data={"action": str(action.pk), "outcome": outcome})


def promote_to_lesson(*, by, session: Session, title: str, body: str = "", group: Group | None = None,
                      card: Card | None = None, promoted_on=None, at=None):
    """Turn a group or a card into a knowledge lesson owned by the team, with provenance back
    to the session and to every card it came from. `at` backdates the write (the demo's history)."""
    require(can_facilitate(by, session), gettext("Only the facilitator promotes lessons from the session."))
    if session.phase not in FOLLOW_UP_PHASES | {Phase.CLOSED}:
        raise ValidationError({"phase": gettext("Lessons are promoted from the discuss phase onwards.")})
    if (group is None) == (card is None):
        raise ValidationError({"source": gettext("Promote either a group or a card.")})
    source = group or card
    if source.session_id != session.pk:
        raise ValidationError({"source": gettext("That card or group is from another session.")})
    cards = list(group.cards.all()) if group is not None else [card]
    body = (body or "").strip() or "\n".join(f"- {c.text}" for c in cards)
    provenance = [(SESSION_SOURCE, str(session.pk), session_label(session))]
    provenance += [(CARD_SOURCE, str(c.pk), f"A card from “{session.title}”: {c.text[:120]}") for c in cards]
    with transaction.atomic():
        entry = knowledge.create_entry(
            by=by, kind="lesson", title=title, body=body, owner_team=session.team, teams=[session.team],
            provenance=provenance, at=at,
        )
        Lesson.objects.create(session=session, entry=entry, promoted_on=promoted_on or timezone.localdate(at))
        record_activity(verb="lesson_promoted", subject=session, actor=by, team=session.team,
                        data={"entry": entry.pk}, at=at)
    return entry
