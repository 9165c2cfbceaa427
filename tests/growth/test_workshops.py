"""Workshops: planning, places and the waiting list, attendance, evidence on profiles, and who
may do what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from learnloop.growth import selectors, workshop_selectors, workshops
from learnloop.growth.models import SignupStatus, WorkshopSignup
from tests.growth.workshop_helpers import held, people, upcoming


def _statuses(workshop):
    return {s.person.full_name: s.status for s in WorkshopSignup.objects.filter(workshop=workshop)
            .select_related("person")}


def test_full_workshop_puts_people_on_a_waiting_list_in_order(team, lead):
    first, second, third, fourth = people(team, 4)
    workshop = upcoming(lead, capacity=2)
    for person in (first, second, third, fourth):
        workshops.sign_up(by=person, workshop=workshop)
    assert _statuses(workshop) == {"Attendee 00": "confirmed", "Attendee 01": "confirmed",
                                   "Attendee 02": "waitlisted", "Attendee 03": "waitlisted"}
    assert workshop_selectors.workshop_page(viewer=fourth, workshop_id=workshop.pk).waiting_position == 2
    workshops.cancel_signup(by=first, workshop=workshop)  # the first in the queue takes the place
    assert _statuses(workshop)["Attendee 02"] == "confirmed"
    assert _statuses(workshop)["Attendee 03"] == "waitlisted"
    workshops.sign_up(by=first, workshop=workshop)  # back, but at the end of the queue
    assert _statuses(workshop)["Attendee 00"] == "waitlisted"
    workshops.update_workshop(by=lead, workshop=workshop, capacity=4)  # more room lets the queue in
    assert set(_statuses(workshop).values()) == {"confirmed"}
    workshops.update_workshop(by=lead, workshop=workshop, capacity=1)  # less room takes no place away
    assert set(_statuses(workshop).values()) == {"confirmed"}
    extra = people(team, 1, prefix="late")[0]
    assert workshops.sign_up(by=extra, workshop=workshop).status == SignupStatus.WAITLISTED


def test_signing_up_twice_changes_nothing_and_hosts_cannot_sign_up(team, lead, ana):
    workshop = upcoming(lead)
    one = workshops.sign_up(by=ana, workshop=workshop)
    assert workshops.sign_up(by=ana, workshop=workshop).pk == one.pk
    with pytest.raises(ValidationError, match="You host"):
        workshops.sign_up(by=lead, workshop=workshop)


def test_sign_ups_close_when_it_starts_and_attendance_opens(team, lead, ana, ben):
    workshop = held(lead, attendees=[ana], absent=[ben])
    with pytest.raises(ValidationError, match="started"):
        workshops.sign_up(by=people(team, 1)[0], workshop=workshop)
    with pytest.raises(ValidationError, match="started"):
        workshops.cancel_signup(by=ben, workshop=workshop)
    assert {s.person_id: s.attended for s in WorkshopSignup.objects.filter(workshop=workshop)} == {
        ana.pk: True, ben.pk: False}
    future = upcoming(lead)
    workshops.sign_up(by=ana, workshop=future)
    with pytest.raises(ValidationError, match="once the workshop has started"):
        workshops.record_attendance(by=lead, workshop=future, attended_ids=[ana.pk])


def test_attendance_only_for_people_signed_up_and_only_by_hosts(team, lead, ana, ben, outsider, learning_lead):
    workshop = held(lead, attendees=[ana])
    with pytest.raises(ValidationError, match="signed up"):
        workshops.record_attendance(by=lead, workshop=workshop, attended_ids=[ana.pk, outsider.pk])
    with pytest.raises(PermissionDenied):
        workshops.record_attendance(by=ana, workshop=workshop, attended_ids=[ana.pk])
    assert workshops.record_attendance(by=learning_lead, workshop=workshop, attended_ids=[]) == 0


def test_planning_rules(team, lead, ana, outsider, learning_lead, incident):
    starts = timezone.now() + timedelta(days=3)
    plan = {"title": "Incident drills", "starts_at": starts, "ends_at": starts + timedelta(hours=1),
            "capacity": 8, "place": "Room 1"}
    with pytest.raises(ValidationError, match="future"):
        workshops.create_workshop(by=lead, **{**plan, "starts_at": timezone.now() - timedelta(hours=1)})
    with pytest.raises(ValidationError, match="end after"):
        workshops.create_workshop(by=lead, **{**plan, "ends_at": starts})
    with pytest.raises(ValidationError, match="place, a link"):
        workshops.create_workshop(by=lead, **{**plan, "place": ""})
    with pytest.raises(ValidationError, match="places"):
        workshops.create_workshop(by=lead, **{**plan, "capacity": 0})
    with pytest.raises(ValidationError, match="https://"):
        workshops.create_workshop(by=lead, **{**plan, "link": "javascript:alert(1)"})
    with pytest.raises(PermissionDenied):
        workshops.create_workshop(by=outsider, team=team, **plan)
    with pytest.raises(ValidationError, match="yourself"):
        workshops.create_workshop(by=ana, hosts=[lead], **plan)
    made = workshops.create_workshop(by=learning_lead, hosts=[lead], skills=[incident], team=team, **plan)
    assert [h.pk for h in made.hosts.all()] == [lead.pk] and [s.pk for s in made.skills.all()] == [incident.pk]
    with pytest.raises(PermissionDenied):
        workshops.update_workshop(by=ana, workshop=made, title="Mine now")


def test_team_workshops_are_for_the_team(team, lead, ana, outsider):
    workshop = upcoming(lead, team=team)
    with pytest.raises(Http404):
        workshop_selectors.workshop_page(viewer=outsider, workshop_id=workshop.pk)
    with pytest.raises(PermissionDenied):
        workshops.sign_up(by=outsider, workshop=workshop)
    assert workshop.pk not in [w.pk for w in workshop_selectors.workshops(viewer=outsider)]
    assert workshop.pk in [w.pk for w in workshop_selectors.workshops(viewer=ana)]
    org_wide = upcoming(lead, title="Open to all")
    workshops.sign_up(by=outsider, workshop=org_wide)


def test_attending_is_evidence_for_the_linked_skills(team, lead, ana, ben, incident, testing):
    workshop = held(lead, attendees=[ana], absent=[ben], skills=[incident], title="Pager drills")
    services_profile = selectors.profile(viewer=ana, person_id=ana.pk)
    suggestion_evidence = {s["skill"].name: [i.kind for i in s["evidence"]] for s in services_profile.suggestions}
    found = selectors.evidence_for(ana, viewer=ana, active_skills=[incident, testing])
    assert [(i.kind, i.title, i.url) for i in found[incident.pk]] == [
        ("workshop attended", "Pager drills", f"/growth/workshops/{workshop.pk}/")]
    assert testing.pk not in found
    assert selectors.evidence_for(ben, viewer=ben, active_skills=[incident]) == {}  # signed up, didn't come
    hosted = selectors.evidence_for(lead, viewer=ana, active_skills=[incident])
    assert [i.kind for i in hosted[incident.pk]] == ["workshop hosted"]
    assert suggestion_evidence == {}  # one piece of evidence is not yet a suggestion


def test_team_workshop_evidence_is_shown_to_others_only_when_org_wide(team, lead, ana, incident):
    held(lead, attendees=[ana], skills=[incident], team=team)
    assert selectors.evidence_for(ana, viewer=ana, active_skills=[incident])
    assert selectors.evidence_for(ana, viewer=lead, active_skills=[incident]) == {}
