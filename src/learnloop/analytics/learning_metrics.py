"""The learning metrics catalogue: every figure the platform shows about the loop, defined once.

Each metric has one entry in CATALOGUE (name, unit, formula, source, caveats: docs/metrics.md is
written from the same words) and is computed by one function below from plain facts. The apps
gather the facts (insights.metrics for organization, department and team; actions.metrics and
reflection.metrics for their own pages) and call these functions, so every page, the API and
the CLI show the same number. No Django here.

Rules shared by every metric:
- A rate is None when its denominator is zero, a median None when there is nothing to take the
  median of: "no data" is never shown as 0.
- Periods are local calendar dates, both ends included.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import median

from learnloop.analytics.follow_through import ActionFacts, follow_through

# Knowledge past its review date by this much is stale (knowledge.models.STALE_AFTER_DUE).
STALE_AFTER_DAYS = 30


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    unit: str  # "share" (0..1), "count", "days", "per month", "score"
    formula: str
    source: str
    caveats: str
    better: str = "higher"  # "higher", "lower", or "" when neither is better


CATALOGUE: tuple[Metric, ...] = (
    Metric("completion_rate", "Action completion rate", "share",
           "done / (done + not doing + overdue), over actions created in the period",
           "actions (status, due date, team grace days)",
           "Open actions not yet due don't count; a team with nothing due has no rate."),
    Metric("effectiveness_rate", "Effectiveness rate", "share",
           "worked / (worked + did not work), over done actions of the period whose check has an answer",
           "actions (effectiveness check)",
           "\"We can't tell\" answers and pending checks are left out; few checks make a jumpy rate."),
    Metric("overdue_count", "Overdue actions", "count",
           "open or in-progress actions of the period past due date + the team's grace days, today",
           "actions", "A snapshot at the period's end, not a sum over time.", better="lower"),
    Metric("median_days_card_to_action", "Median days card → action", "days",
           "median over actions raised from a session and created in the period of "
           "(action created − session held), in days",
           "reflection sessions, actions (source = the session)",
           "Actions are linked to the session they came from, not to a single card.", better="lower"),
    Metric("median_days_action_to_done", "Median days action → done", "days",
           "median over done actions created in the period of (closed − created), in days",
           "actions", "Actions still open are not in the median (it can look faster than it is).",
           better="lower"),
    Metric("time_to_first_lesson", "Time to first lesson", "days",
           "median over sessions held in the period that produced a lesson of (first lesson − held), in days",
           "reflection sessions, lessons promoted from them",
           "Sessions without a lesson are not counted here (see the funnel for how many there are).",
           better="lower"),
    Metric("lesson_reuse_rate", "Lesson reuse rate", "share",
           "lessons created in the period applied at least once / lessons created in the period",
           "knowledge lessons owned by the team, \"I applied this\" records",
           "Reuse is what people record; a lesson reused without a record is not counted."),
    Metric("lesson_reuse_count", "Lesson reuse count", "count",
           "\"I applied this\" records on lessons created in the period",
           "knowledge lessons owned by the team, their applications",
           "Counts records, not distinct lessons: one lesson applied five times counts five."),
    Metric("stale_knowledge_share", "Stale-knowledge share", "share",
           f"entries past review date + {STALE_AFTER_DAYS} days / entries not obsolete, at the period's end",
           "knowledge entries owned by the team (review dates)",
           "A snapshot at the period's end; obsolete entries are out of both counts.", better="lower"),
    Metric("experiment_velocity", "Experiment velocity", "per month",
           "experiments concluded in the period / calendar months in the period",
           "experiments (status, end date)", "Counts conclusions, not starts; a short period is noisy."),
    Metric("win_rate", "Win rate", "share",
           "won / experiments concluded in the period with an outcome",
           "experiments (outcome)",
           "A low win rate is normal for a team that tests bold ideas; read it with velocity.",
           better=""),
    Metric("experiments_with_lesson_share", "Experiments with a lesson", "share",
           "experiments concluded in the period with at least one lesson / experiments concluded in the period",
           "experiments, their lessons", ""),
    Metric("session_cadence", "Session cadence", "per month",
           "sessions held in the period / calendar months in the period",
           "reflection sessions", "Months are counted from the period's first month to its last, both included."),
    Metric("anonymous_participation_rate", "Anonymous participation", "share",
           "cards written under an alias or anonymously / all cards, in sessions held in the period",
           "reflection cards (no author stored)",
           "Says how much people rely on anonymity, not who wrote what: cards carry no writer.",
           better=""),
    Metric("participation_rate", "Retro participation rate", "share",
           "active members who joined at least one session held in the period / active members, today",
           "reflection session participants, team memberships",
           "Joining is opening the board; it says who took part, never who wrote which card. "
           "Members are today's, so a team that grew late looks lower."),
    Metric("skill_coverage", "Skill coverage", "share",
           "skill needs met (active members at the needed level or above ≥ the people needed) / skill needs, today",
           "growth team skill needs, members' effective skill levels",
           "A snapshot of today, whatever the period; a team that recorded no needs has no coverage. "
           "Counts people per need, never who they are."),
    Metric("survey_scale_scores", "Survey scale scores", "score",
           "mean of each dimension in the latest closed campaign, for the group, as released",
           "surveys, through the disclosure gate",
           "Only groups the disclosure engine released are shown; anything else is missing, not zero."),
    Metric("theme_recurrence_rate", "Theme recurrence rate", "share",
           "themes with an item in the period that also had one before it / themes with an item in the period",
           "insights themes (retro cards, postmortem factors, actions, lessons, questions, released survey comments)",
           "Counts only the theme items the viewer may open; missing when no theme came up in the period."),
)
BY_KEY = {metric.key: metric for metric in CATALOGUE}


@dataclass(frozen=True)
class SessionFacts:
    held_on: date
    first_lesson_on: date | None = None
    cards: int = 0
    anonymous_cards: int = 0  # alias or anonymous: no author stored
    actions_created_on: tuple[date, ...] = ()  # actions raised from this session
    participants: frozenset = frozenset()  # ids of the people who joined (never tied to a card)


@dataclass(frozen=True)
class LessonFacts:
    created_on: date
    applications: int = 0


@dataclass(frozen=True)
class EntryFacts:
    review_due_on: date
    obsolete: bool = False


@dataclass(frozen=True)
class ExperimentFacts:
    status: str  # draft, running, analysing, concluded
    started_on: date | None = None
    ended_on: date | None = None
    outcome: str = ""  # won, lost, inconclusive or ""
    lessons: int = 0


@dataclass(frozen=True)
class SkillNeedFacts:
    """One skill need of a team: people wanted at the level, and how many active members are there."""
    people: int
    have: int


@dataclass
class LoopFacts:
    """Everything the catalogue needs about one group (a team, or the teams of a scope merged)."""
    actions: list[ActionFacts] = field(default_factory=list)
    sessions: list[SessionFacts] = field(default_factory=list)
    lessons: list[LessonFacts] = field(default_factory=list)
    entries: list[EntryFacts] = field(default_factory=list)
    experiments: list[ExperimentFacts] = field(default_factory=list)
    members: frozenset = frozenset()  # ids of the group's active members, today
    skill_needs: list[SkillNeedFacts] = field(default_factory=list)  # today's, each judged in its own team

    def merged(self, other: "LoopFacts") -> "LoopFacts":
        return LoopFacts(self.actions + other.actions, self.sessions + other.sessions,
                         self.lessons + other.lessons, self.entries + other.entries,
                         self.experiments + other.experiments, self.members | other.members,
                         self.skill_needs + other.skill_needs)


@dataclass(frozen=True)
class Value:
    """One metric's value with what it was computed from (numerator/denominator for rates, n
    for medians and counts), so a reader can recompute it."""
    key: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    n: int | None = None

    def as_dict(self) -> dict:
        metric = BY_KEY[self.key]
        return {"key": self.key, "name": metric.name, "unit": metric.unit, "value": self.value,
                "numerator": self.numerator, "denominator": self.denominator, "n": self.n}


def months_spanned(since: date, until: date) -> int:
    """Calendar months from since's month to until's month, both included."""
    return (until.year - since.year) * 12 + until.month - since.month + 1


def _in(day: date | None, since: date, until: date) -> bool:
    return day is not None and since <= day <= until


def _rate(key: str, part: int, whole: int) -> Value:
    return Value(key, part / whole if whole else None, part, whole)


def _median(key: str, days: list[int]) -> Value:
    return Value(key, float(median(days)) if days else None, n=len(days))


def rewound(facts: LoopFacts, day: date) -> LoopFacts:
    """The facts as they stood at the end of `day`, as far as their dates tell: later actions,
    sessions, lessons and experiments are left out; an action closed later was still open then
    (no effect yet), a check due later had no answer yet, an experiment that ended later was still
    running. Lesson applications and knowledge review dates carry no date here, so they are today's."""
    actions = []
    for action in facts.actions:
        if action.created_on > day:
            continue
        if action.closed_on is not None and action.closed_on > day:
            action = replace(action, status="open", closed_on=None, effect="")
        elif action.effect and action.check_on is not None and action.check_on > day:
            action = replace(action, effect="")
        actions.append(action)
    sessions = [replace(session, first_lesson_on=(session.first_lesson_on if session.first_lesson_on is not None
                                                  and session.first_lesson_on <= day else None),
                        actions_created_on=tuple(on for on in session.actions_created_on if on <= day))
                for session in facts.sessions if session.held_on <= day]
    experiments = []
    for experiment in facts.experiments:
        if experiment.started_on is not None and experiment.started_on > day:
            continue
        if experiment.ended_on is not None and experiment.ended_on > day:
            experiment = replace(experiment, status="running", ended_on=None, outcome="", lessons=0)
        experiments.append(experiment)
    return LoopFacts(actions, sessions, [lesson for lesson in facts.lessons if lesson.created_on <= day],
                     list(facts.entries), experiments, facts.members)


