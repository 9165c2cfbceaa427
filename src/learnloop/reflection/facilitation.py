"""Facilitating a live session: the phase timer everyone sees, and the notes and decision the
facilitator writes for each group during the discussion (issue 21, item 1).

The timer is the session's own row (timer_phase, timer_ends_at, timer_auto_advance): the live
status partial shows what is left at each poll, and services.advance_if_due moves the phase on
when an auto-advancing timer runs out. Notes carry no author and no time: the facilitator writes
them for the group, and in an anonymous session a timestamp next to a card's text could say when
it was discussed, nothing more, but there is no reason to keep one."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.activity.services import record_activity
from learnloop.reflection.models import Group, Mode, Phase, Session
from learnloop.reflection.permissions import can_facilitate, require
from learnloop.reflection.services import PHASES_THAT_END_ON_THEIR_OWN

TIMER_MINUTES = (1, 120)
NOTES_PHASES = (Phase.DISCUSS, Phase.ACTIONS)


@dataclass(frozen=True)
class Timer:
    ends_at: datetime
    seconds_left: int
    auto_advance: bool

    @property
    def running(self) -> bool:
        return self.seconds_left > 0

    @property
    def left(self) -> str:
        minutes, seconds = divmod(self.seconds_left, 60)
        return f"{minutes}:{seconds:02d}"


def timer_of(session: Session, *, now: datetime | None = None) -> Timer | None:
    """The current phase's timer, or None when none was started for it."""
    if session.timer_ends_at is None or session.timer_phase != session.phase:
        return None
    now = now or timezone.now()
    left = max(0, int((session.timer_ends_at - now).total_seconds() + 0.999))
    return Timer(session.timer_ends_at, left, session.timer_auto_advance)


def start_timer(*, by, session: Session, minutes: int, auto_advance: bool = False,
                now: datetime | None = None) -> Session:
    require(can_facilitate(by, session), gettext("Only the facilitator runs the timer."))
    if session.is_closed:
        raise ValidationError({"minutes": gettext("This session is closed.")})
    if session.mode != Mode.LIVE:
        raise ValidationError(
            {"minutes": gettext("Timers are for live sessions; an asynchronous one has phase deadlines.")}
        )
    low, high = TIMER_MINUTES
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not low <= minutes <= high:
        raise ValidationError(
            {
                "minutes": gettext("Minutes must be a whole number from %(low)s to %(high)s.")
                % {"low": low, "high": high}
            }
        )
    if auto_advance and session.phase not in PHASES_THAT_END_ON_THEIR_OWN:
        raise ValidationError(
            {
                "auto_advance": "Only prepare, reflect, group and vote can move on by themselves; "
                "the discussion ends when the facilitator says so."
            }
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        locked.timer_phase, locked.timer_ends_at = locked.phase, now + timedelta(minutes=minutes)
        locked.timer_auto_advance = bool(auto_advance)
        locked.save(update_fields=["timer_phase", "timer_ends_at", "timer_auto_advance"])
        record_activity(
            verb="timer_started",
            subject=locked,
            actor=by,
            team=locked.team,
            data={"phase": locked.phase, "minutes": minutes, "auto_advance": bool(auto_advance)},
        )
    return locked


def stop_timer(*, by, session: Session) -> Session:
    require(can_facilitate(by, session), gettext("Only the facilitator runs the timer."))
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        locked.timer_phase, locked.timer_ends_at, locked.timer_auto_advance = "", None, False
        locked.save(update_fields=["timer_phase", "timer_ends_at", "timer_auto_advance"])
    return locked


def write_notes(*, by, session: Session, group: Group, notes: str, decision: str) -> Group:
    """The discussion's notes and the decision taken for one group."""
    require(can_facilitate(by, session), gettext("Only the facilitator writes the discussion notes."))
    if session.phase not in NOTES_PHASES:
        raise ValidationError({"notes": gettext("Notes are written while the session discusses or plans actions.")})
    if group.session_id != session.pk:
        raise ValidationError({"group": gettext("That group belongs to another session.")})
    group.discussion_notes, group.decision = notes.strip(), decision.strip()
    group.save(update_fields=["discussion_notes", "decision"])
    return group
