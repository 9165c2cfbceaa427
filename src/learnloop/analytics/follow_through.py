"""Action follow-through figures: plain facts about actions in, counts and rates out. No Django.

The definitions (also in docs/actions.md):
- completion rate = done / (done + not doing + overdue): of the actions that were closed or
  should have been by now, the share that got done. Open actions not yet overdue (or without a
  due date) don't count against a team.
- effectiveness rate = worked / (worked + did not work): of the checks with a known answer, the
  share where the action worked. "Unknown" answers and pending checks are left out.
- median days to close = the median, over done actions, of calendar days from created to done.
- overdue count = open or in-progress actions past their due date plus their team's grace days.
Rates are None when their denominator is zero: "no data" is not 0%.
"""

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from statistics import median

ACTIVE = ("open", "in_progress")


@dataclass(frozen=True)
class ActionFacts:
    status: str  # open, in_progress, done, not_doing
    created_on: date
    closed_on: date | None = None
    due_on: date | None = None
    grace_days: int = 0
    effect: str = ""  # worked, did_not_work, unknown, or "" when not answered
    check_on: date | None = None


@dataclass(frozen=True)
class FollowThrough:
    total: int
    open: int
    in_progress: int
    done: int
    not_doing: int
    overdue_count: int
    expected: int  # done + not doing + overdue: the completion rate's denominator
    checked: int
    worked: int
    did_not_work: int
    unknown: int
    checks_pending: int
    completion_rate: float | None
    effectiveness_rate: float | None
    median_days_to_close: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def is_overdue(facts: ActionFacts, today: date) -> bool:
    return (
        facts.status in ACTIVE
        and facts.due_on is not None
        and today > facts.due_on + timedelta(days=facts.grace_days)
    )


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def follow_through(actions: list[ActionFacts], *, today: date) -> FollowThrough:
    statuses = [facts.status for facts in actions]
    done = statuses.count("done")
    not_doing = statuses.count("not_doing")
    overdue = sum(1 for facts in actions if is_overdue(facts, today))
    effects = [facts.effect for facts in actions if facts.status == "done" and facts.effect]
    worked, did_not_work = effects.count("worked"), effects.count("did_not_work")
    days_to_close = [
        (facts.closed_on - facts.created_on).days
        for facts in actions
        if facts.status == "done" and facts.closed_on is not None
    ]
    return FollowThrough(
        total=len(actions),
        open=statuses.count("open"),
        in_progress=statuses.count("in_progress"),
        done=done,
        not_doing=not_doing,
        overdue_count=overdue,
        expected=done + not_doing + overdue,
        checked=len(effects),
        worked=worked,
        did_not_work=did_not_work,
        unknown=effects.count("unknown"),
        checks_pending=sum(
            1 for facts in actions if facts.status == "done" and not facts.effect and facts.check_on is not None
        ),
        completion_rate=_rate(done, done + not_doing + overdue),
        effectiveness_rate=_rate(worked, worked + did_not_work),
        median_days_to_close=float(median(days_to_close)) if days_to_close else None,
    )
