"""Re-measure → check: a later campaign's released figures become proposed evidence on the focus
area's action, and a team the disclosure decision withheld gets nothing at all."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnloop.actions import services as actions
from learnloop.actions.models import EvidenceProposal, Status
from learnloop.activity.models import ActivityEvent
from learnloop.surveys import release, services
from learnloop.surveys.disclosure_gate import GroupKey
from learnloop.surveys.models import FocusArea, Remeasure
from learnloop.surveys.reports import CampaignReport
from tests.conftest import signed_in_client
from tests.factories import token_client
from tests.surveys.conftest import run_campaign

LEVELS = {"Payments": 2, "Platform": 4, "Sales": 4, "Search": 3}


def _focus(org, campaign, *, owner=None, team="Payments"):
    return services.choose_focus_area(by=org.lead if team == "Payments" else org.admin, campaign=campaign,
                                      team=org.teams[team], dimension_key="time", owner=owner or org.lead)


def _released_mean(campaign, team, viewer, key="time"):
    group = CampaignReport(campaign, viewer).group(GroupKey(str(team.pk)))
    return {score.key: score.mean for score in group.scores}[key]


def test_a_focus_area_needs_an_owner_who_sees_the_teams_results(survey_org):
    campaign = run_campaign(survey_org, slug="learning-organization", levels=LEVELS)
    payments = survey_org.teams["Payments"]
    with pytest.raises(ValidationError) as missing:
        services.choose_focus_area(by=survey_org.lead, campaign=campaign, team=payments, dimension_key="time",
                                   owner=None)
    assert "owner" in missing.value.message_dict
    outsider = survey_org.people["Sales"][2]
    with pytest.raises(ValidationError) as foreign:
        services.choose_focus_area(by=survey_org.lead, campaign=campaign, team=payments, dimension_key="time",
                                   owner=outsider)
    assert "owner" in foreign.value.message_dict and not FocusArea.objects.exists()
    member = survey_org.people["Payments"][3]
    focus = _focus(survey_org, campaign, owner=member)
    assert focus.owner == member and focus.action.owner == member


def test_the_next_campaign_proposes_before_and_after_to_the_focus_action(survey_org):
    first = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 1", levels=LEVELS)
    focus = _focus(survey_org, first)
    second = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 2",
                          levels={**LEVELS, "Payments": 4}, seed=2)
    payments = survey_org.teams["Payments"]
    before = _released_mean(first, payments, survey_org.admin)
    after = _released_mean(second, payments, survey_org.admin)
    assert after > before  # the data were built so: Payments answered higher the second time

    remeasure = Remeasure.objects.get(focus_area=focus)
    assert (remeasure.campaign, remeasure.before, remeasure.after) == (second, pytest.approx(before),
                                                                       pytest.approx(after))
    proposal = EvidenceProposal.objects.get(action=focus.action)
    assert proposal.figures["before"] == pytest.approx(before, abs=1e-4)
    assert proposal.figures["after"] == pytest.approx(after, abs=1e-4)
    assert f"{before:.2f}" in proposal.text and f"{after:.2f}" in proposal.text and "Diagnostic 2" in proposal.text
    assert proposal.accepted_at is None and focus.action.status == Status.OPEN  # proposed, not decided

    # Deciding again (a worker that crashed after publishing) proposes nothing new.
    release.decide_and_publish(second.pk)
    assert EvidenceProposal.objects.filter(action=focus.action).count() == 1 and Remeasure.objects.count() == 1

    done = actions.accept_evidence(by=survey_org.lead, proposal=proposal, effect="worked")
    assert done.status == Status.DONE and done.effect == "worked" and proposal.text in done.evidence
    with pytest.raises(ValidationError):
        actions.accept_evidence(by=survey_org.lead, proposal=proposal, effect="worked")


def test_a_withheld_team_gets_nothing_and_nothing_about_it_is_written(survey_org):
    first = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 1", levels=LEVELS)
    focus = _focus(survey_org, first)
    events_before = ActivityEvent.objects.count()
    # Only two of Payments answer the second time: the disclosure decision withholds the team.
    responders = [person for team, people in survey_org.people.items() for person in people
                  if team != "Payments"] + survey_org.people["Payments"][:2]
    second = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 2", responders=responders,
                          levels={**LEVELS, "Payments": 5}, seed=3)
    assert not second.release[str(survey_org.teams["Payments"].pk)]["released"]

    assert not Remeasure.objects.exists() and not EvidenceProposal.objects.exists()
    new_events = ActivityEvent.objects.filter(pk__gt=0).order_by("pk")[events_before:]
    assert not [event for event in new_events if "evidence" in event.verb]
    lead = token_client(survey_org.lead)
    listed = lead.get(f"/api/v1/actions/{focus.action_id}/evidence-proposals")
    assert listed.status_code == 200 and listed.json()["items"] == []
    trends = lead.get("/api/v1/surveys/trends", {"team": str(survey_org.teams["Payments"].pk)}).json()
    assert [area["remeasures"] for area in trends["focus_areas"]] == [[]]
    page = signed_in_client(survey_org.lead).get(f"/actions/{focus.action_id}/").content.decode()
    assert "Proposed evidence" not in page and "Diagnostic 2" not in page


def test_a_team_withheld_when_the_focus_was_chosen_gets_nothing_later(survey_org):
    # Search (2 people) is never shown on its own; an admin may still make it a focus area.
    first = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 1", levels=LEVELS)
    search = survey_org.teams["Search"]
    focus = services.choose_focus_area(by=survey_org.admin, campaign=first, team=search, dimension_key="time",
                                       owner=survey_org.people["Search"][0])
    run_campaign(survey_org, slug="learning-organization", name="Diagnostic 2", levels=LEVELS, seed=4)
    assert not Remeasure.objects.filter(focus_area=focus).exists()
    assert not EvidenceProposal.objects.filter(action=focus.action).exists()


def test_proposals_through_the_api_and_who_may_accept_them(survey_org):
    first = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 1", levels=LEVELS)
    payments = survey_org.teams["Payments"].pk
    lead = token_client(survey_org.lead)
    url = f"/api/v1/surveys/campaigns/{first.pk}/focus-areas"
    body = {"team": payments, "dimension": "time"}
    missing = lead.post(url, json.dumps(body), content_type="application/json")
    assert missing.status_code == 422 and "owner" in missing.content.decode()
    unknown = lead.post(url, json.dumps({**body, "owner": 999999}), content_type="application/json")
    assert unknown.status_code == 400 and "owner" in unknown.json()["errors"]
    outsider = survey_org.people["Sales"][0].pk
    foreign = lead.post(url, json.dumps({**body, "owner": outsider}), content_type="application/json")
    assert foreign.status_code == 400 and "owner" in foreign.json()["errors"]
    created = lead.post(url, json.dumps({**body, "owner": survey_org.lead.pk}), content_type="application/json")
    assert created.status_code == 201 and created.json()["owner"] == survey_org.lead.pk
    action_id = created.json()["action"]
    run_campaign(survey_org, slug="learning-organization", name="Diagnostic 2", levels={**LEVELS, "Payments": 4},
                 seed=2)

    proposals = lead.get(f"/api/v1/actions/{action_id}/evidence-proposals").json()["items"]
    assert len(proposals) == 1 and proposals[0]["source"]["type"] == "surveys.remeasure"
    assert proposals[0]["figures"]["after"] > proposals[0]["figures"]["before"]
    trends = lead.get("/api/v1/surveys/trends", {"team": str(payments)}).json()
    remeasure = trends["focus_areas"][0]["remeasures"][0]
    assert remeasure["campaign_name"] == "Diagnostic 2" and remeasure["after"] > remeasure["before"]

    accept = f"/api/v1/actions/{action_id}/evidence-proposals/{proposals[0]['id']}/accept"
    other_team = token_client(survey_org.people["Sales"][0])
    assert other_team.get(f"/api/v1/actions/{action_id}/evidence-proposals").status_code == 404
    assert other_team.post(accept, json.dumps({"effect": "worked"}),
                           content_type="application/json").status_code == 404
    teammate = token_client(survey_org.people["Payments"][2])  # sees the action, may not change it
    assert teammate.post(accept, json.dumps({"effect": "worked"}), content_type="application/json").status_code == 403
    bad = lead.post(accept, json.dumps({"effect": "maybe"}), content_type="application/json")
    assert bad.status_code in (400, 422)
    done = lead.post(accept, json.dumps({"effect": "worked"}), content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["effect"] == "worked"
    assert lead.get(f"/api/v1/actions/{action_id}/evidence-proposals").json()["items"][0]["accepted_by"]["id"] == \
        survey_org.lead.pk


def test_the_owner_accepts_the_proposal_on_the_action_page(survey_org):
    first = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 1", levels=LEVELS)
    focus = _focus(survey_org, first)
    run_campaign(survey_org, slug="learning-organization", name="Diagnostic 2", levels={**LEVELS, "Payments": 4},
                 seed=2)
    client = signed_in_client(survey_org.lead)
    page = client.get(f"/actions/{focus.action_id}/").content.decode()
    assert "Proposed evidence" in page and "Diagnostic 2" in page and "Accept as evidence" in page
    proposal = EvidenceProposal.objects.get(action=focus.action)
    refused = client.post(f"/actions/{focus.action_id}/evidence/{proposal.pk}/accept/", {})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    accepted = client.post(f"/actions/{focus.action_id}/evidence/{proposal.pk}/accept/", {"accept-effect": "worked"})
    assert accepted.status_code == 302
    focus.action.refresh_from_db()
    assert focus.action.status == Status.DONE and "Re-measured in Diagnostic 2" in focus.action.evidence
    trend = client.get(f"/surveys/trends/?team={survey_org.teams['Payments'].pk}").content.decode()
    assert "Diagnostic 2:" in trend and "→" in trend


def test_a_teammate_may_not_accept(survey_org):
    first = run_campaign(survey_org, slug="learning-organization", name="Diagnostic 1", levels=LEVELS)
    focus = _focus(survey_org, first)
    run_campaign(survey_org, slug="learning-organization", name="Diagnostic 2", levels=LEVELS, seed=2)
    proposal = EvidenceProposal.objects.get(action=focus.action)
    with pytest.raises(PermissionDenied):
        actions.accept_evidence(by=survey_org.people["Payments"][4], proposal=proposal, effect="worked")