# --- one function per metric ------------------------------------------------------------------


def _period_actions(actions, since, until):
    return [facts for facts in actions if _in(facts.created_on, since, until)]


def completion_rate(actions: list[ActionFacts], *, since: date, until: date, today: date) -> Value:
    figures = follow_through(_period_actions(actions, since, until), today=today)
    return _rate("completion_rate", figures.done, figures.expected)


def effectiveness_rate(actions: list[ActionFacts], *, since: date, until: date, today: date) -> Value:
    figures = follow_through(_period_actions(actions, since, until), today=today)
    return _rate("effectiveness_rate", figures.worked, figures.worked + figures.did_not_work)


def overdue_count(actions: list[ActionFacts], *, since: date, until: date, today: date) -> Value:
    figures = follow_through(_period_actions(actions, since, until), today=today)
    return Value("overdue_count", figures.overdue_count, n=figures.total)


def median_days_card_to_action(sessions: list[SessionFacts], *, since: date, until: date) -> Value:
    days = [(created - session.held_on).days for session in sessions for created in session.actions_created_on
            if _in(created, since, until)]
    return _median("median_days_card_to_action", days)


def median_days_action_to_done(actions: list[ActionFacts], *, since: date, until: date) -> Value:
    days = [(facts.closed_on - facts.created_on).days for facts in _period_actions(actions, since, until)
            if facts.status == "done" and facts.closed_on is not None]
    return _median("median_days_action_to_done", days)


