"""Bound key results read their value from the metrics catalogue, never from a formula of
their own: learnloop.insights.metrics gathers a scope's facts and learnloop.analytics.
learning_metrics defines each metric once (docs/metrics.md). This module only picks the value
(and, for survey scale scores, one released dimension) out of the catalogue's report and adds a
95% Wilson interval for rates.

A key result's value is shown to everyone who reads the goals, so survey scale scores are read
as any reader may see them — through the disclosure gate as a signed-in person with no team and
no lead role sees the latest closed campaign (the organization's released group only) — and
only when that group reached the organization's anonymity threshold. A team's or department's
scores are never read for a key result, whoever owns it. Theme recurrence likewise counts only
the theme items every reader may open (lessons and questions shared with everyone,
organization-wide survey comments), never a team's retro cards or actions, whoever owns the
objective: the same reading for everyone, and nothing a reader's own permissions would hide."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser

from learnloop.analytics import key_results
from learnloop.analytics import learning_metrics as catalogue
from learnloop.insights import metrics as insight_metrics
from learnloop.insights.themes_permissions import EVERYONE

# Metrics a key result may be bound to: the whole catalogue (the list and the rest).
BINDABLE = tuple(metric.key for metric in catalogue.CATALOGUE)
MAX_WINDOW_DAYS = 366


@dataclass(frozen=True)
class Reading:
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    n: int | None = None
    low: float | None = None
    high: float | None = None
    reason: str = ""


def window(today: date, days: int) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


SURVEY_SCOPE_REASON = ("A key result is shown to everyone who reads the goals, so it uses only the survey "
                       "results every reader may see: the organization's released scores.")


def survey_reading(public_view, key_result, *, threshold: int) -> Reading:
    """One dimension's released score for the organization, as any reader may see it."""
    if key_result.scope_team_id is not None:
        return Reading(None, reason=SURVEY_SCOPE_REASON)
    scores = public_view.scores(None)
    if not scores["dimensions"]:
        return Reading(None, reason=scores["reason"] or "No released survey results.")
    if scores["size"] is None or scores["size"] < threshold:
        return Reading(None, reason=f"Fewer than {threshold} responses (the organization's anonymity threshold).")
    for score in scores["dimensions"]:
        if score["key"] == key_result.dimension:
            return Reading(score["mean"], n=scores["size"])
    return Reading(None, reason=f"No released score for “{key_result.dimension}”.")


def reading_from_report(report: dict, metric_key: str, dimension: str = "") -> Reading:
    entry = next(item for item in report["metrics"] if item["key"] == metric_key)
    if metric_key == "survey_scale_scores":
        for score in entry["value"] or ():
            if score["key"] == dimension:
                return Reading(score["mean"], n=entry["n"])
        return Reading(None, reason=entry["missing_reason"] or f"No released score for “{dimension}”.")
    interval = None
    if catalogue.BY_KEY[metric_key].unit == "share" and entry["denominator"]:
        interval = key_results.wilson_interval(entry["numerator"], entry["denominator"])
    return Reading(entry["value"], entry["numerator"], entry["denominator"], entry["n"],
                   *(interval or (None, None)), reason=entry["missing_reason"])


def read_many(key_results_list, *, today: date) -> dict[int, Reading]:
    """Each bound key result's reading; one catalogue report per (scope, window), read as any
    reader may see it."""
    teams = insight_metrics.all_teams()
    by_id = {team.pk: team for team in teams}
    reports: dict[tuple, dict] = {}
    readings = {}
    public_view = None
    for key_result in key_results_list:
        if public_view is None:
            public_view = insight_metrics.survey_view(AnonymousUser())
            threshold = insight_metrics.threshold()
        if key_result.metric_key == "survey_scale_scores":
            readings[key_result.pk] = survey_reading(public_view, key_result, threshold=threshold)
            continue
        team = by_id.get(key_result.scope_team_id)
        if key_result.scope_team_id is not None and team is None:
            readings[key_result.pk] = Reading(None, reason="The key result's team is archived.")
            continue
        since, until = window(today, key_result.window_days)
        cache_key = (key_result.scope_team_id, since)
        if cache_key not in reports:
            # Theme recurrence counts only the theme items every reader may open (EVERYONE).
            reports[cache_key] = insight_metrics.metrics_report(
                viewer=EVERYONE, scope=insight_metrics.scope_for(team, teams), since=since, until=until, today=today,
                survey=public_view)
        readings[key_result.pk] = reading_from_report(reports[cache_key], key_result.metric_key, key_result.dimension)
    return readings
