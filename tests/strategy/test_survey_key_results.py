"""A survey-score key result is read as any reader may see the survey: the organization's released
group, at the organization's threshold — never a team's or department's scores, whoever owns
the objective, so reading the goals can't reveal a group the gate keeps from the reader."""

from django.test import Client
from django.utils import timezone

from learnloop.org.models import Organization
from learnloop.strategy import services
from learnloop.surveys.disclosure_gate import ORGANIZATION, GroupKey
from learnloop.surveys.reports import CampaignReport
from tests.surveys.conftest import run_campaign, survey_org  # noqa: F401 (survey_org is a fixture)


def _bind(org, scope_team, objective):
    return services.add_key_result(by=org.admin, objective=objective, title="Safety", target=4,
                                   metric_key="survey_scale_scores", dimension="safety", scope_team=scope_team)


def test_a_reader_cannot_learn_a_groups_score_through_a_key_result(survey_org):  # noqa: F811
    campaign = run_campaign(survey_org, levels={"Payments": 1, "Search": 5})
    today = timezone.localdate()
    objective = services.create_objective(by=survey_org.admin, title="Safe to learn", starts_on=today,
                                          ends_on=today)
    teams = survey_org.teams
    admin_view = CampaignReport(campaign, survey_org.admin)
    payments_score = next(s.mean for s in admin_view.group(GroupKey(str(teams["Payments"].pk))).scores
                          if s.key == "safety")
    organization_score = next(s.mean for s in admin_view.group(GroupKey(ORGANIZATION)).scores if s.key == "safety")
    assert admin_view.group(GroupKey(str(teams["Search"].pk))) is None  # suppressed: 2 responses

    # The owner (an admin) may see Payments' released group, but the key result is read by everyone.
    by_scope = {name: _bind(survey_org, teams.get(name), objective).values.get()
                for name in ("Payments", "Search", "Engineering", None)}
    for name in ("Payments", "Search", "Engineering"):
        assert by_scope[name].value is None and "every reader may see" in by_scope[name].note, name
    assert by_scope[None].value == organization_score and by_scope[None].n == 21

    reader = survey_org.people["Sales"][0]
    client = Client()
    client.force_login(reader)
    rows = client.get("/api/v1/strategy/key-results").json()["items"]
    assert len(rows) == 4
    values = {row["scope_team_id"]: row["latest"]["value"] for row in rows}
    assert values == {teams["Payments"].pk: None, teams["Search"].pk: None, teams["Engineering"].pk: None,
                      None: organization_score}
    assert payments_score != organization_score

    # Raised above the organization group's size, the organization's threshold hides it too.
    Organization.objects.update(anonymity_threshold=22)
    key_result = _bind(survey_org, None, objective)
    assert key_result.values.get().value is None
    assert "Fewer than 22 responses" in key_result.values.get().note
