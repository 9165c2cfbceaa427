import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ADMIN_ONLY = ["Invitations", "Import", "Audit log"]


def test_members_see_no_admin_navigation_and_get_403_on_admin_pages(page_as, live_server, admin, member):
    page = page_as(member)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    expect(nav.get_by_role("link", name="Teams")).to_be_visible()
    for label in ADMIN_ONLY:
        expect(nav.get_by_role("link", name=label)).to_have_count(0)
    # Nor do they get the admin buttons on the directory pages.
    page.goto("/people/")
    expect(page.get_by_role("link", name="Invite")).to_have_count(0)
    expect(page.get_by_role("link", name="Import CSV")).to_have_count(0)

    for path, message in [
        ("/audit/", "Only admins can read the audit log."),
        ("/invitations/", "Only admins can invite people."),
        ("/import/", "Only admins can import people and teams."),
    ]:
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("You can't do that")
        expect(page.get_by_text(message)).to_be_visible()
        # The error page offers a way back.
        expect(page.get_by_role("link", name="Back to the home page")).to_be_visible()

    # The same links are there for an admin (the check above is not vacuous).
    admin_page = page_as(admin)
    admin_page.goto("/")
    admin_nav = admin_page.get_by_role("navigation", name="Main")
    for label in ADMIN_ONLY:
        expect(admin_nav.get_by_role("link", name=label)).to_be_visible()
    admin_nav.get_by_role("link", name="Audit log").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Audit log")
