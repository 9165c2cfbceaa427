"""The demo's joint between actions and lessons (issue 14): some retro actions' answered checks
kept as evidence for the lesson their retro promoted (those lessons show "verified by outcome"),
one "did not work" that flags its lesson for review, and lessons applied in later sessions
(typed places, listed back on those sessions). Written through the services, with the dates the
history had; deterministic for a seed."""

import random
from datetime import timedelta
from itertools import pairwise

from learnloop.actions.models import Action, Effect
from learnloop.knowledge import outcomes
from learnloop.knowledge import services as knowledge
from learnloop.knowledge.models import Entry
from learnloop.knowledge.permissions import can_edit
from learnloop.reflection.models import Lesson

VERIFIED = 10  # lessons verified by an outcome
APPLIED = 8  # lessons applied in a later session of their team


def build_outcomes(context) -> None:
    rng = random.Random(f"demo-outcomes-{context.seed}")  # noqa: S311  (demo data, not secrets)
    sessions = list(context.extra.get("reflection_sessions", []))
    lessons = {}
    for link in Lesson.objects.filter(session__in=sessions).select_related("entry", "session").order_by("id"):
        lessons.setdefault(link.session_id, []).append(link.entry)
    checked = (Action.objects.filter(source_type="reflection.session", checked_at__isnull=False)
               .exclude(effect="").select_related("team").order_by("checked_at", "id"))
    by_session = {}
    for action in checked:
        by_session.setdefault(int(action.source_id), []).append(action)
    candidates = [(sid, acts) for sid, acts in by_session.items() if sid in lessons]
    rng.shuffle(candidates)
    verified = flagged = 0
    for session_id, acts in candidates:
        worked = [a for a in acts if a.effect == Effect.WORKED]
        failed = [a for a in acts if a.effect == Effect.DID_NOT_WORK]
        entry = lessons[session_id][0]
        editor = _editor(entry, acts)
        if editor is None:
            continue
        if verified < VERIFIED and worked:
            outcomes.add_outcome(by=editor, entry=entry, action_id=worked[0].pk,
                                 at=worked[0].checked_at + timedelta(hours=20))
            verified += 1
        elif not flagged and failed and entry.obsolete_at is None:
            # The lesson said this works; the action taken on it says it did not: flagged for review.
            knowledge.record_application(
                by=editor, entry=entry, context_type="actions.action", context_id=str(failed[0].pk),
                outcome="did_not_work", applied_on=failed[0].created_at.date(),
                at=failed[0].checked_at - timedelta(hours=1),
            )
            outcomes.add_outcome(by=editor, entry=entry, action_id=failed[0].pk,
                                 at=failed[0].checked_at + timedelta(hours=20))
            flagged += 1
        if verified >= VERIFIED and flagged:
            break
    _applied_in_later_sessions(rng, sessions, lessons)


def _editor(entry: Entry, actions):
    for person in [a.owner for a in actions if a.owner_id] + [a.created_by for a in actions]:
        if person.is_active and can_edit(person, entry):
            return person
    return None


def _applied_in_later_sessions(rng, sessions, lessons) -> None:
    by_team = {}
    for session in sorted(sessions, key=lambda s: (s.held_on, s.pk)):
        by_team.setdefault(session.team_id, []).append(session)
    pairs = []
    for team_sessions in by_team.values():
        for earlier, later in pairwise(team_sessions):
            if earlier.pk in lessons and later.facilitator.is_active:
                pairs.append((lessons[earlier.pk][0], later))
    rng.shuffle(pairs)
    for entry, session in pairs[:APPLIED]:
        at = session.closed_at or session.created_at + timedelta(hours=1)
        knowledge.record_application(
            by=session.facilitator, entry=entry, context_type="reflection.session", context_id=str(session.pk),
            outcome=rng.choice(["worked", "worked", "partly", "too_early"]), applied_on=at.date(), at=at,
        )
