"""The home page per role (issue 21, item 4): a learning lead sees the organization's loop, a team
lead each team they lead, a member what is theirs to do and the recurring themes they may see;
every figure is the catalogue's, for the same period as the dashboards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.actions.models import Action
from learnloop.insights import metrics
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(db):
    factories.organization()
    learning_lead = factories.person(email="lena@example.org", full_name="Lena Learning", role="learning_lead")
    payments = factories.team(name="Payments")
    platform = factories.team(name="Platform")
    lead = factories.person(email="pat@example.org", full_name="Pat Payments")
    factories.membership(lead, payments, role="facilitator")
    member = factories.person(email="mo@example.org", full_name="Mo Member")
    factories.membership(member, payments)
    outsider = factories.person(email="otto@example.org", full_name="Otto Platform")
    factories.membership(outsider, platform)
    today = timezone.localdate()
    for status, due in (("open", today - timedelta(days=3)), ("open", today + timedelta(days=9))):
        Action.objects.create(title=f"{status} {due}", team=payments, created_by=lead, owner=member,
                              status=status, due_on=due)
    Action.objects.create(title="Platform's own", team=platform, created_by=outsider, owner=outsider,
                          status="open", due_on=today - timedelta(days=1))
    Action.objects.create(title="Platform's second", team=platform, created_by=outsider, owner=outsider,
                          status="open", due_on=today - timedelta(days=2))
    return {"learning_lead": learning_lead, "lead": lead, "member": member, "outsider": outsider,
            "payments": payments, "platform": platform}


def _overdue(page: str) -> list[str]:
    """The overdue figures printed in the glance tables, in order."""
    marker = 'data-metric="overdue_count"'
    figures = []
    for chunk in page.split(marker)[1:]:
        figures.append(chunk.split("<td>", 1)[1].split("<", 1)[0].strip())
    return figures


def test_a_learning_lead_sees_the_organizations_loop(crew):
    page = signed_in_client(crew["learning_lead"]).get("/").content.decode()
    assert "The organization&#x27;s loop" in page and "Your teams&#x27; loop" not in page
    assert _overdue(page) == ["3"]  # two in Platform, one in Payments
    assert 'href="/insights/organization/"' in page
    since, today = metrics.default_period()
    report = metrics.metrics_report(viewer=crew["learning_lead"], scope=metrics.scope_for(None),
                                    since=since, until=today)
    by_key = {metric["key"]: metric for metric in report["metrics"]}
    assert by_key["overdue_count"]["value"] == 3  # the dashboard's figure, the same definition


def test_a_team_lead_sees_the_team_they_lead_and_no_other(crew):
    page = signed_in_client(crew["lead"]).get("/").content.decode()
    assert "Your teams&#x27; loop" in page and "The organization&#x27;s loop" not in page
    assert _overdue(page) == ["1"]
    assert 'href="/insights/teams/payments/"' in page and "/insights/teams/platform/" not in page
    assert "My open actions" in page


def test_a_member_sees_what_is_theirs_to_do_and_no_team_figures(crew):
    page = signed_in_client(crew["member"]).get("/").content.decode()
    assert "The organization&#x27;s loop" not in page and "Your teams&#x27; loop" not in page
    assert _overdue(page) == []
    assert "My open actions" in page and "Coming up again and again" in page
    # Theirs to do: the overdue action they own is listed first on their page.
    assert page.index("My open actions") < page.index("Coming up again and again")


def test_the_three_roles_get_three_different_home_pages(crew):
    pages = {role: signed_in_client(crew[role]).get("/").content.decode()
             for role in ("learning_lead", "lead", "member")}
    headings = {role: tuple(part.split("</h2>")[0].split(">")[-1] for part in page.split("<h2")[1:])
                for role, page in pages.items()}
    assert len(set(headings.values())) == 3, headings
