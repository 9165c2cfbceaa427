"""Ratings, evidence, suggestions, and who sees whose profile (selectors, pages and the API)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from learnloop.actions import services as actions
from learnloop.growth import selectors, services
from learnloop.growth.models import Rating, SuggestionDecision
from learnloop.knowledge import services as knowledge
from tests import factories
from tests.conftest import signed_in_client


def _lessons(person, n, tags=("incident",)):
    return [knowledge.create_entry(by=person, kind="lesson", title=f"Lesson {i}", body="What we learned.",
                                   tags=list(tags)) for i in range(n)]


def test_evidence_ties_entries_by_tag_and_alias_and_actions_by_title(ana, ben, incident, testing):
    entries = _lessons(ana, 2)
    knowledge.create_entry(by=ana, kind="playbook", title="Pager rota", body="b", skills=["On-call"])
    knowledge.record_application(by=ben, entry=entries[0], context="Tuesday's outage")
    action = actions.create_action(by=ana, title="Write the incident checklist")
    actions.complete_action(by=ana, action=action, effect="worked")
    found = selectors.evidence_for(ana, viewer=ana, active_skills=[incident, testing])
    kinds = sorted(item.kind for item in found[incident.pk])
    assert kinds == ["action closed and effective", "authored lesson", "authored lesson", "authored playbook",
                     "reused by others (1×)"]
    assert testing.pk not in found


def test_suggestion_is_offered_then_accepted_never_silently(ana, incident):
    _lessons(ana, 4)
    profile = selectors.profile(viewer=ana, person_id=ana.pk)
    assert [s["skill"] for s in profile.suggestions] == [incident]
    assert "4 authored lesson" in profile.suggestions[0]["text"]
    assert not Rating.objects.exists()  # nothing was added by itself
    services.answer_suggestion(by=ana, skill=incident, accept=True, level=3)
    rating = Rating.objects.get()
    assert (rating.person, rating.role, rating.level) == (ana, "self", 3)
    assert selectors.profile(viewer=ana, person_id=ana.pk).suggestions == []


def test_dismissed_suggestion_stays_dismissed(ana, incident):
    _lessons(ana, 3)
    services.answer_suggestion(by=ana, skill=incident, accept=False)
    assert SuggestionDecision.objects.get().status == "dismissed"
    _lessons(ana, 3)
    assert selectors.profile(viewer=ana, person_id=ana.pk).suggestions == []


def test_effective_level_prefers_manager_then_self_then_peer(ana, ben, lead, incident):
    services.set_sharing(by=ana, person=ana, shared=True)
    services.rate(by=ben, person=ana, skill=incident, level=1)
    assert selectors.effective_levels([ana.pk])[(ana.pk, incident.pk)] == 1
    services.rate(by=ana, person=ana, skill=incident, level=4, note="Led two incidents")
    assert selectors.effective_levels([ana.pk])[(ana.pk, incident.pk)] == 4
    rating = services.rate(by=lead, person=ana, skill=incident, level=3)
    assert rating.role == "manager"
    assert selectors.effective_levels([ana.pk])[(ana.pk, incident.pk)] == 3


def test_visibility_in_selectors(ana, ben, lead, outsider, learning_lead, incident):
    services.rate(by=ana, person=ana, skill=incident, level=3)
    assert selectors.profile(viewer=ana, person_id=ana.pk).rows
    assert selectors.profile(viewer=lead, person_id=ana.pk).rows  # leads see their team members
    assert selectors.profile(viewer=learning_lead, person_id=ana.pk).rows
    from django.http import Http404
    for viewer in (ben, outsider):  # a teammate is a peer: only what ana shares
        with pytest.raises(Http404):
            selectors.profile(viewer=viewer, person_id=ana.pk)
    with pytest.raises(PermissionDenied):
        services.rate(by=outsider, person=ana, skill=incident, level=5)
    services.set_sharing(by=ana, person=ana, shared=True)
    assert selectors.profile(viewer=outsider, person_id=ana.pk).rows
    assert not selectors.profile(viewer=outsider, person_id=ana.pk).can_see_plans
    assert selectors.profile(viewer=outsider, person_id=ana.pk).suggestions == []
    with pytest.raises(PermissionDenied):
        services.rate(by=outsider, person=ana, skill=incident, level=5, role="manager")
    assert {p.pk for p in selectors.people_visible(viewer=outsider)} == {outsider.pk, ana.pk}


def test_visibility_through_the_web_and_the_api(ana, ben, lead, outsider, incident, api_as):
    services.rate(by=ana, person=ana, skill=incident, level=3, note="private-ish note")
    plan = services.create_plan(by=ana, person=ana, title="Ana's secret plan")
    for viewer, sees in ((ana, True), (lead, True), (ben, False), (outsider, False)):
        page = signed_in_client(viewer).get(reverse("growth:profile", args=[ana.pk]))
        assert page.status_code == (200 if sees else 404)
        answer = api_as(viewer).get(f"/api/v1/growth/people/{ana.pk}/profile")
        assert answer.status_code == (200 if sees else 404)
        if sees:
            assert answer.json()["skills"][0]["ratings"]
        plan_answer = api_as(viewer).get(f"/api/v1/growth/plans/{plan.pk}")
        assert plan_answer.status_code == (200 if sees else 404)
        listed = api_as(viewer).get("/api/v1/growth/plans").json()["items"]
        assert (plan.pk in [p["id"] for p in listed]) == sees
        rated = api_as(viewer).post(f"/api/v1/growth/people/{ana.pk}/ratings", {"skill_id": incident.pk, "level": 5},
                                    content_type="application/json")
        assert rated.status_code == (201 if sees else 404)
    # sharing opens ratings to peers, never plans
    services.set_sharing(by=ana, person=ana, shared=True)
    assert api_as(outsider).get(f"/api/v1/growth/people/{ana.pk}/profile").status_code == 200
    assert api_as(outsider).get(f"/api/v1/growth/plans/{plan.pk}").status_code == 404
    assert signed_in_client(outsider).get(reverse("growth:plan", args=[plan.pk])).status_code == 404


def test_rate_form_errors_are_shown_not_500(ana, incident):
    client = signed_in_client(ana)
    page = client.post(reverse("growth:rate", args=[ana.pk]), {"skill": incident.pk, "level": 9})
    assert page.status_code == 200
    assert "Pick a level from 1 to 5" in page.content.decode()
    page = client.post(reverse("growth:rate", args=[ana.pk]), {"skill": "x", "level": "high"})
    assert page.status_code == 200
    response = client.post(reverse("growth:rate", args=[ana.pk]), {"skill": incident.pk, "level": 4})
    assert response.status_code == 302
    assert Rating.objects.get().level == 4


def test_peer_cannot_rate_as_manager_through_the_api(ana, ben, incident, api_as):
    services.set_sharing(by=ana, person=ana, shared=True)
    answer = api_as(ben).post(f"/api/v1/growth/people/{ana.pk}/ratings",
                              {"skill_id": incident.pk, "level": 5, "role": "manager"},
                              content_type="application/json")
    assert answer.status_code == 403
    answer = api_as(ben).post(f"/api/v1/growth/people/{ana.pk}/ratings", {"skill_id": incident.pk, "level": 2},
                              content_type="application/json")
    assert answer.status_code == 201 and answer.json()["role"] == "peer"
    assert factories  # builders imported for fixtures
