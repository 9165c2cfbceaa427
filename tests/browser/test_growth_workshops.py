"""Workshops in the browser: a host plans one, a person signs up, the day comes, the host records
attendance, the attendees give anonymous feedback and the host sees the released summary."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.growth import services as growth
from learnloop.growth import workshops
from learnloop.growth.models import SkillCategory, Workshop, WorkshopFeedback
from learnloop.org.models import Organization
from tests import factories

pytestmark = pytest.mark.browser


def test_plan_sign_up_attend_and_read_the_released_feedback(page_as, live_server, team):
    Organization.current()
    Organization.objects.filter(pk=1).update(anonymity_threshold=3)
    lena = factories.person(email="lena.learning@example.org", full_name="Lena Learning", role="learning_lead")
    category = SkillCategory.objects.create(name="Operations")
    incident = growth.create_skill(by=lena, name="Incident response", category=category)
    growth.create_skill(by=lena, name="Facilitation", category=category)
    host = factories.person(email="hana.host@example.org", full_name="Hana Host")
    attendees = [factories.person(email=f"{name.lower()}@example.org", full_name=f"{name} Crew")
                 for name in ("Ana", "Ben", "Cy")]
    for person in (host, *attendees):
        factories.membership(person, team)

    page = page_as(host)
    page.goto("/growth/workshops/", timeout=60_000)  # the server's first request imports the whole API
    page.get_by_role("button", name="Plan a workshop").click()
    page.get_by_label("Title").fill("Incident command tabletop")
    page.get_by_label("Starts").fill((timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT14:00"))
    page.get_by_label("Ends").fill((timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT16:00"))
    page.locator("#id_place").fill("Dock 2 training room")
    page.locator("#id_capacity").fill("3")
    page.get_by_label("Skills it develops").select_option(label=["Incident response", "Facilitation"])
    page.get_by_role("button", name="Plan workshop").click()
    expect(page).to_have_url(re.compile(r"/growth/workshops/\d+/$"))
    expect(page.get_by_text("You host this workshop.")).to_be_visible()
    workshop = Workshop.objects.get()

    ana = page_as(attendees[0])
    ana.goto("/growth/workshops/")
    ana.get_by_role("link", name="Incident command tabletop").click()
    ana.get_by_role("button", name="Sign up").click()
    expect(ana.locator("#my-place")).to_have_text("You have a place.")
    expect(ana.locator("#places")).to_contain_text("1 of 3 taken")
    for person in attendees[1:]:
        workshops.sign_up(by=person, workshop=workshop)

    # The day comes: the workshop took place between three and one hours ago.
    now = timezone.now()
    Workshop.objects.filter(pk=workshop.pk).update(starts_at=now - timedelta(hours=3),
                                                   ends_at=now - timedelta(hours=1))
    page.goto(f"/growth/workshops/{workshop.pk}/host")
    for person in attendees:
        page.get_by_label(person.full_name).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#feedback-count")).to_contain_text("0 of 3 attendees answered")

    answers = [("Ana Crew", "5", "Zero blame, all learning"), ("Ben Crew", "4", "More time for the debrief"),
               ("Cy Crew", "3", "A bit fast for newcomers")]
    for person, (name, rating, comment) in zip(attendees, answers, strict=True):
        attendee = page_as(person)
        attendee.goto(f"/growth/workshops/{workshop.pk}/")
        attendee.get_by_label(rating, exact=True).check()
        attendee.get_by_label("Comment").fill(comment)
        attendee.get_by_role("button", name="Send feedback").click()
        expect(attendee.locator("#feedback-done")).to_be_visible()
        if name != "Cy Crew":  # still open: the host sees a count, not the answers
            page.reload()
            expect(page.locator("#feedback-withheld")).to_be_visible()
            expect(page.get_by_text(comment)).to_have_count(0)

    page.reload()  # the last attendee's answer closed feedback: released to the host
    summary = page.locator("#feedback-summary")
    expect(summary).to_contain_text("Average rating 4.0 out of 5, from 3 answers")
    comments = summary.locator("ul li").all_inner_texts()
    assert comments == sorted(comment for _, _, comment in answers)  # by text, not by who answered when
    page_text = page.content()
    for feedback_id in WorkshopFeedback.objects.values_list("id", flat=True):
        assert str(feedback_id) not in page_text
    for person in attendees:  # the summary names nobody
        expect(summary.get_by_text(person.full_name)).to_have_count(0)

    # Attending is evidence on the skills the workshop develops, on the attendee's profile.
    growth.rate(by=attendees[0], person=attendees[0], skill=incident, level=2)
    ana.goto("/growth/")
    row = ana.get_by_role("row", name=re.compile("Incident response"))
    row.get_by_text("1", exact=True).click()
    expect(row.get_by_role("link", name="Incident command tabletop")).to_be_visible()
    expect(row).to_contain_text("workshop attended")
