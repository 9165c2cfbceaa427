"""The named advice question in a real browser: the invitee names a colleague, is refused without
consent, agrees, and then sees only their own answer."""

import pytest
from playwright.sync_api import expect

from learnloop.surveys.models import AdviceTie
from tests.surveys.conftest import survey_org  # noqa: F401 (the fixture)
from tests.surveys.test_advice import campaign  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_name_a_colleague_with_consent(page_as, survey_org, campaign):  # noqa: F811
    me, named = survey_org.people["Payments"][1], survey_org.people["Sales"][0]
    page = page_as(me)
    page.goto(f"/surveys/campaigns/{campaign.pk}/advice/")
    expect(page.get_by_text("is not anonymous")).to_be_visible()
    question = page.get_by_label("Whom do you go to for advice about deployments?")
    question.select_option(str(named.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Tick the box")).to_be_visible()
    assert not AdviceTie.objects.exists()
    page.get_by_label("Whom do you go to for advice about deployments?").select_option(str(named.pk))
    page.get_by_label("I agree that these answers are stored with my name").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: 1 colleague named.")).to_be_visible()
    assert list(AdviceTie.objects.values_list("respondent", "adviser")) == [(me.pk, named.pk)]
