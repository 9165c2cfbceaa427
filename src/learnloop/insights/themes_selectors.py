"""Every read of themes a page, the API or the digest needs, scoped to the viewer.

Figures are computed from the items the viewer may see (themes_permissions.visible_items_q), in a
fixed number of queries whatever the size of the organization: items are read as plain values and
counted here.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, ngettext_lazy

from learnloop.actions.models import Effect
from learnloop.insights.themes_models import CARD_SOURCES, Source, Theme, ThemeItem
from learnloop.insights.themes_permissions import visible_items_q
from learnloop.org.models import Team
from learnloop.reflection.selectors import not_a_problem_cards
from learnloop.surveys.models import Campaign, CampaignStatus

SOURCE_NAMES = {  # singular, plural, for the sentence
    Source.RETRO_CARD: ngettext_lazy("%(count)s retro", "%(count)s retros", "count"),
    Source.POSTMORTEM_FACTOR: ngettext_lazy("%(count)s postmortem", "%(count)s postmortems", "count"),
    Source.REVIEW_GAP: ngettext_lazy("%(count)s after-action review", "%(count)s after-action reviews", "count"),
    Source.ACTION: ngettext_lazy("%(count)s action", "%(count)s actions", "count"),
    Source.QUESTION: ngettext_lazy("%(count)s question", "%(count)s questions", "count"),
    Source.LESSON: ngettext_lazy("%(count)s lesson", "%(count)s lessons", "count"),
    Source.SURVEY_COMMENT: ngettext_lazy("%(count)s survey", "%(count)s surveys", "count"),
}
TRENDS = {"rising": gettext_lazy("rising"), "falling": gettext_lazy("falling"), "steady": gettext_lazy("steady")}
MIN_RECURRING = 2  # a theme is listed once the viewer sees at least this many of its items
# A theme "came back" after an effective action once the action's team raised it again in this many
# sessions or surveys after the check.
COMEBACK_OCCASIONS = 2
TREND_MONTHS = 12


@dataclass
class ThemeSummary:
    theme: Theme
    count: int = 0
    by_source: dict = field(default_factory=dict)
    by_team: dict = field(default_factory=dict)  # team name -> count ("" for no team)
    by_month: dict = field(default_factory=dict)  # first day of month -> count
    first_seen: date | None = None
    last_seen: date | None = None
    sentence: str = ""
    trend: list = field(default_factory=list)  # [(month, count)] for the last TREND_MONTHS months
    trend_direction: str = ""  # rising, falling or steady (a key: the API sends it)
    trend_label: str = ""  # the same in the reader's language
    by_source_named: list = field(default_factory=list)  # [(source label, count)]
    busiest_month: int = 0
    effective_actions: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    items: list = field(default_factory=list)
    dates: list = field(default_factory=list)
    this_week: int = 0


@dataclass(frozen=True)
class Filters:
    team: Team | None = None
    source: str = ""
    month: date | None = None  # first day of the month


def _month(day: date) -> date:
    return day.replace(day=1)


def _months_back(today: date, count: int) -> list[date]:
    months, current = [], _month(today)
    for _ in range(count):
        months.append(current)
        current = _month(current - timedelta(days=1))
    return list(reversed(months))


def _visible_items(viewer):
    return ThemeItem.objects.filter(visible_items_q(viewer), theme__retired_at__isnull=True)


def _plural(count: int, source: str, *, last_survey: bool = False) -> str:
    if source == Source.SURVEY_COMMENT and last_survey:
        return gettext("the last survey")
    return SOURCE_NAMES[source] % {"count": count}


def _sentence(rows: list[dict], latest_campaign_id: int | None) -> str:
    """"This came up in 7 retros, 2 postmortems and the last survey across 4 teams." Sessions and
    surveys count once however many of their cards or comments are in the theme."""
    occasions: dict[str, set] = defaultdict(set)
    for row in rows:
        if row["source"] in CARD_SOURCES:
            occasions[row["source"]].add(row["session_id"])
        elif row["source"] == Source.SURVEY_COMMENT:
            occasions[row["source"]].add(row["campaign_id"])
        else:
            occasions[row["source"]].add(row["key"])
    parts = []
    for source in SOURCE_NAMES:
        if occasions.get(source):
            found = occasions[source]
            last = source == Source.SURVEY_COMMENT and found == {latest_campaign_id}
            parts.append(_plural(len(found), source, last_survey=last))
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else gettext("%(first)s and %(last)s") % {
        "first": ", ".join(parts[:-1]), "last": parts[-1]}
    teams = {row["team_id"] for row in rows if row["team_id"]}
    if len(teams) > 1:
        return gettext("This came up in %(listed)s across %(teams)s teams.") % {"listed": listed, "teams": len(teams)}
    if teams:
        return gettext("This came up in %(listed)s in 1 team.") % {"listed": listed}
    return gettext("This came up in %(listed)s.") % {"listed": listed}


def _latest_campaign_id() -> int | None:
    return (Campaign.objects.filter(status=CampaignStatus.CLOSED, release__isnull=False)
            .order_by("-closes_on", "-id").values_list("pk", flat=True).first())


def _summarise(theme: Theme, rows: list[dict], team_names: dict, today: date,
               latest_campaign: int | None) -> ThemeSummary:
    summary = ThemeSummary(theme=theme, count=len(rows))
    summary.by_source = dict(Counter(row["source"] for row in rows).most_common())
    summary.by_team = dict(Counter(team_names.get(row["team_id"], "") for row in rows).most_common())
    months = Counter(_month(row["on"]) for row in rows)
    summary.by_month = dict(sorted(months.items()))
    dates = sorted(row["on"] for row in rows)
    summary.dates = dates
    summary.first_seen, summary.last_seen = (min(dates), max(dates)) if dates else (None, None)
    summary.sentence = _sentence(rows, latest_campaign)
    summary.trend = [(month, months.get(month, 0)) for month in _months_back(today, TREND_MONTHS)]
    summary.busiest_month = max((count for _, count in summary.trend), default=0)
    recent = sum(count for _, count in summary.trend[-3:])
    before = sum(count for _, count in summary.trend[-6:-3])
    summary.trend_direction = "rising" if recent > before else "falling" if recent < before else "steady"
    summary.trend_label = str(TRENDS[summary.trend_direction])
    summary.by_source_named = [(str(Source(key).label) if key in Source.values else key, count)
                               for key, count in summary.by_source.items()]
    return summary


_ROW_FIELDS = ("theme_id", "source", "ref", "key", "team_id", "on", "session_id", "campaign_id", "action_id")


def themes_for(viewer, filters: Filters = Filters(), *, today: date, limit: int | None = None) -> list[ThemeSummary]:
    """The themes the viewer sees at least MIN_RECURRING items of, most items first.

    Filters keep themes that have a (visible) item of that team, source or month; the figures
    stay those of all the viewer's visible items of the theme."""
    items = _visible_items(viewer)
    wanted = Q()
    if filters.team is not None:
        wanted &= Q(team=filters.team)
    if filters.source:
        wanted &= Q(source=filters.source)
    if filters.month is not None:
        following = _month(filters.month + timedelta(days=32))
        wanted &= Q(on__gte=filters.month, on__lt=following)
    rows_by_theme: dict[int, list[dict]] = defaultdict(list)
    for row in items.values(*_ROW_FIELDS):
        rows_by_theme[row["theme_id"]].append(row)
    if wanted:
        matching = set(items.filter(wanted).values_list("theme_id", flat=True).distinct())
        rows_by_theme = {pk: rows for pk, rows in rows_by_theme.items() if pk in matching}
    chosen = {pk: rows for pk, rows in rows_by_theme.items() if len(rows) >= MIN_RECURRING}
    order = sorted(chosen, key=lambda pk: (-len(chosen[pk]), -max(row["on"] for row in chosen[pk]).toordinal(), pk))
    if limit is not None:
        order = order[:limit]
    themes = Theme.objects.in_bulk(order)
    team_names = dict(Team.objects.values_list("pk", "name"))
    latest = _latest_campaign_id()
    effective = _effective_actions(order)
    not_problems = _not_problems([row for pk in order if pk in effective for row in chosen[pk]])
    summaries = []
    for pk in order:
        summary = _summarise(themes[pk], chosen[pk], team_names, today, latest)
        seen = {row["action_id"] for row in chosen[pk] if row["action_id"]}  # never an action they may not open
        summary.effective_actions = [action for action in effective.get(pk, []) if action.pk in seen]
        summary.alerts = _alerts(summary.effective_actions, chosen[pk], not_problems)
        summaries.append(summary)
    return summaries