def time_to_first_lesson(sessions: list[SessionFacts], *, since: date, until: date) -> Value:
    days = [(session.first_lesson_on - session.held_on).days for session in sessions
            if _in(session.held_on, since, until) and session.first_lesson_on is not None]
    return _median("time_to_first_lesson", days)


def lesson_reuse_rate(lessons: list[LessonFacts], *, since: date, until: date) -> Value:
    made = [lesson for lesson in lessons if _in(lesson.created_on, since, until)]
    return _rate("lesson_reuse_rate", sum(1 for lesson in made if lesson.applications > 0), len(made))


def lesson_reuse_count(lessons: list[LessonFacts], *, since: date, until: date) -> Value:
    made = [lesson for lesson in lessons if _in(lesson.created_on, since, until)]
    return Value("lesson_reuse_count", float(sum(lesson.applications for lesson in made)), n=len(made))


def stale_knowledge_share(entries: list[EntryFacts], *, until: date) -> Value:
    current = [entry for entry in entries if not entry.obsolete]
    stale = sum(1 for entry in current if until >= entry.review_due_on + timedelta(days=STALE_AFTER_DAYS))
    return _rate("stale_knowledge_share", stale, len(current))


def _concluded(experiments, since, until):
    return [facts for facts in experiments if facts.status == "concluded" and _in(facts.ended_on, since, until)]


def experiment_velocity(experiments: list[ExperimentFacts], *, since: date, until: date) -> Value:
    concluded = len(_concluded(experiments, since, until))
    months = months_spanned(since, until)
    return Value("experiment_velocity", concluded / months, concluded, months)


def win_rate(experiments: list[ExperimentFacts], *, since: date, until: date) -> Value:
    decided = [facts for facts in _concluded(experiments, since, until) if facts.outcome]
    return _rate("win_rate", sum(1 for facts in decided if facts.outcome == "won"), len(decided))


def experiments_with_lesson_share(experiments: list[ExperimentFacts], *, since: date, until: date) -> Value:
    concluded = _concluded(experiments, since, until)
    return _rate("experiments_with_lesson_share", sum(1 for facts in concluded if facts.lessons), len(concluded))


def session_cadence(sessions: list[SessionFacts], *, since: date, until: date) -> Value:
    held = sum(1 for session in sessions if _in(session.held_on, since, until))
    months = months_spanned(since, until)
    return Value("session_cadence", held / months, held, months)


def anonymous_participation_rate(sessions: list[SessionFacts], *, since: date, until: date) -> Value:
    held = [session for session in sessions if _in(session.held_on, since, until)]
    return _rate("anonymous_participation_rate", sum(session.anonymous_cards for session in held),
                 sum(session.cards for session in held))


