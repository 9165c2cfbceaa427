"""Mentor matching, ending a pair and editing a skill on the pages."""

from django.urls import reverse

from learnloop.growth import matching_services, services
from learnloop.growth.matching_models import MatchingRound, MenteeRequest, MentorOffer
from learnloop.growth.models import MentoringPair, PairStatus, SkillEvent
from tests.conftest import signed_in_client


def test_offer_request_and_a_member_cannot_run_a_round(ana, ben, incident):
    services.rate(by=ana, person=ana, skill=incident, level=4)
    ana_client = signed_in_client(ana)
    assert ana_client.get(reverse("growth:matching")).status_code == 200
    response = ana_client.post(reverse("growth:offer"), {"skills": [incident.pk], "capacity": "2"})
    assert response.status_code == 302
    assert MentorOffer.objects.get().capacity == 2
    refused = signed_in_client(ben).post(reverse("growth:ask"), {"skill_1": incident.pk, "target_1": "9"})
    assert refused.status_code == 200 and "Pick a target level from 1 to 5" in refused.content.decode()
    signed_in_client(ben).post(reverse("growth:ask"), {"skill_1": incident.pk, "target_1": "4",
                                                       "not_my_manager": "on"})
    assert MenteeRequest.objects.get().person == ben
    denied = ana_client.post(reverse("growth:run_round"))
    assert denied.status_code == 200 and "Only learning leads and admins run" in denied.content.decode()
    assert not MatchingRound.objects.exists()


def test_round_page_is_for_learning_leads(learning_lead, ana, ben, incident):
    services.rate(by=ana, person=ana, skill=incident, level=4)
    matching_services.offer_mentoring(by=ana, skills=[incident], capacity=1)
    matching_services.request_mentoring(by=ben, wanted=[(incident, 4)])
    response = signed_in_client(learning_lead).post(reverse("growth:run_round"))
    matching_round = MatchingRound.objects.get()
    assert response.url == reverse("growth:round", args=[matching_round.pk])
    page = signed_in_client(learning_lead).get(response.url).content.decode()
    assert "matches 1 of 1 wanted skill" in page
    assert signed_in_client(ana).get(response.url).status_code == 404


def test_the_pair_or_a_learning_lead_ends_a_pair_on_the_page(learning_lead, ana, ben, outsider):
    pair = services.start_pair(by=ben, mentor=ana, mentee=ben)
    assert signed_in_client(outsider).post(reverse("growth:end_pair", args=[pair.pk])).status_code == 404
    page = signed_in_client(ben).get(reverse("growth:pair", args=[pair.pk])).content.decode()
    assert "End this mentoring pair" in page
    response = signed_in_client(ben).post(reverse("growth:end_pair", args=[pair.pk]))
    assert response.url == reverse("growth:pair", args=[pair.pk])
    assert MentoringPair.objects.get().status == PairStatus.ENDED
    other = services.start_pair(by=learning_lead, mentor=ben, mentee=ana)
    assert signed_in_client(learning_lead).post(reverse("growth:end_pair", args=[other.pk])).url == reverse(
        "growth:pairs")
    other.refresh_from_db()
    assert other.status == PairStatus.ENDED


def test_edit_a_skills_name_and_levels_keeps_history(learning_lead, ana, incident):
    services.rate(by=ana, person=ana, skill=incident, level=4)
    client = signed_in_client(learning_lead)
    assert "Edit name and level descriptors" in client.get(reverse("growth:skill", args=[incident.pk])).content.decode()
    url = reverse("growth:skill_change", args=[incident.pk, "edit"])
    data = {"name": "Incident command", "category": incident.category_id, "description": "",
            "aliases": "incident, on-call", "level_descriptors": "Aware\nHelps\nLeads"}
    refused = client.post(url, data)  # Ana is rated 4: the scale can't shrink to 3 levels
    assert refused.status_code == 200 and "Level 4 is in use" in refused.content.decode()
    data["level_descriptors"] = "Aware\nHelps\nLeads\nCommands\nTeaches\nShapes"
    assert client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.name == "Incident command" and incident.max_level == 6
    event = SkillEvent.objects.filter(skill=incident).last()
    assert event.verb == "changed" and event.by == learning_lead
    assert event.detail == "name (was Incident response), level descriptors (5 → 6 levels)"
    refused = signed_in_client(ana).post(url, {**data, "name": "X"})  # a member is refused on the form
    assert refused.status_code == 200 and "Only learning leads" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.name == "Incident command"


def test_nobody_answers_a_proposal_for_someone_else_on_the_page(learning_lead, ana, ben, outsider, incident):
    services.rate(by=ana, person=ana, skill=incident, level=4)
    matching_services.offer_mentoring(by=ana, skills=[incident], capacity=1)
    matching_services.request_mentoring(by=ben, wanted=[(incident, 4)])
    proposal = matching_services.run_round(by=learning_lead).proposals.get()
    url = reverse("growth:answer", args=[proposal.pk])
    assert signed_in_client(outsider).post(url, {"answer": "accept"}).status_code == 404
    refused = signed_in_client(learning_lead).post(url, {"answer": "accept"})
    assert refused.status_code == 200 and "answer for themselves" in refused.content.decode()
    proposal.refresh_from_db()
    assert (proposal.mentor_answer, proposal.mentee_answer) == ("pending", "pending")
    signed_in_client(ben).post(url, {"answer": "decline"})
    proposal.refresh_from_db()
    assert (proposal.mentee_answer, proposal.status) == ("declined", "declined")
