"""Writing an action the team agreed before: the warning shows the earlier ones with their
outcomes, and the author links the new action to one instead of starting afresh."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.actions import services
from learnloop.actions.models import Action
from tests import factories

pytestmark = pytest.mark.browser


def test_a_repeated_title_warns_with_outcomes_and_links_instead(page_as, live_server, team):
    lead = factories.person(email="fay.facilitator@example.org", full_name="Fay Facilitator")
    factories.membership(lead, team, role="facilitator")
    at = timezone.now() - timedelta(days=120)
    earlier = []
    for days, title in ((0, "Write a runbook for DB failover"), (60, "Write the database failover runbook")):
        action = services.create_action(by=lead, title=title, team=team, owner=lead, at=at + timedelta(days=days))
        services.complete_action(by=lead, action=action, effect="worked", evidence="The drill passed.",
                                 at=at + timedelta(days=days + 5))
        earlier.append(action)

    page = page_as(lead)
    page.goto(f"/actions/new/?team={team.pk}")
    page.get_by_label("What will be done?").fill("Write a runbook for database failover")
    warning = page.locator("#agreed-before")
    expect(warning).to_contain_text("agreed 2 times since")
    expect(warning).to_contain_text("2 marked worked")
    expect(warning).to_contain_text("If it worked, why is it back?")
    expect(warning.get_by_role("link", name="Write the database failover runbook")).to_be_visible()

    warning.get_by_label(f"This is the same as #{earlier[0].pk}").check()
    page.get_by_role("button", name="Add action").click()
    expect(page).to_have_url(re.compile(r"/actions/\d+/$"))
    created = Action.objects.latest("id")
    assert created.repeat_of_id == earlier[0].pk
    expect(page.locator("#repeat-of")).to_contain_text(f"#{earlier[0].pk} Write a runbook for DB failover")
    expect(page.locator("#repeat-of")).to_contain_text("it worked")

    # The team's repeats page now shows all three together, worked yet agreed again.
    page.goto(f"/actions/team/{team.pk}/repeats/")
    expect(page.locator(".repeat-cluster")).to_contain_text("Agreed 3 times since")
    expect(page.locator(".repeat-cluster")).to_contain_text("Worked, yet agreed again")
    expect(page.locator(".repeat-cluster")).to_contain_text("1 linked by their authors")
