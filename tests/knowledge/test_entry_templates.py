"""Entry templates: organization-wide and per team, who manages them, who is offered them, and
the editor they pre-fill."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.knowledge import entry_templates
from learnloop.knowledge.models import EntryTemplate
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

POSTMORTEM = "## What happened\n\n## Why\n\n## What we changed\n"


@pytest.fixture
def lead(team):
    person = factories.person(full_name="Lee Lead")
    factories.membership(person, team, role="facilitator")
    return person


@pytest.fixture
def learning_lead(db):
    return factories.person(full_name="Lia Learning", role="learning_lead")


def test_who_manages_which_templates(member, lead, learning_lead, team):
    with pytest.raises(PermissionDenied):
        entry_templates.create_template(by=member, kind="lesson", name="Org", body="x")
    with pytest.raises(PermissionDenied):
        entry_templates.create_template(by=lead, kind="lesson", name="Org", body="x")  # org-wide: learning leads
    with pytest.raises(PermissionDenied):
        entry_templates.create_template(by=member, kind="lesson", team=team, name="Team", body="x")
    org = entry_templates.create_template(by=learning_lead, kind="lesson", name="Incident lesson", body=POSTMORTEM)
    own = entry_templates.create_template(by=lead, kind="playbook", team=team, name="On-call", body="1. Page")
    with pytest.raises(PermissionDenied):
        entry_templates.update_template(by=lead, template=org, name="Mine now")
    entry_templates.update_template(by=learning_lead, template=own, description="For the rota")
    with pytest.raises(PermissionDenied):
        entry_templates.delete_template(by=member, template=own)
    entry_templates.delete_template(by=lead, template=own)
    assert list(EntryTemplate.objects.all()) == [org]


def test_bad_templates_are_refused(learning_lead):
    with pytest.raises(ValidationError, match="name"):
        entry_templates.create_template(by=learning_lead, kind="lesson", name=" ", body="x")
    with pytest.raises(ValidationError, match="Only decision record"):
        entry_templates.create_template(by=learning_lead, kind="lesson", name="L", body="x", context="Why")
    with pytest.raises(ValidationError, match="pre-fills"):
        entry_templates.create_template(by=learning_lead, kind="lesson", name="Empty")
    with pytest.raises(ValidationError, match="Kind"):
        entry_templates.create_template(by=learning_lead, kind="memo", name="M", body="x")


def test_team_templates_are_offered_to_the_team_only(member, lead, learning_lead, team):
    org = entry_templates.create_template(by=learning_lead, kind="lesson", name="Org lesson", body=POSTMORTEM)
    own = entry_templates.create_template(by=lead, kind="lesson", team=team, name="Team lesson", body="Ours")
    assert set(entry_templates.usable_templates(viewer=member)) == {org}
    factories.membership(member, team)
    assert set(entry_templates.usable_templates(viewer=member)) == {org, own}
    assert set(entry_templates.usable_templates(viewer=learning_lead, kind="lesson")) == {org, own}
    assert list(entry_templates.usable_templates(viewer=member, kind="playbook")) == []


def test_a_template_prefills_the_new_entry(member, learning_lead):
    lesson = entry_templates.create_template(by=learning_lead, kind="lesson", name="Incident lesson",
                                             body=POSTMORTEM)
    decision = entry_templates.create_template(by=learning_lead, kind="decision", name="ADR",
                                               context="What forces us", decision="We will …")
    client = signed_in_client(member)
    page = client.get("/knowledge/new/?kind=lesson").content.decode()
    assert "Start from a template" in page and "Incident lesson" in page and "ADR" not in page
    page = client.get(f"/knowledge/new/?kind=lesson&template={lesson.pk}").content.decode()
    assert "## What happened" in page and "Started from the template" in page
    page = client.get(f"/knowledge/new/?kind=decision&template={decision.pk}").content.decode()
    assert "What forces us" in page and "We will …" in page
    # Another kind's template, a bad number or an unknown one pre-fill nothing, without an error.
    for query in (f"kind=lesson&template={decision.pk}", "kind=lesson&template=x", "kind=lesson&template=999999"):
        answer = client.get(f"/knowledge/new/?{query}")
        assert answer.status_code == 200 and "What forces us" not in answer.content.decode()


def test_the_templates_page(member, lead, team, learning_lead):
    client = signed_in_client(lead)
    assert "Add a template" in client.get("/knowledge/templates/").content.decode()
    answer = client.post("/knowledge/templates/", {"name": "On-call", "kind": "playbook", "team": str(team.pk),
                                                   "body": "1. Page the lead"})
    assert answer.status_code == 302
    template = EntryTemplate.objects.get()
    assert template.team == team
    # A facilitator can't pick the organization; the form says so, nothing is lost.
    answer = client.post("/knowledge/templates/", {"name": "Org", "kind": "lesson", "team": "", "body": "x"})
    assert answer.status_code == 200 and EntryTemplate.objects.count() == 1
    assert "Add a template" not in signed_in_client(member).get("/knowledge/templates/").content.decode()
    assert signed_in_client(member).get(f"/knowledge/templates/{template.pk}/edit/").status_code == 404
    assert client.post(f"/knowledge/templates/{template.pk}/edit/", {"name": "On-call v2", "body": "1. Page"}
                       ).status_code == 302
    template.refresh_from_db()
    assert template.name == "On-call v2"
    factories.membership(member, team)
    assert signed_in_client(member).post(f"/knowledge/templates/{template.pk}/delete/").status_code == 403
    assert client.post(f"/knowledge/templates/{template.pk}/delete/").status_code == 302
    assert not EntryTemplate.objects.exists()


def test_templates_through_the_api(api_as, member, lead, team, learning_lead):
    created = api_as(lead).post("/api/v1/knowledge/templates", {"name": "On-call", "kind": "playbook",
                                                                "team_id": team.pk, "body": "1. Page"},
                                content_type="application/json")
    assert created.status_code == 201 and created.json()["team"]["id"] == team.pk
    template_id = created.json()["id"]
    assert api_as(member).post("/api/v1/knowledge/templates", {"name": "Org", "kind": "lesson", "body": "x"},
                               content_type="application/json").status_code == 403
    assert api_as(lead).post("/api/v1/knowledge/templates", {"name": "T", "kind": "lesson", "body": "x",
                                                             "team_id": 999999},
                             content_type="application/json").status_code == 400
    assert api_as(member).get("/api/v1/knowledge/templates").json()["count"] == 0
    assert api_as(member).patch(f"/api/v1/knowledge/templates/{template_id}", {"name": "x"},
                                content_type="application/json").status_code == 404
    changed = api_as(lead).patch(f"/api/v1/knowledge/templates/{template_id}", {"name": "On-call rota"},
                                 content_type="application/json")
    assert changed.json()["name"] == "On-call rota" and changed.json()["body"] == "1. Page"
    assert api_as(learning_lead).get("/api/v1/knowledge/templates?kind=playbook").json()["count"] == 1
    assert api_as(lead).delete(f"/api/v1/knowledge/templates/{template_id}").status_code == 204


@pytest.mark.parametrize("path", ["/knowledge/templates/", "/api/v1/knowledge/templates",
                                  "/knowledge/new/?kind=lesson"])
def test_query_counts_stay_flat_from_1x_to_10x(path, lead, learning_lead, team, api_as):
    client = api_as(lead) if path.startswith("/api/") else signed_in_client(lead)

    def build(count):
        for number in range(count):
            entry_templates.create_template(by=learning_lead, kind="lesson", name=f"Org {number}", body="x")
            entry_templates.create_template(by=lead, kind="lesson", team=team, name=f"Team {number}", body="y")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    build(1)
    client.get(path)
    small = queries()
    build(9)
    assert queries() == small
