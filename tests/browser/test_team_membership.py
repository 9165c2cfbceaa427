import pytest
from playwright.sync_api import expect

from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.org.models import Membership
from tests import factories

pytestmark = pytest.mark.browser


def test_team_lead_changes_a_role_adds_and_removes_members(page_as, live_server, admin, member, team):
    lead = factories.person(email="lee.lead@example.org", full_name="Lee Lead")
    factories.membership(lead, team, role="facilitator")
    membership = factories.membership(member, team)
    newcomer = factories.person(email="newt@example.org", full_name="Newt Newcomer", title="Designer")

    page = page_as(lead)
    page.goto(f"/teams/{team.slug}/")
    page.evaluate("window.__stillTheSamePage = true")
    row = page.locator(f"#membership-{membership.pk}")

    row.get_by_label("Team role of Mo Member").select_option(label="Facilitator / team lead")
    expect(row.get_by_role("status")).to_have_text("Saved.")
    # The change went over htmx: the row was swapped in place, the page not reloaded.
    assert page.evaluate("window.__stillTheSamePage") is True
    membership.refresh_from_db()
    assert membership.role == "facilitator"
    event = AuditEvent.objects.get(kind=AuditKind.ROLE_CHANGED, target=member.email)
    assert event.actor == lead
    assert event.detail == {"scope": "team:payments", "from": "member", "to": "facilitator"}

    page.reload()
    expect(page.get_by_label("Team role of Mo Member")).to_have_value("facilitator")
    expect(page.get_by_role("status")).to_have_count(0)

    page.get_by_label("Person", exact=True).select_option(label="Newt Newcomer — Designer")
    page.get_by_label("Team role", exact=True).select_option(label="Member")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Newt Newcomer joined Payments.")
    new_membership = Membership.objects.get(team=team, person=newcomer)
    assert new_membership.role == "member"
    new_row = page.locator(f"#membership-{new_membership.pk}")
    expect(new_row.get_by_role("link", name="Newt Newcomer")).to_be_visible()
    # Someone already in the team is no longer offered.
    expect(page.get_by_label("Person", exact=True).get_by_role("option", name="Newt Newcomer")).to_have_count(0)

    new_row.get_by_role("button", name="Remove Newt Newcomer").click()

    expect(new_row).to_have_text("Newt Newcomer left the team.")
    assert not Membership.objects.filter(team=team, person=newcomer).exists()
    assert Membership.objects.filter(team=team).count() == 2  # the lead and Mo are still in

    # An admin finds the role change in the audit log.
    audit = page_as(admin)
    audit.goto("/audit/")
    change = audit.get_by_role("row").filter(has_text="Role changed").filter(has_text=member.email)
    expect(change).to_have_count(1)
    expect(change.get_by_role("link", name=lead.email)).to_be_visible()
    expect(change).to_contain_text("to=facilitator")