def _effective_actions(theme_ids) -> dict[int, list]:
    """Actions in these themes whose effectiveness check said "it worked". Callers keep only the
    actions among the viewer's visible items."""
    found: dict[int, list] = defaultdict(list)
    rows = (ThemeItem.objects.filter(theme_id__in=list(theme_ids), source=Source.ACTION, action__effect=Effect.WORKED)
            .select_related("action").order_by("action__checked_at", "action_id"))
    for item in rows:
        found[item.theme_id].append(item.action)
    return found


@dataclass(frozen=True)
class Alert:
    action: object
    effective_on: date
    since: int
    latest: date


# Items that answer a theme rather than raise it: the actions taken, the lessons written down and
# the questions asked of the knowledge base (someone looking for how it is done now).
_RESPONSES = {Source.ACTION, Source.LESSON, Source.QUESTION}


def _not_problems(rows: list[dict]) -> set[str]:
    """The retro cards among these rows written in a column for what went well or what to try next
    (one query, none without retro cards)."""
    return not_a_problem_cards({row["ref"] for row in rows if row["source"] == Source.RETRO_CARD})


def _raises_it_again(row: dict, action, not_problems: set[str]) -> bool:
    """Whether the item says the theme is a problem again where the action was found to work: in the
    action's own team (another team raising it is a cross-team theme, not a sign the fix did not
    hold; an organization-wide action, of no team, counts every team), and neither a response (an
    action, a lesson, a question) nor a card on what went well or what to try next."""
    if (action.team_id is not None and row["team_id"] != action.team_id) or row["source"] in _RESPONSES:
        return False
    return not (row["source"] == Source.RETRO_CARD and row["ref"] in not_problems)


