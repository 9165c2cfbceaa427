"""Bindings in a real browser: a learning lead rebinds a stock-and-flow model's constant to
another live number on the edit page (a bad name first shows the form's error), and binds a
diagram variable to the theme recurrence rate, then removes the binding again."""

import pytest
from playwright.sync_api import expect

from learnloop.systems import diagram_services
from learnloop.systems.stockflow_models import StockFlowModel
from tests.systems.conftest import decay_model, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _pysd_loaded():
    # The live server runs in this process: import PySD once here (see test_systems_models.py).
    import pysd  # noqa: F401


def test_rebind_a_model_constant_on_the_edit_page(page_as, people, decay_model):  # noqa: F811
    page = page_as(people.lead)
    page.goto(f"/systems/models/{decay_model.pk}/")
    page.get_by_role("link", name="Edit the name, owner and bindings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the model")
    page.get_by_label("Name").fill("   ")  # passes the browser's required check, not the server's
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Name").fill("Knowledge decay, rebound")
    page.get_by_label("lessons written per month starts from").select_option("knowledge.stale_lessons")
    page.get_by_label("initial stale lessons starts from").select_option("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge decay, rebound")
    expect(page.get_by_text("starts at today's stale lessons").first).to_be_visible()
    model = StockFlowModel.objects.get(pk=decay_model.pk)
    assert model.bindings["lessons written per month"] == "knowledge.stale_lessons"
    assert "initial stale lessons" not in model.bindings


def test_bind_and_unbind_a_diagram_variable(page_as, people):  # noqa: F811
    diagram = diagram_services.create_diagram(
        by=people.lead, title="Why payouts repeat", team=None,
        content={"variables": [{"name": "Recurring problems"}, {"name": "Quick fixes"}],
                 "links": [{"source": "Recurring problems", "target": "Quick fixes", "polarity": "+"}]})
    page = page_as(people.lead)
    page.goto(f"/systems/diagrams/{diagram.pk}/")
    form = page.locator("#bind-form")
    form.get_by_label("Variable").select_option("Recurring problems")
    form.get_by_label("Metric").select_option("theme_recurrence_rate")
    form.get_by_role("button", name="Bind").click()
    expect(page.locator("#variable-table")).to_contain_text("theme_recurrence_rate")
    expect(page.locator("#bound-table")).to_contain_text("Theme recurrence rate (items everyone may see)")
    form = page.locator("#bind-form")
    form.get_by_label("Variable").select_option("Recurring problems")
    form.get_by_label("Metric").select_option("")
    form.get_by_role("button", name="Bind").click()
    expect(page.get_by_text("No variable is bound yet.")).to_be_visible()
