"""Mentor matching rounds: offers and requests, a round solved with the CLI's score (plus the
documented preferences), both sides' answers, permissions and visibility."""

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from learnloop.analytics.mentor_matching import problem_from_data, solve
from learnloop.growth import mailing, matching_selectors, matching_services, services
from learnloop.growth.matching_models import Answer, MatchProposal, OpenStatus, ProposalStatus
from learnloop.growth.models import MentoringPair, PairStatus
from tests import factories


@pytest.fixture
def mentor(team, incident, testing):
    person = factories.person(email="maya.mentor@example.org", full_name="Maya Mentor")
    factories.membership(person, team)
    services.rate(by=person, person=person, skill=incident, level=5)
    services.rate(by=person, person=person, skill=testing, level=2)
    return person


def _offer(person, skills, capacity=1):
    return matching_services.offer_mentoring(by=person, skills=skills, capacity=capacity)


def _ask(person, wanted, **preferences):
    return matching_services.request_mentoring(by=person, wanted=wanted, **preferences)


def test_a_round_proposes_the_optimal_pairs_with_the_cli_score(learning_lead, mentor, ana, ben, outsider,
                                                              incident, testing):
    services.rate(by=outsider, person=outsider, skill=testing, level=4)
    _offer(mentor, [incident, testing], capacity=1)
    _offer(outsider, [testing], capacity=1)
    _ask(ana, [(incident, 4), (testing, 4)])
    _ask(ben, [(testing, 4)])
    matching_round = matching_services.run_round(by=learning_lead)
    got = {(p.mentor, p.mentee): p.score for p in matching_round.proposals.all()}
    # Maya for Ana scores 1 + 0.5 = 1.5 and Otto for Ben 1.0: total 2.5 (Maya for Ben and Otto
    # for Ana would give 0.5 + 1.0 = 1.5).
    assert got == {(mentor, ana): 1.5, (outsider, ben): 1.0}
    assert matching_round.total_score == 2.5
    # The same people as a CLI document give the same score.
    document = {"mentors": [{"id": "maya", "capacity": 1, "skills": {"incident": 5, "testing": 2}},
                            {"id": "otto", "capacity": 1, "skills": {"testing": 4}}],
                "mentees": [{"id": "ana", "wants": {"incident": 4, "testing": 4}},
                            {"id": "ben", "wants": {"testing": 4}}]}
    assert solve(problem_from_data(json.loads(json.dumps(document)))).total_score == 2.5
    proposal = matching_round.proposals.get(mentee=ana)
    assert proposal.explanation == ("matches 2 of 2 wanted skills (1 at or above the target level): "
                                    "Incident response, Automated testing")


def test_a_pair_starts_only_when_both_accept(learning_lead, mentor, ana, incident):
    _offer(mentor, [incident])
    request = _ask(ana, [(incident, 3)])
    proposal = matching_services.run_round(by=learning_lead).proposals.get()
    matching_services.answer_proposal(by=ana, proposal=proposal, accept=True)
    assert not MentoringPair.objects.exists()
    proposal = matching_services.answer_proposal(by=mentor, proposal=proposal, accept=True)
    pair = MentoringPair.objects.get()
    assert (pair.mentor, pair.mentee, pair.status) == (mentor, ana, PairStatus.ACTIVE)
    assert proposal.status == ProposalStatus.PAIRED and proposal.pair == pair
    request.refresh_from_db()
    assert request.status == OpenStatus.MATCHED
    with pytest.raises(ValidationError):
        matching_services.answer_proposal(by=ana, proposal=proposal, accept=False)


def test_a_decline_returns_both_to_the_pool_and_is_not_proposed_again(learning_lead, mentor, ana, ben, incident):
    _offer(mentor, [incident])
    _ask(ana, [(incident, 5)])
    proposal = matching_services.run_round(by=learning_lead).proposals.get()
    assert proposal.mentee == ana
    with pytest.raises(ValidationError):  # Ana waits on a proposal, Maya has no room left
        matching_services.run_round(by=learning_lead)
    matching_services.answer_proposal(by=mentor, proposal=proposal, accept=False)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.mentor_answer, proposal.mentee_answer) == (
        ProposalStatus.DECLINED, Answer.DECLINED, Answer.PENDING)
    offers, _, requests = matching_services.pool()
    assert [o.person for o in offers] == [mentor] and [r.person for r in requests] == [ana]
    _ask(ben, [(incident, 5)])
    again = matching_services.run_round(by=learning_lead).proposals.get()
    assert (again.mentor, again.mentee) == (mentor, ben)  # not Ana again: that pair was declined


