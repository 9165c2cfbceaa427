"""No page scrolls sideways (issue 21, item 5): at 375, 768, 1024 and 1280 px the main pages fit
their window (`scrollWidth <= innerWidth`) for an admin, a team lead and a member; the
navigation wraps instead of running off the side, and wide tables scroll inside their own box."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.surveys import services as surveys
from learnloop.surveys.models import Instrument, Invitation
from learnloop.surveys.tokens import token_for
from tests import factories
from tests.browser.conftest import sign_in_context
from tests.surveys.conftest import answer_all

pytestmark = pytest.mark.browser

WIDTHS = (375, 768, 1024, 1280)
PAGES = {
    "admin": ["/", "/people/", "/teams/", "/teams/{department_slug}/", "/knowledge/", "/sessions/",
              "/actions/", "/experiments/", "/experiments/{experiment_id}/", "/surveys/", "/insights/organization/",
              "/audit/", "/invitations/", "/surveys/campaigns/{campaign_id}/report/", "/surveys/trends/"],
    "lead": ["/", "/sessions/{session_id}/", "/actions/team/{team_id}/", "/knowledge/{entry_id}/",
             "/insights/teams/{team_slug}/"],
    "member": ["/", "/actions/", "/knowledge/", "/sessions/", "/experiments/"],
}
# The widest element that sticks out, to say what to fix.
OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  let worst = null;
  for (const element of document.querySelectorAll("body *")) {
    const right = element.getBoundingClientRect().right;
    if (right > width + 0.5 && (!worst || right > worst.right)) {
      worst = {right, what: element.tagName.toLowerCase() + (element.className ? "." + element.className : "")};
    }
  }
  const culprit = worst ? worst.what + " to " + Math.round(worst.right) : "?";
  return `${document.documentElement.scrollWidth}px wide (${culprit})`;
}"""


@pytest.mark.django_db(transaction=True)
def test_main_pages_fit_the_window_at_every_width(new_context, live_server):
    people, ids = factories.small_organization()
    ids["campaign_id"] = _closed_survey(people["admin"]).pk
    viewers = {"admin": people["admin"], "lead": people["lead"], "member": people["members"][0]}
    problems = []
    for role, paths in PAGES.items():
        context = new_context()
        sign_in_context(context, viewers[role], live_server.url)
        page = context.new_page()
        for path in paths:
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = page.goto(path.format(**ids))
            assert response.ok, (role, path, response.status)
            for width in WIDTHS:  # resizing re-applies the media queries and the layout, like a rotated phone
                page.set_viewport_size({"width": width, "height": 900})
                if found := page.evaluate(OVERFLOW):
                    problems.append(f"{role} {path} at {width}px: {found}")
    assert not problems, "\n".join(problems)


def _closed_survey(admin):
    """A diagnostic everyone answered, closed, so its report has a heat map and scores."""
    surveys.install_built_in_instruments()
    instrument = Instrument.objects.get(slug="learning-organization")
    today = timezone.localdate()
    campaign = surveys.create_campaign(by=admin, name="Autumn diagnostic", instrument=instrument, opens_on=today,
                                       closes_on=today + timedelta(days=14), whole_organization=True)
    surveys.launch_campaign(by=admin, campaign=campaign)
    rng = random.Random(3)
    for invitation in Invitation.objects.filter(campaign=campaign):
        surveys.submit_response(token=token_for(invitation), answers=answer_all(instrument, rng))
    return surveys.close_campaign(by=admin, campaign=campaign)
