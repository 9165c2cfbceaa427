"""The weekly digest's "Metric changes by team" section (actions.digest sends `digest_sections`).

For each team whose dashboard the reader may open (dashboard_access), the catalogue's figures over
the dashboards' period (the last twelve months) as they stand on the digest's day, against the
same figures a week earlier: the facts rewound to that day (learning_metrics.rewound), the period
ending that day. Only figures that changed are listed; a team with no change is left out. The
values come from the one catalogue (learning_metrics.loop_metrics), as on the dashboards.
"""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from learnloop.actions.digest import DigestSection
from learnloop.analytics import learning_metrics as catalogue
from learnloop.insights import dashboard_access, dashboard_data, metric_texts, metrics

# Figures a week can move and that the facts can be rewound for (lesson reuse and stale knowledge
# carry no dates to rewind, so a week-ago value would be today's in disguise).
DIGEST_METRICS = ("completion_rate", "effectiveness_rate", "overdue_count", "median_days_action_to_done",
                  "session_cadence", "experiment_velocity")
MAX_TEAMS = 15


def team_changes(teams, *, today) -> list[dict]:
    """[{"team", "changes": [{"key", "name", "unit", "now", "before"}]}] for teams with a change,
    in team-name order. Ten queries whatever the number of teams."""
    week_ago = today - timedelta(days=7)
    since_now, since_before = metrics.default_period(today)[0], metrics.default_period(week_ago)[0]
    facts = metrics.gather_facts([team.pk for team in teams], since=min(since_now, since_before))
    found = []
    for team in teams:
        now = catalogue.loop_metrics(facts[team.pk], since=since_now, until=today, today=today)
        before = catalogue.loop_metrics(catalogue.rewound(facts[team.pk], week_ago), since=since_before,
                                        until=week_ago, today=week_ago)
        changes = [{"key": key, "name": metric_texts.metric_name(key), "unit": catalogue.BY_KEY[key].unit,
                    "now": now[key].value, "before": before[key].value}
                   for key in DIGEST_METRICS if _rounded(now[key]) != _rounded(before[key])]
        if changes:
            found.append({"team": team, "changes": changes})
    return found


def _rounded(value: catalogue.Value):
    return None if value.value is None else round(value.value, 3)


def _change_text(change: dict) -> str:
    return gettext("%(name)s %(now)s (a week ago %(before)s)") % {
        "name": change["name"], "now": dashboard_data.display(change["unit"], change["now"]),
        "before": dashboard_data.display(change["unit"], change["before"])}


def metric_changes_section(sender, *, person, today, **kwargs) -> DigestSection | None:
    teams = [team for team in dashboard_access.visible_teams(person, metrics.all_teams()) if team.kind != "department"]
    changed = team_changes(teams, today=today)
    if not changed:
        return None
    lines = []
    for row in changed[:MAX_TEAMS]:
        figures = "; ".join(_change_text(change) for change in row["changes"])
        lines.append(f"- {row['team'].name}: {figures}")
        lines.append(f"  {settings.BASE_URL}{reverse('insights:dashboard', args=[row['team'].slug])}")
    if len(changed) > MAX_TEAMS:
        more = len(changed) - MAX_TEAMS
        lines.append("- " + gettext("and %(more)s more teams: %(url)s") % {
            "more": more, "url": f"{settings.BASE_URL}{reverse('insights:dashboards')}"})
    return DigestSection(title=gettext("Metric changes by team"), lines=lines)


def team_metric_changes_section(sender, *, team, today, **kwargs) -> DigestSection | None:
    """A team's chat digest: its own figures that moved this week (the team's channel is read by
    the team, who see their dashboard)."""
    if team.kind == "department":
        return None
    changed = team_changes([team], today=today)
    if not changed:
        return None
    lines = [_change_text(change) for change in changed[0]["changes"]]
    return DigestSection(title=gettext("Metric changes"), lines=lines)
