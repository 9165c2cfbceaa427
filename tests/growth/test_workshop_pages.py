"""Workshop pages: plan and change one through the form, sign up and leave, record attendance,
give feedback; bad input comes back as a form error, never a 500."""

from datetime import timedelta

from django.utils import timezone

from learnloop.growth.models import SignupStatus, Workshop, WorkshopFeedback, WorkshopSignup
from tests.conftest import signed_in_client
from tests.growth.workshop_helpers import held, upcoming


def _when(days: float) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_plan_change_and_join_a_workshop_through_the_pages(team, lead, ana, incident):
    client = signed_in_client(lead)
    assert client.get("/growth/workshops/new").status_code == 200
    response = client.post("/growth/workshops/new", {
        "title": "Incident command basics", "format": "workshop", "starts_at": _when(5), "ends_at": _when(5.1),
        "place": "Harbour room", "capacity": "1", "skills": [str(incident.pk)], "team": str(team.pk)})
    workshop = Workshop.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/growth/workshops/{workshop.pk}/"
    assert [h.pk for h in workshop.hosts.all()] == [lead.pk] and workshop.team == team
    edit = client.post(f"/growth/workshops/{workshop.pk}/edit", {
        "title": "Incident command basics", "format": "peer", "starts_at": _when(6), "ends_at": _when(6.1),
        "place": "Harbour room", "capacity": "2", "skills": [str(incident.pk)], "team": str(team.pk),
        "hosts": [str(lead.pk)]})
    assert edit.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.format, workshop.capacity) == ("peer", 2)

    member = signed_in_client(ana)
    page = member.get(f"/growth/workshops/{workshop.pk}/").content.decode()
    assert "Sign up" in page and "Incident response" in page
    assert member.post(f"/growth/workshops/{workshop.pk}/signup").status_code == 302
    assert WorkshopSignup.objects.get(person=ana).status == SignupStatus.CONFIRMED
    assert "You have a place" in member.get(f"/growth/workshops/{workshop.pk}/").content.decode()
    listing = member.get("/growth/workshops/").content.decode()
    assert "Incident command basics" in listing and "1 of 2" in listing and "Has a place" in listing
    assert member.post(f"/growth/workshops/{workshop.pk}/leave").status_code == 302
    assert WorkshopSignup.objects.get(person=ana).status == SignupStatus.CANCELLED
    assert member.get(f"/growth/workshops/{workshop.pk}/host").status_code == 404
    assert member.get(f"/growth/workshops/{workshop.pk}/edit").status_code == 302  # back to the page


def test_bad_input_is_a_form_error(team, lead):
    client = signed_in_client(lead)
    response = client.post("/growth/workshops/new", {
        "title": "Backwards", "format": "workshop", "starts_at": _when(5), "ends_at": _when(4),
        "place": "Room", "capacity": "3", "materials": "12, x"})
    assert response.status_code == 200 and b"by their numbers" in response.content
    response = client.post("/growth/workshops/new", {
        "title": "Backwards", "format": "workshop", "starts_at": _when(5), "ends_at": _when(4),
        "place": "Room", "capacity": "3", "materials": "999999"})
    assert response.status_code == 200 and b"No knowledge entry number 999999" in response.content
    response = client.post("/growth/workshops/new", {
        "title": "Backwards", "format": "workshop", "starts_at": _when(5), "ends_at": _when(4),
        "place": "Room", "capacity": "3"})
    assert response.status_code == 200 and b"end after it starts" in response.content
    assert b'value="Backwards"' in response.content  # what was typed is kept
    assert not Workshop.objects.exists()
    workshop = upcoming(lead)
    assert client.post(f"/growth/workshops/{workshop.pk}/attendance", {"attended": ["x"]}).status_code == 200
    assert client.post(f"/growth/workshops/{workshop.pk}/nonsense").status_code == 302


def test_attendance_and_feedback_through_the_pages(team, lead, ana, ben):
    workshop = held(lead, absent=[ana, ben])
    host = signed_in_client(lead)
    page = host.get(f"/growth/workshops/{workshop.pk}/host").content.decode()
    assert "Ana Analyst" in page and "Save attendance" in page
    assert host.post(f"/growth/workshops/{workshop.pk}/attendance", {"attended": [str(ana.pk)]}).status_code == 302
    assert set(WorkshopSignup.objects.filter(attended=True).values_list("person_id", flat=True)) == {ana.pk}
    attendee = signed_in_client(ana)
    assert "Send feedback" in attendee.get(f"/growth/workshops/{workshop.pk}/").content.decode()
    assert "Send feedback" not in signed_in_client(ben).get(f"/growth/workshops/{workshop.pk}/").content.decode()
    bad = attendee.post(f"/growth/workshops/{workshop.pk}/feedback", {"rating": "9", "comment": "x"})
    assert bad.status_code == 200 and not WorkshopFeedback.objects.exists()
    done = attendee.post(f"/growth/workshops/{workshop.pk}/feedback", {"rating": "4", "comment": "Good pace"})
    assert done.status_code == 302 and done["Location"] == f"/growth/workshops/{workshop.pk}/"
    assert "your feedback is in" in attendee.get(f"/growth/workshops/{workshop.pk}/").content.decode()
    host_page = host.get(f"/growth/workshops/{workshop.pk}/host").content.decode()
    assert "1 of 1 attendees answered" in host_page and "Good pace" not in host_page  # 1 is below k
