import re

import pytest
from playwright.sync_api import expect

from learnloop.org.models import Invitation, Membership, Person
from tests import factories

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern-river-otter-42"


def test_invitation_round_trip_creates_a_signed_in_account_once(page_as, new_context, live_server, admin, team):
    factories.membership(admin, team)
    page = page_as(admin)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations")

    page.get_by_label("Email").fill("ivy.invitee@example.org")
    page.get_by_label("Name (optional)").fill("Ivy Invitee")
    page.get_by_label("Organization role").select_option(label="Member")
    page.get_by_label("Team (optional)").select_option(label="Payments")
    page.get_by_label("Team role").select_option(label="Member")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status").filter(has_text="An invitation was emailed")).to_have_text(
        "An invitation was emailed to ivy.invitee@example.org."
    )
    link = page.get_by_test_id("invitation-url").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/invitations/accept/inv_[\w-]+/", link)
    sent = page.get_by_role("region", name="Sent invitations").get_by_role("row").filter(has_text="ivy.invitee")
    expect(sent).to_contain_text("pending")

    # The invitee has nothing but the link, in a browser of their own.
    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Learnloop")
    expect(invitee.get_by_text("You were invited as ivy.invitee@example.org to Payments.")).to_be_visible()
    expect(invitee.get_by_label("Your name")).to_have_value("Ivy Invitee")

    # Mistyped confirmation: nothing is created and the form says why.
    invitee.get_by_label("Choose a password").fill(NEW_PASSWORD)
    invitee.get_by_label("The same password again").fill(NEW_PASSWORD + "x")
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee.get_by_text("The two passwords differ.")).to_be_visible()
    assert not Person.objects.filter(email="ivy.invitee@example.org").exists()

    invitee.get_by_label("Choose a password").fill(NEW_PASSWORD)
    invitee.get_by_label("The same password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Create my account").click()

    expect(invitee).to_have_url(f"{live_server.url}/")
    expect(invitee.get_by_role("status")).to_have_text("Welcome to Learnloop, Ivy.")
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, Ivy")
    my_teams = invitee.get_by_role("article").filter(has=invitee.get_by_role("heading", name="My teams"))
    expect(my_teams.get_by_role("link", name="Payments")).to_be_visible()

    person = Person.objects.get(email="ivy.invitee@example.org")
    assert person.full_name == "Ivy Invitee"
    assert person.role == "member"
    assert person.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(person=person, team=team, role="member").exists()
    assert Invitation.objects.get(email=person.email).accepted_by == person

    # Single use: the same link, even in a fresh browser, no longer creates anything.
    stranger = new_context().new_page()
    response = stranger.goto(link)
    assert response.status == 410
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This invitation link no longer works")
    expect(stranger.get_by_label("Choose a password")).to_have_count(0)

    page.reload()
    expect(sent).to_contain_text("accepted")