def participation_rate(sessions: list[SessionFacts], members: frozenset, *, since: date, until: date) -> Value:
    joined = set()
    for session in sessions:
        if _in(session.held_on, since, until):
            joined |= session.participants
    return _rate("participation_rate", len(joined & members), len(members))


def skill_coverage(needs: list[SkillNeedFacts]) -> Value:
    """Of the skill needs the scope's teams recorded, the share met today: a need is met when at
    least `people` active members of its team hold the skill at its level or above."""
    return _rate("skill_coverage", sum(1 for need in needs if need.have >= need.people), len(needs))


def theme_recurrence_rate(active: int | None = None, recurring: int | None = None) -> Value:
    """Of the themes that came up in the period (`active`), the share that had come up before it
    (`recurring`); the counts come from the insights themes (insights.themes_metrics). Without
    them (None) the metric is missing."""
    if active is None or recurring is None:
        return Value("theme_recurrence_rate", None)
    return _rate("theme_recurrence_rate", recurring, active)


def loop_metrics(facts: LoopFacts, *, since: date, until: date, today: date) -> dict[str, Value]:
    """Every behaviour metric of the catalogue for one group and period (survey scale scores come
    from the disclosure gate, so the caller adds them)."""
    # The action metrics filter the same actions: do it once (dashboards call this per team and month).
    actions = _period_actions(facts.actions, since, until)
    values = [
        completion_rate(actions, since=since, until=until, today=today),
        effectiveness_rate(actions, since=since, until=until, today=today),
        overdue_count(actions, since=since, until=until, today=today),
        median_days_card_to_action(facts.sessions, since=since, until=until),
        median_days_action_to_done(actions, since=since, until=until),
        time_to_first_lesson(facts.sessions, since=since, until=until),
        lesson_reuse_rate(facts.lessons, since=since, until=until),
        lesson_reuse_count(facts.lessons, since=since, until=until),
        stale_knowledge_share(facts.entries, until=until),
        experiment_velocity(facts.experiments, since=since, until=until),
        win_rate(facts.experiments, since=since, until=until),
        experiments_with_lesson_share(facts.experiments, since=since, until=until),
        session_cadence(facts.sessions, since=since, until=until),
        anonymous_participation_rate(facts.sessions, since=since, until=until),
        participation_rate(facts.sessions, facts.members, since=since, until=until),
        skill_coverage(facts.skill_needs),
        theme_recurrence_rate(),
    ]
    return {value.key: value for value in values}


# --- views across a period: the funnel and months ---------------------------------------------


FUNNEL_STAGES = (
    ("cards", "Cards written"),
    ("actions", "Actions raised"),
    ("done", "Actions done"),
    ("effective", "Found effective"),
    ("lessons", "Lessons kept"),
    ("reused", "Lessons reused"),
)


def funnel(facts: LoopFacts, *, since: date, until: date) -> list[dict]:
    """Card → action → done → effective → lesson → reused, counted over the period: cards in
    sessions held in it, actions created in it (and of those, done and found to work), lessons
    created in it (and of those, applied at least once). Stages count different things, so a
    later stage is not a subset of the earlier one's items; it is the loop's throughput."""
    actions = _period_actions(facts.actions, since, until)
    lessons = [lesson for lesson in facts.lessons if _in(lesson.created_on, since, until)]
    counts = {
        "cards": sum(session.cards for session in facts.sessions if _in(session.held_on, since, until)),
        "actions": len(actions),
        "done": sum(1 for action in actions if action.status == "done"),
        "effective": sum(1 for action in actions if action.status == "done" and action.effect == "worked"),
        "lessons": len(lessons),
        "reused": sum(1 for lesson in lessons if lesson.applications > 0),
    }
    return [{"stage": key, "label": label, "count": counts[key]} for key, label in FUNNEL_STAGES]


def month_periods(until: date, months: int) -> list[tuple[date, date]]:
    """The last `months` calendar months up to until's month, oldest first: (first day, last day)."""
    periods = []
    year, month = until.year, until.month
    for _ in range(months):
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        periods.append((first, following - timedelta(days=1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return periods[::-1]


def experiment_portfolio(experiments: list[ExperimentFacts], periods: list[tuple[date, date]]) -> list[dict]:
    """Per month: experiments running at some point in it, and those concluded in it by outcome."""
    rows = []
    for first, last in periods:
        running = sum(1 for facts in experiments if facts.started_on is not None and facts.started_on <= last
                      and (facts.ended_on is None or facts.ended_on >= first))
        concluded = _concluded(experiments, first, last)
        rows.append({"month": first.strftime("%Y-%m"), "running": running,
                     **{outcome: sum(1 for facts in concluded if (facts.outcome or "no_outcome") == outcome)
                        for outcome in ("won", "lost", "inconclusive", "no_outcome")}})
    return rows
