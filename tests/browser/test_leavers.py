"""Walk-through: an admin deactivates a leaver, who owns open work; the page proposes their
manager, the admin confirms and the work moves. A second leaver's work waits in the
orphaned-ownership report until the admin hands it over there."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.actions import services as actions
from learnloop.actions.models import Action
from learnloop.audit.models import AuditEvent
from learnloop.org import services
from tests import factories

pytestmark = pytest.mark.browser


def test_deactivate_with_handover_and_the_orphans_report(page_as, live_server, admin, team):
    manager = factories.person(full_name="Max Manager")
    leaver = factories.person(full_name="Liv Leaver", manager=manager)
    factories.membership(leaver, team)
    mate = factories.person(full_name="Tam Teammate")
    factories.membership(mate, team)
    runbook = actions.create_action(by=leaver, title="Write the rollback runbook", team=team, owner=leaver)
    pairing = actions.create_action(by=leaver, title="Try pairing", team=team, owner=leaver)
    actions.complete_action(by=leaver, action=pairing, check_on=timezone.localdate() + timedelta(days=20))

    page = page_as(admin)
    page.goto(f"/people/{leaver.pk}/")
    page.get_by_role("button", name="Deactivate…").click()
    expect(page.locator("#owned")).to_contain_text("Open actions: 1")
    expect(page.locator("#owned")).to_contain_text("Effectiveness checks to answer: 1")
    expect(page.get_by_label("New owner of their work")).to_have_value(str(manager.pk))
    expect(page.get_by_text("their manager")).to_be_visible()
    page.get_by_role("button", name="Deactivate and hand over").click()
    expect(page.get_by_role("status").first).to_contain_text("Max Manager took over")
    expect(page.locator("h1")).to_contain_text("deactivated")
    assert set(Action.objects.filter(pk__in=[runbook.pk, pairing.pk]).values_list("owner", flat=True)) == {manager.pk}
    assert AuditEvent.objects.get(kind="person_deactivated", target=leaver.email).detail["handed_over_to"] == \
        manager.email

    # Someone left earlier with "decide later": the report shows them; the admin hands over.
    earlier = factories.person(full_name="Eli Earlier")
    factories.membership(earlier, team)
    actions.create_action(by=earlier, title="Tidy the alert rules", team=team, owner=earlier)
    services.deactivate_person(by=admin, person=earlier, keep_ownership=True)
    page.goto("/people/")
    page.get_by_role("button", name="Orphaned ownership").click()
    row = page.locator(f"#orphans tr[data-person='{earlier.pk}']")
    expect(row).to_contain_text("Open actions: 1")
    expect(page.locator("#orphans tbody tr")).to_have_count(1)
    row.get_by_label("Hand their work to").select_option(label="Tam Teammate")
    row.get_by_role("button", name="Hand over").click()
    expect(page.get_by_role("status").first).to_contain_text("Tam Teammate took over")
    expect(page.locator("#orphans")).to_contain_text("Nothing is orphaned")
    assert Action.objects.get(title="Tidy the alert rules").owner == mate
