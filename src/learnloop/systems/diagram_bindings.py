"""Variables bound to what the platform measures, and their recent monthly values.

A binding is {"metric": KEY} for a metric of the catalogue (analytics.learning_metrics, read for
the diagram's scope through insights.metrics, the same definitions the dashboards and strategy
use), {"metric": "theme_items", "theme": ID}: how many items of a recurring theme came up each
month, {"metric": "survey_scale_scores", "scale": "INSTRUMENT/SCALE"}: one scale's released score
(survey_series), or {"metric": "theme_recurrence_rate"} (recurrence_series). Values are per
calendar month, the last SERIES_MONTHS months. The scope is the diagram's team (and every team
below it) or the whole organization.

A viewer sees a bound variable's values only when they may open that scope's dashboard
(insights.dashboard_access), and a theme's counts only over the theme items they may see. Survey
scores and the recurrence rate are computed as every reader may see them, so they are shown to
whoever may open the diagram (see bound_public.py).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models.functions import TruncMonth
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from learnloop.analytics import learning_metrics as catalogue
from learnloop.analytics.systems.correlation import pearson
from learnloop.insights import metrics as insight_metrics
from learnloop.insights.dashboard_access import can_see_organization, can_see_scope
from learnloop.insights.metric_texts import metric_name
from learnloop.insights.themes_models import Theme, ThemeItem
from learnloop.insights.themes_permissions import visible_items_q
from learnloop.systems import bound_public
from learnloop.systems.bound_public import RECURRENCE, SURVEY

SERIES_MONTHS = 12
THEME_ITEMS = "theme_items"
# Computed per month by learning_metrics.loop_metrics (survey scale scores come per campaign and
# the recurrence rate from the theme items, both read in bound_public).
METRIC_KEYS = tuple(metric.key for metric in catalogue.CATALOGUE if metric.key not in (SURVEY, RECURRENCE))
CHOICES = [(key, lazy(metric_name, str)(key)) for key in METRIC_KEYS] + [
    (THEME_ITEMS, gettext_lazy("Recurring theme: items a month")),
    (RECURRENCE, gettext_lazy("Theme recurrence rate (items everyone may see)")),
    (SURVEY, gettext_lazy("Survey scale score, as released (choose the scale)"))]
ALL_KEYS = (*METRIC_KEYS, THEME_ITEMS, RECURRENCE, SURVEY)


def clean_binding(binding, name: str, *, field: str = "content"):
    """None, {"metric": KEY}, {"metric": "theme_items", "theme": ID} or {"metric":
    "survey_scale_scores", "scale": "INSTRUMENT/SCALE"}; a ValidationError otherwise."""
    if binding in (None, {}, ""):
        return None
    if not isinstance(binding, dict) or set(binding) - {"metric", "theme", "scale"}:
        raise ValidationError({field: f"The binding of “{name}” is {{\"metric\": KEY}} "
                                      "(and \"theme\" for theme items, \"scale\" for a survey scale)."})
    key = binding.get("metric")
    if key != SURVEY and "scale" in binding:
        raise ValidationError({field: f"Only a survey binding names a scale (“{name}”)."})
    if key == SURVEY:
        if "theme" in binding:
            raise ValidationError({field: f"Only a theme-items binding names a theme (“{name}”)."})
        scale = binding.get("scale")
        if not isinstance(scale, str) or not bound_public.scale_exists(scale):
            raise ValidationError({field: f"“{name}” is bound to a survey scale: name one as INSTRUMENT/SCALE "
                                          "(e.g. from Surveys → Instruments)."})
        return {"metric": SURVEY, "scale": scale}
    if key == THEME_ITEMS:
        theme = binding.get("theme")
        if isinstance(theme, str) and theme.isdigit():
            theme = int(theme)
        if isinstance(theme, bool) or not isinstance(theme, int) or not Theme.objects.filter(pk=theme).exists():
            raise ValidationError({field: f"“{name}” is bound to theme items: name an existing theme by its id."})
        return {"metric": THEME_ITEMS, "theme": theme}
    if key not in METRIC_KEYS and key != RECURRENCE:
        raise ValidationError({field: f"Unknown metric {str(key)[:60]!r} for “{name}”; one of: "
                                      f"{', '.join(ALL_KEYS)}."})
    if "theme" in binding:
        raise ValidationError({field: f"Only a theme-items binding names a theme (“{name}”)."})
    return {"metric": key}


@dataclass
class BoundSeries:
    variable: str
    binding: dict
    label: str
    unit: str
    visible: bool
    values: list = field(default_factory=list)  # one per month, None when missing
    note: str = ""

    @property
    def latest(self):
        present = [value for value in self.values if value is not None]
        return present[-1] if present else None

    @property
    def direction(self) -> str:
        present = [value for value in self.values if value is not None]
        if len(present) < 2:
            return gettext("not enough values")
        half = len(present) // 2
        before, after = sum(present[:half]) / half, sum(present[half:]) / (len(present) - half)
        if after > before:
            return gettext("rising")
        return gettext("falling") if after < before else gettext("flat")

    def as_dict(self) -> dict:
        return {"variable": self.variable, "binding": self.binding, "label": self.label, "unit": self.unit,
                "visible": self.visible, "values": self.values if self.visible else [], "note": self.note}


def _may_see(viewer, team) -> bool:
    return can_see_organization(viewer) if team is None else can_see_scope(viewer, team)


def bound_series(viewer, diagram, *, today) -> tuple[list[str], list[BoundSeries]]:
    """(month labels, the bound variables' series), in a fixed number of queries."""
    periods = catalogue.month_periods(today, SERIES_MONTHS)
    months = [first.strftime("%Y-%m") for first, _ in periods]
    bound = [(item["name"], item["binding"]) for item in diagram.content.get("variables", []) if item.get("binding")]
    if not bound:
        return months, []
    visible = _may_see(viewer, diagram.team)
    scope = insight_metrics.scope_for(diagram.team) if visible else None
    metric_values = {}
    if visible and any(binding["metric"] in METRIC_KEYS for _, binding in bound):
        facts = insight_metrics.merged(insight_metrics.gather_facts(scope.team_ids, since=periods[0][0]),
                                       scope.team_ids)
        for first, last in periods:
            for key, value in catalogue.loop_metrics(facts, since=first, until=last, today=today).items():
                metric_values.setdefault(key, []).append(value.value)
    theme_counts = {}
    theme_ids = {binding["theme"] for _, binding in bound if binding["metric"] == THEME_ITEMS}
    theme_names = {}
    if theme_ids:
        theme_names = {theme.pk: theme.title for theme in Theme.objects.filter(pk__in=theme_ids)}
    if visible and theme_ids:
        items = ThemeItem.objects.filter(visible_items_q(viewer), theme_id__in=theme_ids, on__gte=periods[0][0],
                                         on__lte=today)
        if diagram.team is not None:
            items = items.filter(team_id__in=scope.team_ids)
        counted = Counter((theme_id, month.strftime("%Y-%m")) for theme_id, month in (
            items.annotate(month=TruncMonth("on")).values_list("theme_id", "month")))
        theme_counts = {theme_id: [counted.get((theme_id, month), 0) for month in months] for theme_id in theme_ids}
    scales = {binding["scale"] for _, binding in bound if binding["metric"] == SURVEY}
    survey = bound_public.survey_series(scales, periods) if scales else {}
    recurrence = (bound_public.recurrence_series(diagram.team, periods)
                  if any(binding["metric"] == RECURRENCE for _, binding in bound) else [])
    series = []
    for name, binding in bound:
        if binding["metric"] == SURVEY:
            label, values, note = survey.get(binding["scale"], (binding["scale"], [None] * len(periods), ""))
            series.append(BoundSeries(name, binding, label, "score", True, list(values), note))
            continue
        if binding["metric"] == RECURRENCE:
            metric = catalogue.BY_KEY[RECURRENCE]
            label = gettext("%(metric)s (items everyone may see)") % {"metric": metric_name(RECURRENCE)}
            series.append(BoundSeries(name, binding, label, metric.unit, True,
                                      list(recurrence), str(bound_public.RECURRENCE_NOTE)))
            continue
        if binding["metric"] == THEME_ITEMS:
            label = gettext("Items of the theme “%(theme)s” a month") % {
                "theme": theme_names.get(binding["theme"], binding["theme"])}
            values, unit = theme_counts.get(binding["theme"], []), "count"
        else:
            metric = catalogue.BY_KEY[binding["metric"]]
            label, unit, values = metric_name(metric.key), metric.unit, metric_values.get(binding["metric"], [])
        note = "" if visible else gettext("Only those who may open this scope's dashboard see its figures.")
        series.append(BoundSeries(name, binding, label, unit, visible, list(values), note))
    return months, series


def correlations(series: list[BoundSeries]) -> list[dict]:
    """Pearson r with a 95% Fisher z interval for every pair of visible bound variables."""
    shown = [item for item in series if item.visible and item.values]
    rows = []
    for index, first in enumerate(shown):
        for second in shown[index + 1:]:
            result = pearson(first.values, second.values)
            rows.append({"first": first.variable, "second": second.variable, **result.as_dict()})
    return rows
