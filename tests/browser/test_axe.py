"""No serious or critical accessibility violation on the main pages, for each role (issue 21,
item 6), as axe-core (pinned in package-lock.json) finds them in the real browser.

axe is injected as an init script through the browser's debugging protocol, which the page's
Content-Security-Policy does not govern, so the pages are tested with their real policy."""

from pathlib import Path

import pytest
from django.conf import settings

from tests import factories
from tests.browser.conftest import sign_in_context
from tests.browser.test_layout_widths import PAGES, _closed_survey

pytestmark = pytest.mark.browser

AXE = Path(settings.NODE_MODULES_DIR) / "axe-core" / "axe.min.js"
# The layout test's pages, and the modules' own main pages.
MORE_PAGES = {
    "admin": ["/insights/themes/", "/growth/", "/growth/framework/", "/growth/coverage/", "/network/",
              "/strategy/", "/strategy/goals/", "/strategy/roadmap/", "/strategy/champions/",
              "/integrations/webhooks/", "/knowledge/reviews/"],
    "lead": ["/growth/", "/network/me/", "/strategy/teams/{team_slug}/", "/integrations/calendars/"],
    "member": ["/growth/", "/insights/themes/", "/integrations/notifications/", "/accounts/tokens/"],
}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => ({id: violation.id, impact: violation.impact, help: violation.help,
                          nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(" "))}));
}"""


@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_serious_accessibility_violations(new_context, live_server):
    people, ids = factories.small_organization()
    ids["campaign_id"] = _closed_survey(people["admin"]).pk
    viewers = {"admin": people["admin"], "lead": people["lead"], "member": people["members"][0]}
    source = AXE.read_text()
    problems = []
    for role, paths in PAGES.items():
        paths = paths + MORE_PAGES[role]
        context = new_context()
        context.add_init_script(script=source)
        sign_in_context(context, viewers[role], live_server.url)
        page = context.new_page()
        for path in paths:
            response = page.goto(path.format(**ids))
            assert response.ok, (role, path, response.status)
            for violation in page.evaluate(RUN_AXE):
                problems.append(f"{role} {path}: {violation['impact']} {violation['id']} ({violation['help']}) "
                                f"at {', '.join(violation['nodes'])}")
    assert not problems, "\n".join(problems)
