"""No serious or critical accessibility violation (axe-core, as in test_axe.py) on the workshop
pages: the lists, the planning form, a workshop's page with the feedback form, the hosts' page
with the released summary."""

import pytest

from learnloop.growth import workshops
from learnloop.org.models import Organization
from tests import factories
from tests.browser.conftest import sign_in_context
from tests.browser.test_axe import AXE, RUN_AXE
from tests.growth.workshop_helpers import held, people, upcoming

pytestmark = pytest.mark.browser


def test_workshop_pages_have_no_serious_accessibility_violations(new_context, live_server, team):
    Organization.current()
    Organization.objects.filter(pk=1).update(anonymity_threshold=3)
    host = factories.person(email="hana.host@example.org", full_name="Hana Host")
    crowd = people(team, 4)
    soon = upcoming(host, capacity=2, link="https://meet.example.org/a")
    for person in crowd:
        workshops.sign_up(by=person, workshop=soon)
    done = held(host, attendees=crowd[:3], title="Released one")
    for person in crowd[:3]:
        workshops.give_feedback(by=person, workshop=done, rating=4, comment=f"Comment of {person.pk}")
    waiting = held(host, attendees=crowd, title="Still open")
    pages = {
        host: ["/growth/workshops/", "/growth/workshops/?when=past", "/growth/workshops/new",
               f"/growth/workshops/{soon.pk}/edit", f"/growth/workshops/{soon.pk}/host",
               f"/growth/workshops/{done.pk}/host", f"/growth/workshops/{waiting.pk}/host"],
        crowd[3]: [f"/growth/workshops/{soon.pk}/", f"/growth/workshops/{waiting.pk}/"],
    }
    source = AXE.read_text()
    problems = []
    for person, paths in pages.items():
        context = new_context()
        context.add_init_script(script=source)
        sign_in_context(context, person, live_server.url)
        page = context.new_page()
        for path in paths:
            response = page.goto(path, timeout=60_000)
            assert response.ok, (path, response.status)
            for violation in page.evaluate(RUN_AXE):
                problems.append(f"{path}: {violation['impact']} {violation['id']} ({violation['help']}) "
                                f"at {', '.join(violation['nodes'])}")
    assert "Send feedback" in page.content()  # the attendee's page with the feedback form was checked
    assert not problems, "\n".join(problems)
