"""What a dashboard shows, as plain data: the metric cards, the health index and the charts.

Each chart is one dict that three readers share: the page's data table (columns + rows), the CSV
export (the same columns + rows) and dashboard_charts.js (which draws it with ECharts from the
page's json_script element). So a chart, its table and its CSV can never disagree.
"""

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from learnloop.analytics import learning_metrics as catalogue
from learnloop.insights import metric_texts, metrics, themes_metrics

CHART_IDS = ("loop-series", "funnel", "survey-heatmap", "theme-recurrence", "portfolio", "health")


def _percent(value):
    return None if value is None else round(100 * value, 1)


def _number(value, places=2):
    return None if value is None else round(value, places)


def loop_series_chart(series: dict) -> dict:
    rows = []
    for index, month in enumerate(series["months"]):
        rows.append([month] + [
            (_percent(item["values"][index]) if item["unit"] == "share" else _number(item["values"][index]))
            for item in series["series"]])
    columns = [gettext("Month")] + [f"{item['name']} ({'%' if item['unit'] == 'share' else _unit(item['unit'])})"
                                    for item in series["series"]]
    return {
        "id": "loop-series", "kind": "line", "title": gettext("The loop, month by month"),
        "axis_per_month": gettext("a month"),
        "description": gettext("Rates in percent on the left axis; sessions and experiments per month on the right. "
                               "The last month is counted so far, so it is partial."),
        "x": series["months"],
        "series": [{"name": columns[position + 1], "axis": 0 if item["unit"] == "share" else 1,
                    "values": [row[position + 1] for row in rows]}
                   for position, item in enumerate(series["series"])],
        "columns": columns, "rows": rows,
    }


def funnel_chart(stages: list[dict]) -> dict:
    stages = metric_texts.funnel_in_words(stages)
    return {
        "id": "funnel", "kind": "hbar", "title": gettext("From card to reused lesson"),
        "description": gettext("Cards written → actions raised → done → found effective → lessons kept → lessons "
                               "reused, in the period."),
        "x": [stage["label"] for stage in stages],
        "series": [{"name": gettext("Count"), "values": [stage["count"] for stage in stages]}],
        "columns": [gettext("Stage"), gettext("Count")], "rows": [[stage["label"], stage["count"]] for stage in stages],
    }


def heatmap_chart(heatmap: dict, node_ids: set[str] | None) -> dict:
    """Released groups only (the disclosure gate's heat map); withheld groups are named with
    their reason and never drawn."""
    dimensions = heatmap["dimensions"]
    rows_in = [row for row in heatmap["rows"] if node_ids is None or row["key"] in node_ids]
    cells, rows = [], []
    for y, row in enumerate(rows_in):
        table_row = [row["label"], row["size"]]
        for x, cell in enumerate(row["cells"]):
            mean = None if cell is None else round(cell["mean"], 2)
            table_row.append(mean)
            if mean is not None:
                cells.append([x, y, mean])
        rows.append(table_row)
    withheld = [item for item in heatmap["withheld"] if node_ids is None or item["key"] in node_ids]
    return {
        "id": "survey-heatmap", "kind": "heatmap", "title": gettext("Survey scales by group (released only)"),
        "description": gettext("Mean score per dimension in the latest closed campaign, for groups the disclosure "
                               "engine released."),
        "x": [dimension["name"] for dimension in dimensions], "y": [row["label"] for row in rows_in],
        "cells": cells,
        "columns": [gettext("Group"), gettext("Respondents")] + [dimension["name"] for dimension in dimensions],
        "rows": rows, "withheld": withheld,
    }


def portfolio_chart(portfolio: list[dict]) -> dict:
    labels = (("won", gettext("Won")), ("lost", gettext("Lost")), ("inconclusive", gettext("Inconclusive")),
              ("no_outcome", gettext("No outcome")))
    return {
        "id": "portfolio", "kind": "stacked", "title": gettext("Experiment portfolio over time"),
        "description": gettext("Experiments concluded each month by outcome (bars) and experiments running (line)."),
        "x": [row["month"] for row in portfolio],
        "series": [{"name": gettext("Concluded: %(outcome)s") % {"outcome": label},
                    "values": [row[key] for row in portfolio], "stack": "done"} for key, label in labels]
        + [{"name": gettext("Running"), "values": [row["running"] for row in portfolio], "line": True}],
        "columns": [gettext("Month"), gettext("Running")] + [gettext("Concluded: %(outcome)s") % {"outcome": label}
                                                             for _, label in labels],
        "rows": [[row["month"], row["running"]] + [row[key] for key, _ in labels] for row in portfolio],
    }


