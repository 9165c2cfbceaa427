"""The seven team-learning steps, each one's status derived from real rows (never stored), for
many teams at once in a fixed number of queries. The rules (docs/strategy.md "The seven steps"):

1. Shared vision — done: the team's vision has a version published in the last 365 days;
   started: the team has a vision (draft or older version); else to do.
2. Assess current practices — done: a survey campaign that included the team (whole
   organization or the team named) opened in the last 183 days and is open or closed; else to do.
3. Targeted strategy — done: the team has an objective and an initiative (not cancelled);
   started: one of the two.
4. Diverse learning methods — over the last 365 days, methods used out of: retros/reviews held,
   experiments started, knowledge entries written (owned by the team). Done: two or more;
   started: one.
5. Psychological safety — done: a retro held in the last 183 days in alias or anonymous mode,
   and the latest closed survey released a score for the team (disclosure gate, as the viewer);
   started: one of the two.
6. Feedback mechanisms — done: at least 2 sessions held in the last 90 days and an
   effectiveness check answered in the last 90 days on one of the team's actions; started: one.
7. Learning champions — done: a current champion named for the team; else to do.

The "next step" is the first step not done, with a link to where the team does it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learnloop.strategy.models import Champion, Initiative, InitiativeStatus, Objective, Vision, VisionVersion

DONE, STARTED, TODO = "done", "started", "to do"
STEPS = (
    ("vision", gettext_lazy("Define a shared vision")),
    ("assess", gettext_lazy("Assess current practices")),
    ("strategy", gettext_lazy("Develop a targeted strategy")),
    ("methods", gettext_lazy("Invest in diverse learning methods")),
    ("safety", gettext_lazy("Promote psychological safety")),
    ("feedback", gettext_lazy("Establish feedback mechanisms")),
    ("champions", gettext_lazy("Support learning champions")),
)


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    status: str
    evidence: str
    where: str  # URL where the team does it
    where_label: str

    @property
    def status_label(self) -> str:
        """The status in the reader's language (`status` stays the stored key)."""
        return str(STATUS_LABELS.get(self.status, self.status))


STATUS_LABELS = {DONE: gettext_lazy("done"), STARTED: gettext_lazy("started"), TODO: gettext_lazy("to do")}


def _yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _status(first: bool, second: bool) -> str:
    return DONE if first and second else STARTED if first or second else TODO