def _occasion(row: dict):
    """The session or survey an item was raised in (an item of neither is its own occasion)."""
    return ("session", row["session_id"]) if row["session_id"] else (
        ("campaign", row["campaign_id"]) if row["campaign_id"] else ("item", row["key"]))


def _alerts(effective_actions: list, rows: list[dict], not_problems: set[str]) -> list[Alert]:
    """A theme that came back after an action on it was marked effective: items that raise it again
    in the action's team (_raises_it_again), dated after the day of the effectiveness check, in at
    least COMEBACK_OCCASIONS sessions or surveys (one stray card in a broad theme is not a comeback)."""
    alerts = []
    for action in effective_actions:
        checked = action.checked_at.date()
        later = [row for row in rows if row["on"] > checked and _raises_it_again(row, action, not_problems)]
        if len({_occasion(row) for row in later}) >= COMEBACK_OCCASIONS:
            dates = [row["on"] for row in later]
            alerts.append(Alert(action=action, effective_on=checked, since=len(dates), latest=max(dates)))
    return alerts


def recurrences(theme_ids) -> list[tuple[Theme, Alert]]:
    """Every live theme among these that came back after an action on it was marked effective,
    counted over all its items: for the organization's own outgoing events (the theme.recurred
    webhook, subscribed to by admins), not for a person's page. Three queries, none when no theme
    holds an effective action."""
    effective = _effective_actions(theme_ids)
    if not effective:
        return []
    rows_by_theme: dict[int, list[dict]] = defaultdict(list)
    live_items = ThemeItem.objects.filter(theme_id__in=list(effective), theme__retired_at__isnull=True)
    for row in live_items.values("theme_id", "source", "ref", "key", "team_id", "on", "session_id", "campaign_id"):
        rows_by_theme[row["theme_id"]].append(row)
    themes = Theme.objects.in_bulk(list(rows_by_theme))
    not_problems = _not_problems([row for rows in rows_by_theme.values() for row in rows])
    return [(themes[pk], alert) for pk, rows in sorted(rows_by_theme.items())
            for alert in _alerts(effective[pk], rows, not_problems)]


