"""Barriers to learning, per team: the four barriers the seed names, read from the survey's
barrier diagnosis (released groups only; the caller hands in what the disclosure gate gave it)
and from behaviour over the last year. Pure rules on plain facts, no Django, so each rule is
tested with hand-built numbers (docs/strategy.md "Barriers to learning" states them).

A barrier is shown for a team when at least one finding points at it; each finding says what
it was read from (the survey, or which behaviour) with the figures, and each barrier comes with
practices that help."""

from dataclasses import dataclass, field

# The keys are the surveys' Barrier values, so survey dimensions and behaviour meet on them.
FEAR_OF_FAILURE = "fear_of_failure"
LEADERSHIP_SUPPORT = "leadership_support"
SILOS = "silos"
TIME_AND_RESOURCES = "time_and_resources"
BARRIERS = (
    (FEAR_OF_FAILURE, "Cultural inertia and fear of failure"),
    (LEADERSHIP_SUPPORT, "Lack of leadership support"),
    (SILOS, "Silos and knowledge hoarding"),
    (TIME_AND_RESOURCES, "Lack of time and resources"),
)
LABELS = dict(BARRIERS)

# Thresholds of the behaviour rules (docs/strategy.md explains each).
NEVER_CLOSED_PAST_DUE_DAYS = 30  # an open action this long past its due date is "never closed"
NEVER_CLOSED_MIN = 2  # at least this many such actions ...
NEVER_CLOSED_SHARE = 0.3  # ... and at least this share of the actions that fell due in the year
UNANSWERED_CHECKS_MIN = 3  # effectiveness checks due before a share can say anything
UNANSWERED_CHECKS_SHARE = 0.5  # more than this share of due checks left unanswered
TALK_WITHOUT_LESSONS_SESSIONS = 4  # this many sessions in the year and not one lesson kept
SESSIONS_PER_EXPERIMENT = 6  # fewer than one experiment started for this many sessions held
SILO_MIN_LESSONS = 2  # a team needs this many lessons of its own before "others don't reuse them" means anything
SILO_REUSE_PER_LESSON = 0.4  # applications by other teams per lesson written, below which knowledge stays home
# Survey: a barrier shows when its mean is weak on the scale (below the surveys' weak share, as the
# survey report marks dimensions) and at least this far below the organization's released mean.
WEAK_SHARE = 0.55  # = analytics.survey_stats.WEAK_SHARE (a test keeps them equal)
BELOW_ORGANIZATION = 0.25

SOURCE_SURVEY = "survey"
SOURCE_BEHAVIOUR = "behaviour"

# What helps with each barrier (from the seed's practices); the page adds playbooks of the
# practice library tagged for the barrier, where the viewer may read them.
PRACTICES = {
    FEAR_OF_FAILURE: (
        "Hold blameless postmortems and share what failed, not only what worked.",
        "Run one small, time-boxed experiment with a stated hypothesis and a kill criterion.",
        "Let a leader tell the team about a mistake of their own and what it taught them.",
    ),
    LEADERSHIP_SUPPORT: (
        "Give the team a learning objective with a key result bound to a platform metric.",
        "Answer effectiveness checks together in the next retro: did the actions work?",
        "Name a learning champion and give them time for it.",
    ),
    SILOS: (
        "Hold a cross-team lesson review: each team brings one lesson another team could use.",
        "Apply another team's lesson and record it (\"I applied this\").",
        "Pair or rotate with a neighbouring team for a sprint.",
    ),
    TIME_AND_RESOURCES: (
        "Give every initiative a budget in person-days, money or people before it starts.",
        "Close actions that won't happen as \"not doing\", with a reason, instead of leaving them open.",
        "Protect learning time in the team's plan (for example a fixed slot every sprint).",
    ),
}


@dataclass(frozen=True)
class SurveyBarrier:
    """One barrier of the survey diagnosis for a released group: the mean of its dimensions and
    those of them that are weak (below the surveys' weak share of the scale)."""
    barrier: str
    mean: float
    weak_dimensions: tuple[str, ...] = ()
    organization_mean: float | None = None  # the organization's released mean, to compare with


@dataclass(frozen=True)
class SurveyFacts:
    campaign: str
    size: int
    scale: tuple[float, float]
    barriers: tuple[SurveyBarrier, ...] = ()


@dataclass(frozen=True)
class Behaviour:
    """What a team did over the last year (counts only; nothing about who)."""
    actions_fell_due: int = 0  # actions whose due date fell in the year
    actions_never_closed: int = 0  # of those, open NEVER_CLOSED_PAST_DUE_DAYS or more past due
    checks_due: int = 0  # done actions whose effectiveness check date has passed
    checks_answered: int = 0  # of those, answered
    experiments_started: int = 0
    sessions_held: int = 0
    lessons_written: int = 0  # lessons owned by the team, written in the year
    lessons_applied_by_other_teams: int = 0  # "I applied this" on them by people outside the team
    other_teams_lessons_applied: int = 0  # the team's members applying other teams' lessons
    open_initiatives: int = 0  # planned or active initiatives of the team
    initiatives_without_budget: int = 0  # of those, with no person-days, money or people
    has_objective: bool = False  # a current one (not ended)


@dataclass(frozen=True)
class Finding:
    barrier: str
    source: str  # survey or behaviour
    rule: str  # which rule found it (stable key)
    evidence: str


