"""A causal loop diagram in a real browser: draw a loop with the editor (Cytoscape.js from the
local copy), save, see each loop's polarity and the archetype highlighted, bind a variable to a
metric, and turn an intervention into a proposed experiment; nothing breaks the CSP."""

import pytest
from playwright.sync_api import expect

from learnloop.experiments.models import Experiment
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def crew_member(db):
    crew = factories.team(name="Payments")
    person = factories.person(email="pia.payments@example.org", full_name="Pia Payments")
    factories.membership(person, crew)
    return person


def _add_variable(page, name):
    page.fill("#tool-name", name)
    page.click("#tool-add-variable")


def _add_link(page, source, target, polarity, delayed=False):
    page.select_option("#tool-source", source)
    page.select_option("#tool-target", target)
    page.select_option("#tool-polarity", polarity)
    page.set_checked("#tool-delay", delayed)
    page.click("#tool-add-link")


def test_draw_a_loop_see_its_archetype_bind_and_intervene(page_as, crew_member):
    page = page_as(crew_member)
    page.goto("/systems/diagrams/")
    page.fill("#new-title", "Payout clean-ups")
    page.select_option("#new-team", label="Payments")
    page.click("#new-diagram button[type=submit]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payout clean-ups")
    expect(page.locator("#diagram-canvas canvas").first).to_be_attached()

    for name in ("Duplicate payouts", "Manual fixes", "Reconciliation backlog"):
        _add_variable(page, name)
    _add_link(page, "Duplicate payouts", "Manual fixes", "+")
    _add_link(page, "Manual fixes", "Duplicate payouts", "-")
    _add_link(page, "Manual fixes", "Reconciliation backlog", "+", delayed=True)
    _add_link(page, "Reconciliation backlog", "Duplicate payouts", "+")
    page.click("#tool-undo")  # the last link goes again…
    _add_link(page, "Reconciliation backlog", "Duplicate payouts", "+")  # …and comes back
    page.click("#tool-layout")
    page.click("#save-diagram")

    expect(page.locator("#loop-table tr[data-loop='B1'] .loop-polarity")).to_have_text("balancing")
    expect(page.locator("#loop-table tr[data-loop='R2'] .loop-polarity")).to_have_text("reinforcing")
    expect(page.locator("#archetypes h3")).to_contain_text("Fixes that fail")
    page.get_by_role("button", name="Show “Fixes that fail” on the diagram").click()
    expect(page.locator("#editor-status")).to_contain_text("Highlighted: Duplicate payouts")
    expect(page.locator("#link-table tbody tr")).to_have_count(4)

    page.select_option("#bind-name", "Manual fixes")
    page.select_option("#bind-metric", "completion_rate")
    page.click("#bind-form button[type=submit]")
    expect(page.locator("#bound-table")).to_contain_text("Action completion rate")
    expect(page.locator("#causation-warning")).to_contain_text("Correlation is not causation")

    page.select_option("#intervention-variable", "Manual fixes")
    page.select_option("#intervention-link_target", "Reconciliation backlog")
    page.select_option("#intervention-kind", "experiment")
    page.fill("#intervention-description", "Route clawbacks through the reconciliation job")
    page.click("#intervention-form button[type=submit]")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Intervene on Manual fixes")
    experiment = Experiment.objects.get()
    assert experiment.change == "Route clawbacks through the reconciliation job"
    assert "completion_rate" in experiment.success_metric

    page.go_back()
    page.reload()
    expect(page.locator("#intervention-list")).to_contain_text(f"Experiment: {experiment.title}")


def test_the_diagram_page_has_no_serious_accessibility_violations(new_context, live_server, crew_member):
    from pathlib import Path

    from django.conf import settings

    from learnloop.org.models import Team
    from learnloop.systems import diagram_services as services
    from tests.browser.conftest import sign_in_context
    from tests.browser.test_axe import RUN_AXE

    content = {"variables": [{"name": "Fix", "binding": {"metric": "completion_rate"}},
                             {"name": "Problem", "binding": {"metric": "overdue_count"}}, "Side effect"],
               "links": [{"source": "Problem", "target": "Fix", "polarity": "+"},
                         {"source": "Fix", "target": "Problem", "polarity": "-"},
                         {"source": "Fix", "target": "Side effect", "polarity": "+", "delay": True},
                         {"source": "Side effect", "target": "Problem", "polarity": "+"}]}
    diagram = services.create_diagram(by=crew_member, title="Fixes", team=Team.objects.get(name="Payments"),
                                      content=content)
    context = new_context()
    context.add_init_script(script=(Path(settings.NODE_MODULES_DIR) / "axe-core" / "axe.min.js").read_text())
    sign_in_context(context, crew_member, live_server.url)
    page = context.new_page()
    for path in (f"/systems/diagrams/{diagram.pk}/", "/systems/diagrams/",
                 f"/systems/diagrams/{diagram.pk}/versions/1/"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate(RUN_AXE) == [], path
