"""What insights puts on the home page, by role (issue 21, item 4): a learning lead or an admin
sees the organization's loop, a team lead each team they lead, and everyone the recurring themes
among the items they may open. Figures come from the one catalogue (metrics.py), over the same
twelve months as the dashboards, in a fixed number of queries however many teams."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from learnloop.analytics import learning_metrics as catalogue
from learnloop.insights import metric_texts, metrics, themes_selectors
from learnloop.insights.dashboard_access import can_see_organization
from learnloop.insights.dashboard_data import display
from learnloop.org.membership import team_access

# The loop at a glance: did we do what we said, did it work, is anything late, do we meet.
GLANCE = ("completion_rate", "effectiveness_rate", "overdue_count", "session_cadence")
THEMES_SHOWN = 3


@dataclass(frozen=True)
class Glance:
    label: str
    slug: str | None  # None for the organization
    figures: list[dict]


def _figures(facts: catalogue.LoopFacts, since, until, today) -> list[dict]:
    values = metrics.metric_values(facts, since=since, until=until, today=today)
    return [{**values[key].as_dict(), "name": metric_texts.metric_name(key),
             "display": display(catalogue.BY_KEY[key].unit, values[key].value)}
            for key in GLANCE]


def organization_loop(request):
    viewer = request.user
    if not can_see_organization(viewer):
        return None
    since, today = metrics.default_period()
    teams = metrics.all_teams()
    scope = metrics.scope_for(None, teams)
    facts = metrics.gather_facts(scope.team_ids, since=since)
    glance = Glance(gettext("The organization"), None,
                    _figures(metrics.merged(facts, scope.team_ids), since, today, today))
    return {"glance": glance, "since": since,
            "themes": themes_selectors.themes_for(viewer, today=today, limit=THEMES_SHOWN)}


def team_loops(request):
    """Each team (not department) the viewer facilitates, for team leads who are not learning
    leads (those see the organization instead)."""
    viewer = request.user
    if can_see_organization(viewer):
        return None
    access = team_access(viewer)
    if not access.led:
        return None
    teams = [team for team in metrics.all_teams() if team.pk in access.led and team.kind != "department"]
    if not teams:
        return None
    since, today = metrics.default_period()
    facts = metrics.gather_facts([team.pk for team in teams], since=since)
    return {"glances": [Glance(team.name, team.slug, _figures(facts[team.pk], since, today, today))
                        for team in teams], "since": since}


def recurring_themes(request):
    """For everyone who doesn't get the organization panel (it lists them already)."""
    viewer = request.user
    if can_see_organization(viewer):
        return None
    today = timezone.localdate()
    return {"themes": themes_selectors.themes_for(viewer, today=today, limit=THEMES_SHOWN)}
