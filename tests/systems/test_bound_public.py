"""Diagram variables bound to survey scale scores (as released, read as every reader sees them)
and to the theme recurrence rate (over the theme items everyone may see): numbers built by hand,
and a suppressed group never shows, whoever owns the diagram or reads it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learnloop.analytics.learning_metrics import month_periods
from learnloop.insights.themes_models import Theme, ThemeItem
from learnloop.org.models import Organization
from learnloop.surveys.disclosure_gate import ORGANIZATION, GroupKey
from learnloop.surveys.reports import CampaignReport
from learnloop.systems import diagram_services as services
from learnloop.systems.bound_public import SURVEY
from learnloop.systems.diagram_bindings import bound_series, correlations
from tests.conftest import signed_in_client
from tests.surveys.conftest import run_campaign, survey_org  # noqa: F401 (survey_org is a fixture)

SAFETY = {"metric": SURVEY, "scale": "pulse/safety"}
CONTENT = {"variables": [{"name": "Safety"}, {"name": "Recurrence"}, {"name": "Payout items"}],
           "links": [{"source": "Safety", "target": "Recurrence", "polarity": "-"}]}


def _diagram(by, team, binding=SAFETY):
    diagram = services.create_diagram(by=by, title="Why it comes back", team=team, content=CONTENT)
    services.bind_variable(by=by, diagram=diagram, name="Safety", binding=binding)
    diagram.refresh_from_db()
    return diagram


def _scores(report, key):
    group = report.group(key)
    return None if group is None else next(score.mean for score in group.scores if score.key == "safety")


def test_a_survey_scale_reads_the_organizations_released_score_never_a_teams(survey_org):  # noqa: F811
    campaign = run_campaign(survey_org, levels={"Payments": 1, "Search": 5})
    teams = survey_org.teams
    admin_view = CampaignReport(campaign, survey_org.admin)
    organization = _scores(admin_view, GroupKey(ORGANIZATION))
    payments = _scores(admin_view, GroupKey(str(teams["Payments"].pk)))
    assert _scores(admin_view, GroupKey(str(teams["Search"].pk))) is None  # suppressed: 2 responses
    assert payments is not None and payments != organization
    today = timezone.localdate()

    # A Payments diagram, read by its facilitator who may see Payments' released group: still the
    # organization's score, in the month the campaign closed, nothing in the other months.
    lead = survey_org.people["Payments"][0]
    diagram = _diagram(survey_org.admin, teams["Payments"])
    _months, (series,) = bound_series(lead, diagram, today=today)
    assert series.visible and series.values[-1] == organization and series.values[:-1] == [None] * 11
    assert "pulse" in series.binding["scale"] and "safety" in series.label and "organization" in series.label
    # A reader from another department sees the same, since it is what every reader may see.
    reader = survey_org.people["Sales"][0]
    assert bound_series(reader, diagram, today=today)[1][0].values == series.values
    page = signed_in_client(lead).get(reverse("systems:diagram", args=[diagram.pk])).content.decode()
    table = page.split('id="bound-table"')[1].split("</table>")[0]
    assert f"{organization:.2f}" in table and f"{payments:.2f}" not in table

    # Raised above the organization group's size, the organization's threshold hides it too.
    Organization.objects.update(anonymity_threshold=22)
    assert bound_series(lead, diagram, today=today)[1][0].values == [None] * 12


def test_an_unreleased_campaign_never_shows(survey_org):  # noqa: F811
    run_campaign(survey_org, close=False)
    diagram = _diagram(survey_org.admin, None)
    _months, (series,) = bound_series(survey_org.admin, diagram, today=timezone.localdate())
    assert series.values == [None] * 12


def test_survey_bindings_are_checked(survey_org):  # noqa: F811
    diagram = _diagram(survey_org.admin, None)
    for wrong in ({"metric": SURVEY}, {"metric": SURVEY, "scale": "pulse/nope"},
                  {"metric": SURVEY, "scale": "pulse/safety", "theme": 1},
                  {"metric": "completion_rate", "scale": "pulse/safety"}):
        with pytest.raises(ValidationError):
            services.bind_variable(by=survey_org.admin, diagram=diagram, name="Safety", binding=wrong)
    client = signed_in_client(survey_org.admin)
    url = reverse("systems:diagram_change", args=[diagram.pk, "bind"])
    answer = client.post(url, {"name": "Recurrence", "metric": SURVEY})
    assert answer.status_code == 400 and "Choose the survey scale" in answer.content.decode()
    assert client.post(url, {"name": "Recurrence", "metric": SURVEY, "scale": "pulse/time"}).status_code == 302
    client.post(url, {"name": "Safety", "metric": ""})  # unbinding
    diagram.refresh_from_db()
    bindings = {item["name"]: item.get("binding") for item in diagram.content["variables"]}
    assert bindings["Recurrence"] == {"metric": SURVEY, "scale": "pulse/time"} and bindings["Safety"] is None


def _item(theme, source, on, team=None, number=[0]):  # noqa: B006 (a counter for unique keys)
    number[0] += 1
    return ThemeItem.objects.create(theme=theme, source=source, ref=str(number[0]), key=f"{source}:s{number[0]}",
                                    text="t", team=team, on=on)


def test_the_recurrence_rate_counts_only_what_everyone_may_see(people):
    today = timezone.localdate()
    periods = month_periods(today, 12)
    this_month, two_ago = periods[-1][0], periods[-3][0]
    a, b, hidden = (Theme.objects.create(label=name) for name in ("a", "b", "hidden"))
    _item(a, "survey_comment", two_ago)
    _item(a, "survey_comment", this_month)  # a: seen before -> recurring
    _item(b, "survey_comment", this_month)  # b: new
    _item(hidden, "action", two_ago, people.team)  # an action's items: for its team only
    _item(hidden, "action", this_month, people.team)
    diagram = _diagram(people.lead, None, {"metric": "theme_recurrence_rate"})
    services.bind_variable(by=people.lead, diagram=diagram, name="Payout items",
                           binding={"metric": "theme_items", "theme": a.pk})
    diagram.refresh_from_db()
    _months, series = bound_series(people.lead, diagram, today=today)
    rate = series[0]
    # Counting the hidden theme would give 2/3 this month; everyone sees a and b: 1 of 2 recurred.
    assert rate.values[-1] == pytest.approx(1 / 2) and rate.values[-3] == 0.0
    assert [value for value in rate.values[:-3] + rate.values[-2:-1]] == [None] * 10
    assert "everyone may see" in rate.label and rate.direction == "rising"
    # Someone of another team, who may not open the organization's dashboard, sees the rate too.
    outsider_series = bound_series(people.outsider, diagram, today=today)[1]
    assert outsider_series[0].visible and outsider_series[0].values == rate.values
    assert not outsider_series[1].visible
    # And the rate is correlated with the other bound variables like any other.
    rows = correlations(series)
    assert [(row["first"], row["second"]) for row in rows] == [("Safety", "Payout items")]
    assert rows[0]["n"] == 2


def test_a_date_in_another_year_is_not_in_the_series(people):
    theme = Theme.objects.create(label="old")
    _item(theme, "survey_comment", date(2000, 1, 1))
    diagram = _diagram(people.lead, None, {"metric": "theme_recurrence_rate"})
    assert bound_series(people.lead, diagram, today=timezone.localdate())[1][0].values == [None] * 12