@dataclass
class TeamBarrier:
    barrier: str
    label: str
    findings: list[Finding] = field(default_factory=list)
    practices: tuple[str, ...] = ()
    playbooks: list = field(default_factory=list)  # filled in by the app: [{"id", "title"}]

    @property
    def sources(self) -> list[str]:
        return sorted({finding.source for finding in self.findings})


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%"


def survey_findings(survey: SurveyFacts | None) -> list[Finding]:
    """A barrier the released survey diagnosis points at: its mean is weak on the scale and at
    least BELOW_ORGANIZATION under the organization's (or weak alone when the organization's
    mean is not known)."""
    if survey is None:
        return []
    low, high = survey.scale
    found = []
    for item in survey.barriers:
        weak = (item.mean - low) / (high - low) < WEAK_SHARE
        behind = item.organization_mean is None or item.organization_mean - item.mean >= BELOW_ORGANIZATION
        if not (weak and behind):
            continue
        compared = (f", {item.organization_mean - item.mean:.1f} below the organization's "
                    f"{item.organization_mean:.1f}" if item.organization_mean is not None else "")
        weakest = f"; weak: {', '.join(item.weak_dimensions)}" if item.weak_dimensions else ""
        found.append(Finding(item.barrier, SOURCE_SURVEY, "weak_barrier", (
            f"{survey.campaign} (released, {survey.size} responses): barrier mean {item.mean:.1f} on "
            f"{low:g}–{high:g}{compared}{weakest}.")))
    return found


def behaviour_findings(facts: Behaviour) -> list[Finding]:
    found = []
    if (facts.actions_never_closed >= NEVER_CLOSED_MIN and facts.actions_fell_due
            and facts.actions_never_closed / facts.actions_fell_due >= NEVER_CLOSED_SHARE):
        found.append(Finding(TIME_AND_RESOURCES, SOURCE_BEHAVIOUR, "actions_never_closed", (
            f"{facts.actions_never_closed} of {facts.actions_fell_due} actions due this year "
            f"({_share(facts.actions_never_closed, facts.actions_fell_due)}) are still open "
            f"{NEVER_CLOSED_PAST_DUE_DAYS}+ days past their due date.")))
    if facts.initiatives_without_budget:
        found.append(Finding(TIME_AND_RESOURCES, SOURCE_BEHAVIOUR, "initiatives_without_budget", (
            f"{facts.initiatives_without_budget} of {facts.open_initiatives} planned or active initiatives "
            f"have no budget (no person-days, money or people).")))
    unanswered = facts.checks_due - facts.checks_answered
    if facts.checks_due >= UNANSWERED_CHECKS_MIN and unanswered / facts.checks_due > UNANSWERED_CHECKS_SHARE:
        found.append(Finding(LEADERSHIP_SUPPORT, SOURCE_BEHAVIOUR, "checks_unanswered", (
            f"{unanswered} of {facts.checks_due} effectiveness checks due this year were never answered "
            f"({_share(unanswered, facts.checks_due)}): nobody asks whether the actions worked.")))
    if not facts.has_objective and not facts.open_initiatives:
        found.append(Finding(LEADERSHIP_SUPPORT, SOURCE_BEHAVIOUR, "no_goal_or_initiative",
                             "The team has no current learning objective and no planned or active initiative."))
    if (facts.lessons_written >= SILO_MIN_LESSONS
            and facts.lessons_applied_by_other_teams / facts.lessons_written < SILO_REUSE_PER_LESSON):
        found.append(Finding(SILOS, SOURCE_BEHAVIOUR, "little_reuse_outside", (
            f"Other teams applied the team's {facts.lessons_written} lessons of this year "
            f"{facts.lessons_applied_by_other_teams} times "
            f"({facts.lessons_applied_by_other_teams / facts.lessons_written:.2f} a lesson; "
            f"below {SILO_REUSE_PER_LESSON:g}).")))
    if (facts.lessons_written or facts.sessions_held) and not facts.other_teams_lessons_applied:
        found.append(Finding(SILOS, SOURCE_BEHAVIOUR, "no_reuse_inside",
                             "The team's members applied no lesson of another team this year."))
    if facts.experiments_started * SESSIONS_PER_EXPERIMENT < facts.sessions_held:
        found.append(Finding(FEAR_OF_FAILURE, SOURCE_BEHAVIOUR, "few_experiments", (
            f"{facts.sessions_held} sessions held this year but {facts.experiments_started} "
            f"experiment{'s' if facts.experiments_started != 1 else ''} started "
            f"(fewer than one for every {SESSIONS_PER_EXPERIMENT} sessions).")))
    if facts.sessions_held >= TALK_WITHOUT_LESSONS_SESSIONS and not facts.lessons_written:
        found.append(Finding(FEAR_OF_FAILURE, SOURCE_BEHAVIOUR, "no_lessons", (
            f"{facts.sessions_held} sessions held this year and not one lesson kept.")))
    return found


def team_barriers(behaviour: Behaviour, survey: SurveyFacts | None = None) -> list[TeamBarrier]:
    """The team's barriers, in the seed's order, each with its findings and practices; a barrier
    nothing points at is left out."""
    by_barrier: dict[str, list[Finding]] = {key: [] for key, _ in BARRIERS}
    for finding in survey_findings(survey) + behaviour_findings(behaviour):
        by_barrier[finding.barrier].append(finding)
    return [TeamBarrier(key, label, by_barrier[key], PRACTICES[key]) for key, label in BARRIERS if by_barrier[key]]