def test_only_the_people_themselves_answer(learning_lead, mentor, ana, ben, incident):
    _offer(mentor, [incident])
    _ask(ana, [(incident, 3)])
    proposal = matching_services.run_round(by=learning_lead).proposals.get()
    for someone_else in (ben, learning_lead):
        with pytest.raises(PermissionDenied):
            matching_services.answer_proposal(by=someone_else, proposal=proposal, accept=True)
    with pytest.raises(Http404):
        matching_selectors.proposal_for(viewer=ben, proposal_id=proposal.pk)
    assert MatchProposal.objects.get().mentee_answer == Answer.PENDING


def test_only_learning_leads_and_admins_run_or_close_a_round(lead, mentor, ana, admin, incident):
    _offer(mentor, [incident])
    _ask(ana, [(incident, 3)])
    for person in (lead, mentor, ana):
        with pytest.raises(PermissionDenied):
            matching_services.run_round(by=person)
    matching_round = matching_services.run_round(by=admin)
    with pytest.raises(PermissionDenied):
        matching_services.close_round(by=lead, matching_round=matching_round)
    matching_services.close_round(by=admin, matching_round=matching_round)
    assert matching_round.proposals.get().status == ProposalStatus.EXPIRED


def test_manager_is_never_proposed_when_the_mentee_says_so(learning_lead, lead, team, ana, incident):
    services.rate(by=lead, person=lead, skill=incident, level=5)
    _offer(lead, [incident])
    _ask(ana, [(incident, 4)], not_my_manager=True)
    assert matching_services.run_round(by=learning_lead).proposals.count() == 0
    _ask(ana, [(incident, 4)], not_my_manager=False)
    assert matching_services.run_round(by=learning_lead).proposals.get().mentor == lead


def test_prefer_another_team_outweighs_a_small_skill_difference(learning_lead, mentor, outsider, ana, incident):
    services.rate(by=outsider, person=outsider, skill=incident, level=4)
    _offer(mentor, [incident])  # Ana's team, level 5: score 1.0
    _offer(outsider, [incident])  # another team, level 4: score 0.8 (+ 0.25 bonus)
    _ask(ana, [(incident, 5)], prefer_other_team=False)
    first = matching_services.run_round(by=learning_lead).proposals.get()
    assert first.mentor == mentor
    matching_services.answer_proposal(by=ana, proposal=first, accept=False)
    MatchProposal.objects.all().delete()  # forget the decline: same pool, other preference
    _ask(ana, [(incident, 5)], prefer_other_team=True)
    second = matching_services.run_round(by=learning_lead).proposals.get()
    assert (second.mentor, second.score, second.cross_team) == (outsider, 0.8, True)
    assert second.explanation.endswith("; cross-team")


def test_the_bonus_alone_never_makes_a_pair(learning_lead, outsider, ana, incident, testing):
    services.rate(by=outsider, person=outsider, skill=testing, level=4)
    _offer(outsider, [testing])
    _ask(ana, [(incident, 3)], prefer_other_team=True)
    assert matching_services.run_round(by=learning_lead).proposals.count() == 0


def test_offers_need_rated_skills_and_sane_capacity(ana, incident):
    with pytest.raises(ValidationError, match="Rate yourself"):
        _offer(ana, [incident])
    services.rate(by=ana, person=ana, skill=incident, level=3)
    with pytest.raises(ValidationError):
        _offer(ana, [incident], capacity=0)
    first = _offer(ana, [incident], capacity=2)
    second = _offer(ana, [incident], capacity=3)
    first.refresh_from_db()
    assert (first.status, second.status) == (OpenStatus.WITHDRAWN, OpenStatus.OPEN)


def test_requests_refuse_bad_targets(ana, incident):
    with pytest.raises(ValidationError):
        _ask(ana, [(incident, 6)])
    with pytest.raises(ValidationError):
        _ask(ana, [])
    with pytest.raises(ValidationError):
        _ask(ana, [(incident, 2), (incident, 3)])


def test_requests_follow_profile_visibility(lead, ana, ben, outsider, learning_lead, incident, api_as):
    request = _ask(ana, [(incident, 3)])
    for viewer in (ana, lead, learning_lead):
        assert list(matching_selectors.requests_visible(viewer=viewer)) == [request]
    for viewer in (ben, outsider):
        assert list(matching_selectors.requests_visible(viewer=viewer)) == []
    assert api_as(outsider).get("/api/v1/growth/mentoring/requests").json()["items"] == []
    services.set_sharing(by=ana, person=ana, shared=True)
    assert list(matching_selectors.requests_visible(viewer=outsider)) == [request]
    assert [r["id"] for r in api_as(outsider).get("/api/v1/growth/mentoring/requests").json()["items"]] == [request.pk]


