"""Organization, department and team dashboards: metric cards, the learning-health index with
its components, charts (drawn by static/insights/dashboard_charts.js) with a data table each,
and a CSV export of every chart. Parse (PeriodForm), ask insights.dashboard_data, render."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from learnloop.insights import dashboard_access, dashboard_data, metrics
from learnloop.insights.dashboard_forms import PeriodForm
from learnloop.web.tables import safe_cell


def _scope(request, slug: str | None):
    return dashboard_access.scope_for_viewer(request.user, slug)


@login_required
def dashboard_index(request):
    teams = dashboard_access.visible_teams(request.user, metrics.all_teams())
    return render(request, "insights/dashboard_index.html", {
        "organization": dashboard_access.can_see_organization(request.user),
        "departments": [team for team in teams if team.kind == "department"],
        "teams": [team for team in teams if team.kind != "department"],
    })


@login_required
def dashboard_page(request, slug: str | None = None):
    scope, teams = _scope(request, slug)
    form = PeriodForm(request.GET or None)
    since, until = form.period()
    data = dashboard_data.dashboard(viewer=request.user, scope=scope, teams=teams, since=since, until=until)
    return render(request, "insights/dashboard.html", {
        "scope": scope, "form": form, "since": since, "until": until, **data,
        "chart_data": dashboard_data.chart_data_for_script(data["charts"]),
        "query": request.GET.urlencode(),
    })


@login_required
def dashboard_csv(request, chart: str, slug: str | None = None):
    if chart not in dashboard_data.CHART_IDS:
        raise Http404("No such chart.")
    scope, teams = _scope(request, slug)
    since, until = PeriodForm(request.GET or None).period()
    data = dashboard_data.dashboard(viewer=request.user, scope=scope, teams=teams, since=since, until=until)
    found = next((item for item in data["charts"] if item["id"] == chart), None)
    if found is None:
        raise Http404("This dashboard has no such chart.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = scope.team.slug if scope.team is not None else "organization"
    response["Content-Disposition"] = f'attachment; filename="{name}-{chart}-{since}-{until}.csv"'
    writer = csv.writer(response)
    writer.writerow(found["columns"])
    for row in found["rows"]:
        writer.writerow([safe_cell(value) for value in row])  # a team named "=…" stays text
    return response