def recurrence_records(theme_ids) -> list[dict]:
    """recurrences() as plain values, for listeners outside this app (activity.signals)."""
    found = recurrences(theme_ids)
    sizes = Counter(ThemeItem.objects.filter(theme_id__in={theme.pk for theme, _ in found})
                    .values_list("theme_id", flat=True)) if found else Counter()
    return [{"theme_id": theme.pk, "title": theme.title, "items": sizes[theme.pk], "action_id": alert.action.pk,
             "effective_on": alert.effective_on, "items_since": alert.since, "latest": alert.latest}
            for theme, alert in found]


def theme_for(viewer, theme_id: int) -> Theme | None:
    """The theme if the viewer sees any of its items (a merged theme: the one it went into)."""
    theme = Theme.objects.filter(pk=theme_id).first()
    if theme is None:
        return None
    if theme.merged_into_id:
        return theme_for(viewer, theme.merged_into_id) if theme.merged_into_id != theme.pk else None
    if theme.retired_at is not None or not _visible_items(viewer).filter(theme=theme).exists():
        return None
    return theme


def theme_detail(viewer, theme: Theme, *, today: date) -> ThemeSummary:
    """A theme with the viewer's visible items (text, source, team, date and a link; a card's
    session, never its writer), ordered by date, source and text: never by when rows were written."""
    items = list(_visible_items(viewer).filter(theme=theme).select_related("team", "session", "action", "entry")
                 .order_by("-on", "source", "text", "key"))
    rows = [{name: getattr(item, name) for name in _ROW_FIELDS} for item in items]
    team_names = dict(Team.objects.values_list("pk", "name"))
    summary = _summarise(theme, rows, team_names, today, _latest_campaign_id())
    visible_actions = {item.action_id for item in items if item.action_id}
    summary.effective_actions = [action for action in _effective_actions([theme.pk]).get(theme.pk, [])
                                 if action.pk in visible_actions]
    not_problems = _not_problems(rows) if summary.effective_actions else set()
    summary.alerts = _alerts(summary.effective_actions, rows, not_problems)
    summary.items = items
    return summary


def mergeable_themes(viewer, theme: Theme) -> list[Theme]:
    """Other live themes with at least two visible items, to merge into this one (by title)."""
    counts = Counter(_visible_items(viewer).exclude(theme=theme).values_list("theme_id", flat=True))
    ids = [pk for pk, count in counts.items() if count >= MIN_RECURRING]
    return sorted(Theme.objects.filter(pk__in=ids), key=lambda other: (other.title.lower(), other.pk))


def week_themes(viewer, *, today: date, days: int = 7, limit: int = 5) -> list[ThemeSummary]:
    """For the weekly digest: themes with a visible item in the last `days` days that were seen
    before them too (recurring), most new items first; themes that came back after an action was
    marked effective come first of all."""
    start = today - timedelta(days=days)
    chosen = []
    for summary in themes_for(viewer, today=today):
        summary.this_week = sum(1 for day in summary.dates if start < day <= today)
        if summary.this_week and summary.first_seen <= start:
            chosen.append(summary)
    chosen.sort(key=lambda summary: (not summary.alerts, -summary.this_week, summary.theme.pk))
    return chosen[:limit]


def corrections(limit: int | None = None) -> list:
    """Every correction, newest first, with its themes and people (for learning leads and admins:
    they see every item, so every theme's title is theirs to read). One query."""
    from learnloop.insights.themes_models import ThemeCorrection

    found = ThemeCorrection.objects.select_related("theme", "other", "by", "undone_by").order_by("-created_at", "-id")
    return list(found[:limit] if limit else found)


def correction_summary(correction) -> str:
    """What the correction did, in a sentence."""
    theme = correction.theme.title
    other = correction.other.title if correction.other is not None else gettext("a theme since deleted")
    if correction.kind == "rename":
        return gettext("Named “%(name)s” (the theme about %(about)s)") % {
            "name": correction.name, "about": correction.theme.label or gettext("these items")}
    if correction.kind == "merge":
        return gettext("Merged “%(other)s” (%(count)s items) into “%(theme)s”") % {
            "other": other, "count": len(correction.other_items), "theme": theme}
    return gettext("Split %(count)s items of “%(other)s” into a new theme “%(theme)s”") % {
        "count": len(correction.items), "other": other, "theme": theme}