def test_both_people_are_emailed_once(learning_lead, mentor, ana, incident, settings):
    _offer(mentor, [incident])
    _ask(ana, [(incident, 3)])
    proposal = matching_services.run_round(by=learning_lead).proposals.get()
    assert mailing.deliver_proposal(proposal.pk) == 2
    assert mailing.deliver_proposal(proposal.pk) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "maya.mentor@example.org"]
    assert "you mentor Ana Analyst" in next(m.body for m in mail.outbox if m.to == ["maya.mentor@example.org"])


def test_api_round_and_answers(learning_lead, mentor, ana, ben, incident, api_as):
    lead_api, ana_api, mentor_api = api_as(learning_lead), api_as(ana), api_as(mentor)
    offered = mentor_api.post("/api/v1/growth/mentoring/offers", {"skill_ids": [incident.pk], "capacity": 2},
                              content_type="application/json")
    assert offered.status_code == 201, offered.content
    asked = ana_api.post("/api/v1/growth/mentoring/requests",
                         {"wanted": [{"skill_id": incident.pk, "target_level": 4}], "prefer_other_team": True},
                         content_type="application/json")
    assert asked.status_code == 201, asked.content
    assert api_as(ben).post("/api/v1/growth/mentoring/rounds").status_code == 403
    ran = lead_api.post("/api/v1/growth/mentoring/rounds")
    assert ran.status_code == 201, ran.content
    (proposal,) = ran.json()["proposals"]
    assert (proposal["mentor_id"], proposal["mentee_id"], proposal["score"]) == (mentor.pk, ana.pk, 1.0)
    url = f"/api/v1/growth/mentoring/proposals/{proposal['id']}/answer"
    assert api_as(ben).post(url, {"accept": True}, content_type="application/json").status_code == 404
    assert lead_api.post(url, {"accept": True}, content_type="application/json").status_code == 403
    assert ana_api.post(url, {"accept": True, "why": "x"}, content_type="application/json").status_code == 400
    assert ana_api.post(url, {"accept": True}, content_type="application/json").json()["status"] == "proposed"
    done = mentor_api.post(url, {"accept": True}, content_type="application/json").json()
    assert done["status"] == "paired" and done["pair_id"] == MentoringPair.objects.get().pk
    assert [p["id"] for p in ana_api.get("/api/v1/growth/mentoring/proposals").json()["items"]] == [proposal["id"]]


def test_changing_a_request_expires_its_proposal_but_changing_an_offer_keeps_it(learning_lead, mentor, ana,
                                                                               incident, testing):
    _offer(mentor, [incident])
    _ask(ana, [(incident, 3)])
    proposal = matching_services.run_round(by=learning_lead).proposals.get()
    new_offer = _offer(mentor, [incident, testing], capacity=2)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.offer) == (ProposalStatus.PROPOSED, new_offer)
    _ask(ana, [(testing, 2)])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXPIRED
    with pytest.raises(ValidationError):
        matching_services.answer_proposal(by=ana, proposal=proposal, accept=True)


def test_availability_keeps_an_offer_or_a_request_out_of_rounds_before_its_day(learning_lead, mentor, ana, ben,
                                                                               incident, api_as):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    matching_services.offer_mentoring(by=mentor, skills=[incident], capacity=2,
                                      available_from=today + timedelta(days=10))
    _ask(ana, [(incident, 4)])
    with pytest.raises(ValidationError, match="Nothing to match"):
        matching_services.run_round(by=learning_lead)  # the only mentor is away until then
    later = timezone.now() + timedelta(days=10)
    assert [p.mentee for p in matching_services.run_round(by=learning_lead, at=later, notify=False)
            .proposals.all()] == [ana]
    # A request can wait too; a day in the past means now, more than a year ahead is refused.
    waiting = matching_services.request_mentoring(by=ben, wanted=[(incident, 3)],
                                                  available_from=today + timedelta(days=30))
    assert waiting.available_from == today + timedelta(days=30)
    assert waiting not in matching_services.pool(on=today + timedelta(days=29))[2]
    assert waiting in matching_services.pool(on=today + timedelta(days=30))[2]
    assert matching_services.request_mentoring(by=ben, wanted=[(incident, 3)],
                                               available_from=today - timedelta(days=3)).available_from is None
    with pytest.raises(ValidationError, match="within the next year"):
        matching_services.request_mentoring(by=ben, wanted=[(incident, 3)], available_from=today + timedelta(days=400))
    answer = api_as(ben).post("/api/v1/growth/mentoring/requests", {
        "wanted": [{"skill_id": incident.pk, "target_level": 3}], "available_from": str(today + timedelta(days=5))},
        content_type="application/json")
    assert answer.status_code == 201 and answer.json()["available_from"] == str(today + timedelta(days=5))