def steps_for_teams(teams, *, viewer=None, today=None, released: set | None = None) -> dict[int, list[Step]]:
    """{team id: [Step × 7]}. `released`: team ids with a released survey score (computed from
    the disclosure gate when not given)."""
    from learnloop.actions.models import Action
    from learnloop.experiments.models import Experiment
    from learnloop.knowledge.models import Entry
    from learnloop.reflection.models import Session
    from learnloop.surveys.models import Campaign

    today = today or timezone.localdate()
    ids = [team.pk for team in teams]
    year, half, quarter = today - timedelta(days=365), today - timedelta(days=183), today - timedelta(days=90)

    visions = {team_id: pk for pk, team_id in Vision.objects.filter(team_id__in=ids).values_list("pk", "team_id")}
    fresh_visions = set(VisionVersion.objects.filter(vision__team_id__in=ids, published_at__date__gte=year)
                        .values_list("vision__team_id", flat=True))
    campaigns = list(Campaign.objects.filter(opens_on__gte=half, status__in=("open", "closed"))
                     .prefetch_related("teams"))
    assessed = set()
    for campaign in campaigns:
        assessed |= set(ids) if campaign.whole_organization else {team.pk for team in campaign.teams.all()}
    with_objectives = set(Objective.objects.filter(team_id__in=ids).values_list("team_id", flat=True))
    with_initiatives = set(Initiative.objects.filter(team_id__in=ids).exclude(status=InitiativeStatus.CANCELLED)
                           .values_list("team_id", flat=True))
    session_rows = list(Session.objects.filter(team_id__in=ids, held_on__gte=year)
                        .values_list("team_id", "held_on", "anonymity"))
    experimented = set(Experiment.objects.filter(team_id__in=ids, started_on__gte=year)
                       .values_list("team_id", flat=True))
    wrote = set(Entry.objects.filter(owner_team_id__in=ids, created_at__date__gte=year)
                .values_list("owner_team_id", flat=True))
    checked = set(Action.objects.filter(team_id__in=ids, checked_at__date__gte=quarter).exclude(effect="")
                  .values_list("team_id", flat=True))
    championed = set(Champion.objects.filter(team_id__in=ids, ended_on=None).values_list("team_id", flat=True))
    if released is None:
        released = released_teams(viewer, ids)

    held_year, anonymous_half, recent = set(), set(), {}
    for team_id, held_on, anonymity in session_rows:
        held_year.add(team_id)
        if held_on >= half and anonymity != "named":
            anonymous_half.add(team_id)
        if held_on >= quarter:
            recent[team_id] = recent.get(team_id, 0) + 1

    out = {}
    for team in teams:
        pk = team.pk
        strategy_page = reverse("strategy:team", args=[team.slug])
        methods = sum((pk in held_year, pk in experimented, pk in wrote))
        steps = [
            Step("vision", str(STEPS[0][1]), DONE if pk in fresh_visions else STARTED if pk in visions else TODO,
                 _("A version published this year.") if pk in fresh_visions else
                 _("A vision, not published in the last 12 months.") if pk in visions else _("No team vision yet."),
                 reverse("strategy:vision", args=[visions[pk]]) if pk in visions else strategy_page + "#vision",
                 _("Work on the vision") if pk in visions else _("Start the team's vision")),
            Step("assess", str(STEPS[1][1]), DONE if pk in assessed else TODO,
                 _("A survey included the team in the last 6 months.") if pk in assessed
                 else _("No survey included the team in the last 6 months."),
                 reverse("surveys:campaigns"), _("Run an assessment survey")),
            Step("strategy", str(STEPS[2][1]), _status(pk in with_objectives, pk in with_initiatives),
                 _("Objectives: %(objectives)s; initiatives: %(initiatives)s.") % {
                     "objectives": _yes_no(pk in with_objectives), "initiatives": _yes_no(pk in with_initiatives)},
                 strategy_page + "#goals", _("Set goals and plan")),
            Step("methods", str(STEPS[3][1]), DONE if methods >= 2 else STARTED if methods == 1 else TODO,
                 _("%(methods)s of 3 methods in the last year (retros, experiments, knowledge).") % {
                     "methods": methods},
                 reverse("experiments:register") if pk in held_year else reverse("reflection:list"),
                 _("Try another method")),
            Step("safety", str(STEPS[4][1]), _status(pk in anonymous_half, pk in released),
                 _("Anonymous retros in the last 6 months: %(anonymous)s; released survey score: %(released)s.")
                 % {"anonymous": _yes_no(pk in anonymous_half), "released": _yes_no(pk in released)},
                 reverse("reflection:list"), _("Hold an anonymous retro")),
            Step("feedback", str(STEPS[5][1]), _status(recent.get(pk, 0) >= 2, pk in checked),
                 _("Sessions in the last 90 days: %(sessions)s; effectiveness checks answered: %(checked)s.") % {
                     "sessions": recent.get(pk, 0), "checked": _yes_no(pk in checked)},
                 reverse("actions:mine"), _("Check what worked")),
            Step("champions", str(STEPS[6][1]), DONE if pk in championed else TODO,
                 _("A champion is named.") if pk in championed else _("No champion named."),
                 reverse("strategy:champions"), _("Name a champion")),
        ]
        out[pk] = steps
    return out


def released_teams(viewer, team_ids) -> set[int]:
    """Teams the latest closed survey released scores for, as the disclosure gate shows `viewer`."""
    if viewer is None:
        return set()
    from learnloop.insights.metrics import survey_view

    view = survey_view(viewer)
    return {team_id for team_id in team_ids if view.scores(team_id)["dimensions"]}


def next_step(steps: list[Step]) -> Step | None:
    return next((step for step in steps if step.status != DONE), None)


def stage(steps: list[Step]) -> int:
    """How many steps are done (0..7)."""
    return sum(1 for step in steps if step.status == DONE)


