"""The silo and bridge report (team × team heat map, drawn by static/network/flow_matrix.js, with
the same figures in a table) and a person's own view. Parse the period, ask services, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from learnloop.network import services
from learnloop.network.forms import NetworkPeriodForm


@login_required
def report(request):
    form = NetworkPeriodForm(request.GET or None)
    since, until = form.period()
    found = services.team_report(request.user, since, until)
    trend = {"x": [f"{row['start']:%d %b %Y}" for row in found.trend], "ties": [row["ties"] for row in found.trend],
             "share": [None if row["cross_team_share"] is None else round(100 * row["cross_team_share"], 1)
                       for row in found.trend]}
    silos = {silo["team"] for silo in found.silos}
    chart = {"teams": [team["name"] for team in found.teams], "matrix": found.matrix, "people": found.people_map,
             "trend": trend, "members": [team["members"] for team in found.teams],
             "silo": [team["name"] in silos for team in found.teams]}
    rows = [{"name": team["name"], "cells": found.matrix[index]} for index, team in enumerate(found.teams)]
    return render(request, "network/report.html", {"form": form, "report": found, "chart": chart, "rows": rows})


@login_required
def me(request):
    form = NetworkPeriodForm(request.GET or None)
    since, until = form.period()
    view = services.person_view(request.user, request.user, since, until)
    return render(request, "network/me.html", {"form": form, "view": view})