def theme_recurrence_chart(months: list[str], recurrences: list) -> dict:
    """Per month: themes that came up (split into those seen before and those new), and the
    catalogue's theme recurrence rate for that month."""
    rates = [_percent(catalogue.theme_recurrence_rate(item.active, item.recurring).value) for item in recurrences]
    returning = [item.recurring for item in recurrences]
    new = [item.active - item.recurring for item in recurrences]
    return {
        "id": "theme-recurrence", "kind": "stacked", "title": gettext("Themes coming back, month by month"),
        "description": gettext("Themes with an item you may see in each month: those that had come up before (bars, "
                               "dark) and those seen for the first time (bars, light), and the theme recurrence rate "
                               "(line, percent on the right axis)."),
        "x": months,
        "series": [{"name": gettext("Came up before"), "values": returning, "stack": "themes"},
                   {"name": gettext("First time"), "values": new, "stack": "themes"},
                   {"name": gettext("Recurrence rate (%)"), "values": rates, "line": True, "axis": 1}],
        "columns": [gettext("Month"), gettext("Themes"), gettext("Came up before"), gettext("First time"),
                    gettext("Recurrence rate (%)")],
        "rows": [[month, item.active, item.recurring, item.active - item.recurring, rate]
                 for month, item, rate in zip(months, recurrences, rates, strict=True)
                 ] if any(item.active for item in recurrences) else [],
    }


def health_chart(comparison: dict) -> dict:
    teams = comparison["teams"]
    return {
        "id": "health", "kind": "hbar", "title": gettext("Learning-health index by team"),
        "description": gettext("Teams with at least %(threshold)s members; an incomplete index is not drawn.") % {
            "threshold": comparison["threshold"]},
        "x": [row["name"] for row in teams],
        "series": [{"name": gettext("Index (0–100)"), "values": [_number(row["index"], 1) for row in teams]}],
        "columns": [gettext("Team"), gettext("Index (0–100)"), gettext("Status"), gettext("Data coverage (%)")],
        "rows": [[row["name"], _number(row["index"], 1), row["status"], _percent(row["coverage"])] for row in teams],
    }


def display(unit: str, value) -> str:
    """A metric's value as the page prints it; missing stays visibly missing."""
    if value is None:
        return gettext("missing")
    if unit == "share":
        return f"{number_format(round(100 * value, 1), 1)}%"
    if unit == "count":
        return str(int(value))
    if unit == "days":
        return ngettext("%(days)s day", "%(days)s days", 1 if value == 1 else 2) % {"days": number_format(f"{value:g}")}
    if unit == "per month":
        return gettext("%(count)s a month") % {"count": number_format(round(value, 2), 2)}
    return str(value)


def _unit(unit: str) -> str:
    """A catalogue unit as a column header says it."""
    return {"count": gettext("count"), "days": gettext("days"), "per month": gettext("per month"),
            "score": gettext("score")}.get(unit, unit)


def dashboard(*, viewer, scope: metrics.Scope, teams: list, since, until) -> dict:
    """Everything a dashboard page (or its CSV export) needs, in a fixed number of queries."""
    today = timezone.localdate()
    first_month = catalogue.month_periods(until, metrics.SERIES_MONTHS)[0][0]
    facts = metrics.gather_facts(scope.team_ids, since=min(since, first_month))
    survey = metrics.survey_view(viewer)
    report = metrics.metrics_report(viewer=viewer, scope=scope, since=since, until=until, today=today,
                                    survey=survey, facts=facts)
    scope_facts = report.pop("_facts")
    for entry in report["metrics"]:
        entry["display"] = (display(entry["unit"], entry["value"]) if entry["key"] != "survey_scale_scores"
                            else (ngettext("%(count)s dimension", "%(count)s dimensions", len(entry["value"])) % {
                                "count": len(entry["value"])} if entry["value"] else gettext("missing")))
    series = metrics.monthly_series(scope_facts, until=until, today=today)
    node_ids = None if scope.team is None else {str(team_id) for team_id in scope.team_ids}
    charts = [
        loop_series_chart(series),
        funnel_chart(catalogue.funnel(scope_facts, since=since, until=until)),
        heatmap_chart(survey.heatmap(), node_ids),
        theme_recurrence_chart(series["months"], themes_metrics.recurrence_by_period(
            scope.team, catalogue.month_periods(until, metrics.SERIES_MONTHS), viewer=viewer)),
        portfolio_chart(series["portfolio"]),
    ]
    comparison = None
    if scope.kind != metrics.TEAM:
        compared = [team for team in teams if team.kind == "team" and team.pk in set(scope.team_ids)]
        comparison = metrics.health_comparison(viewer=viewer, teams=compared, facts=facts, since=since, until=until,
                                               today=today, survey=survey)
        charts.append(health_chart(comparison))
    return {"report": report, "charts": charts, "comparison": comparison,
            "campaign": survey.campaign.name if survey.campaign is not None else None}


def chart_data_for_script(charts: list[dict]) -> list[dict]:
    """What dashboard_charts.js needs (the tables stay in the HTML)."""
    keep = ("id", "kind", "title", "x", "y", "series", "cells", "axis_per_month")
    return [{key: chart[key] for key in keep if key in chart} for chart in charts]
