"""Causal loop diagrams: saving versions, loops and archetypes read on save, the table view's
forms, permissions, attachments, bindings and interventions."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from learnloop.actions.models import Action
from learnloop.experiments.models import Experiment
from learnloop.systems import diagram_services as services
from learnloop.systems.diagram_models import Diagram, DiagramVersion
from tests.conftest import signed_in_client

FIXES = {
    "variables": [{"name": "Duplicate payouts"}, {"name": "Manual refunds"}, {"name": "Reconciliation backlog"}],
    "links": [
        {"source": "Duplicate payouts", "target": "Manual refunds", "polarity": "+"},
        {"source": "Manual refunds", "target": "Duplicate payouts", "polarity": "-"},
        {"source": "Manual refunds", "target": "Reconciliation backlog", "polarity": "+", "delay": True},
        {"source": "Reconciliation backlog", "target": "Duplicate payouts", "polarity": "+"},
    ],
}


@pytest.fixture
def diagram(crew, member):
    return services.create_diagram(by=member, title="Payout fixes", team=crew, content=FIXES)


def test_each_save_is_a_version_and_the_loops_are_read_again(diagram, member):
    assert diagram.version == 1
    assert [m["archetype"] for m in diagram.analysis["archetypes"]["matches"]] == ["fixes_that_fail"]
    services.remove_link(by=member, diagram=diagram, source="Reconciliation backlog", target="Duplicate payouts")
    diagram.refresh_from_db()
    assert diagram.version == 2 and diagram.analysis["archetypes"]["matches"] == []
    assert [loop["polarity"] for loop in diagram.analysis["loops"]["loops"]] == ["balancing"]
    assert list(DiagramVersion.objects.filter(diagram=diagram).values_list("number", flat=True)) == [2, 1]
    services.restore_version(by=member, diagram=diagram, number=1)
    diagram.refresh_from_db()
    assert diagram.version == 3 and diagram.content["links"] == DiagramVersion.objects.get(
        diagram=diagram, number=1).content["links"]


def test_a_stale_save_is_refused_and_bad_models_name_the_problem(diagram, member):
    services.add_variable(by=member, diagram=diagram, name="Carrier trust")
    with pytest.raises(ValidationError, match="Someone saved version 2"):
        services.save_diagram(by=member, diagram=diagram, content=FIXES, base_version=1)
    bad = {"variables": ["A"], "links": [{"source": "A", "target": "Nowhere", "polarity": "+"}]}
    with pytest.raises(ValidationError, match="Nowhere"):
        services.save_diagram(by=member, diagram=diagram, content=bad)
    with pytest.raises(ValidationError, match="polarity"):
        services.save_diagram(by=member, diagram=diagram, content={
            "variables": ["A", "B"], "links": [{"source": "A", "target": "B", "polarity": "maybe"}]})
    with pytest.raises(ValidationError):
        services.save_diagram(by=member, diagram=diagram, content={"variables": [], "links": [], "extra": 1})
    diagram.refresh_from_db()
    assert diagram.version == 2


def test_who_may_see_and_edit(diagram, outsider, lead, member):
    assert Diagram.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.add_variable(by=outsider, diagram=diagram, name="X")
    with pytest.raises(PermissionDenied):
        services.create_diagram(by=member, title="Org-wide", team=None)
    assert services.create_diagram(by=lead, title="Org-wide", team=None).team is None
    assert signed_in_client(outsider).get(reverse("systems:diagram", args=[diagram.pk])).status_code == 404
    page = signed_in_client(outsider).get(reverse("systems:diagrams"))
    assert "Payout fixes" not in page.content.decode() and "Org-wide" in page.content.decode()


def test_the_page_lists_loops_archetype_and_tables(diagram, member):
    page = signed_in_client(member).get(reverse("systems:diagram", args=[diagram.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Fixes that fail" in text and 'id="loop-table"' in text and "reinforcing" in text
    data = json.loads(text.split('id="diagram-editor-data" type="application/json">')[1].split("</script>")[0])
    assert data["version"] == 1 and len(data["content"]["links"]) == 4


def test_table_view_forms_work_without_the_canvas(diagram, member):
    client = signed_in_client(member)
    url = reverse("systems:diagram_change", args=[diagram.pk, "variable"])
    assert client.post(url, {"name": "Carrier trust"}).status_code == 302
    url = reverse("systems:diagram_change", args=[diagram.pk, "link"])
    link = {"source": "Carrier trust", "target": "Duplicate payouts", "polarity": "-"}
    assert client.post(url, link).status_code == 302
    again = client.post(url, {"source": "Carrier trust", "target": "Duplicate payouts", "polarity": "-"})
    assert again.status_code == 400 and "already a link" in again.content.decode()
    unknown = client.post(url, {"source": "Ghost", "target": "Duplicate payouts", "polarity": "+"})
    assert unknown.status_code == 400
    client.post(reverse("systems:diagram_remove", args=[diagram.pk]), {"name": "Carrier trust"})
    diagram.refresh_from_db()
    assert diagram.version == 4 and "Carrier trust" not in [v["name"] for v in diagram.content["variables"]]
    assert client.post(reverse("systems:diagram_change", args=[diagram.pk, "nope"]), {}).status_code == 404


def test_the_editor_save_keeps_the_drawing_when_refused(diagram, member):
    client = signed_in_client(member)
    url = reverse("systems:diagram_save", args=[diagram.pk])
    moved = json.loads(json.dumps(FIXES))
    moved["variables"][0].update(x=10.0, y=20.0)
    assert client.post(url, {"content": json.dumps(moved), "base_version": 1}).status_code == 302
    diagram.refresh_from_db()
    assert diagram.content["variables"][0]["x"] == 10.0
    refused = client.post(url, {"content": json.dumps(FIXES), "base_version": 1})
    assert refused.status_code == 400 and "Someone saved version 2" in refused.content.decode()
    assert client.post(url, {"content": "{oops", "base_version": 2}).status_code == 400
    diagram.refresh_from_db()
    assert diagram.version == 2


def test_binding_and_correlation_table(diagram, member, crew):
    services.bind_variable(by=member, diagram=diagram, name="Manual refunds", binding={"metric": "completion_rate"})
    services.bind_variable(by=member, diagram=diagram, name="Duplicate payouts",
                           binding={"metric": "overdue_count"})
    with pytest.raises(ValidationError, match="Unknown metric"):
        services.bind_variable(by=member, diagram=diagram, name="Manual refunds", binding={"metric": "vibes"})
    page = signed_in_client(member).get(reverse("systems:diagram", args=[diagram.pk])).content.decode()
    assert 'id="bound-table"' in page and "Action completion rate" in page
    assert "Correlation is not causation" in page and 'id="correlation-table"' in page


def test_an_intervention_becomes_a_draft_experiment_or_an_action(diagram, member, crew):
    client = signed_in_client(member)
    url = reverse("systems:diagram_intervene", args=[diagram.pk])
    answer = client.post(url, {"variable": "Manual refunds", "link_target": "Reconciliation backlog",
                               "kind": "experiment", "description": "Refund through the carrier's API"})
    experiment = Experiment.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("experiments:detail", args=[experiment.pk])
    assert experiment.change == "Refund through the carrier's API" and experiment.team == crew
    assert "B1 (balancing)" in experiment.effect or "R2 (reinforcing)" in experiment.effect
    client.post(url, {"variable": "Duplicate payouts", "kind": "action"})
    action = Action.objects.get()
    assert action.source_type == "systems.diagram" and action.source_id == str(diagram.pk)
    page = client.get(reverse("systems:diagram", args=[diagram.pk])).content.decode()
    assert f"Experiment: {experiment.title}" in page and "Intervene on Duplicate payouts" in page
    bad = client.post(url, {"variable": "Manual refunds", "link_target": "Duplicate payouts", "kind": "experiment"})
    assert bad.status_code == 302  # that link exists
    wrong = client.post(url, {"variable": "Duplicate payouts", "link_target": "Reconciliation backlog",
                              "kind": "action"})
    assert wrong.status_code == 400 and "no link" in wrong.content.decode()


def test_attachments_resolve_for_the_viewer_only(diagram, member, crew, outsider):
    experiment_answer = services.create_intervention(by=member, diagram=diagram, kind="experiment",
                                                     variable="Manual refunds")
    assert diagram.attachments.filter(target_type="experiments.experiment",
                                      target_id=experiment_answer.target_id).exists()
    with pytest.raises(ValidationError):
        services.attach(by=member, diagram=diagram, target_type="actions.action", target_id="1")
    with pytest.raises(ValidationError):
        services.attach(by=member, diagram=diagram, target_type="reflection.session", target_id="999")


def test_comments_carry_the_version(diagram, member):
    client = signed_in_client(member)
    client.post(reverse("systems:diagram_change", args=[diagram.pk, "comment"]), {"text": "Is the delay real?"})
    assert diagram.comments.get().version == 1
    assert client.post(reverse("systems:diagram_change", args=[diagram.pk, "comment"]), {"text": ""}).status_code == 400


def test_an_old_version_can_be_viewed(diagram, member):
    services.add_variable(by=member, diagram=diagram, name="Carrier trust")
    page = signed_in_client(member).get(reverse("systems:diagram_version", args=[diagram.pk, 1])).content.decode()
    assert "version 1" in page and "Carrier trust" not in page.split("diagram-editor-data")[0]
    assert signed_in_client(member).get(reverse("systems:diagram_version", args=[diagram.pk, 9])).status_code == 404


def test_outsiders_cannot_change_or_follow_a_team_diagram(diagram, outsider, api_as, crew):
    from tests import factories

    client = signed_in_client(outsider)
    for url, data in ((reverse("systems:diagram_change", args=[diagram.pk, "variable"]), {"name": "X"}),
                      (reverse("systems:diagram_save", args=[diagram.pk]), {"content": "{}", "base_version": 1}),
                      (reverse("systems:diagram_remove", args=[diagram.pk]), {"name": "Manual refunds"}),
                      (reverse("systems:diagram_intervene", args=[diagram.pk]), {"variable": "Manual refunds",
                                                                                  "kind": "action"}),
                      (reverse("systems:diagram_restore", args=[diagram.pk, 1]), {})):
        assert client.post(url, data).status_code == 404, url
    api = api_as(outsider)
    assert api.put(f"/api/v1/systems/diagrams/{diagram.pk}", {"content": FIXES},
                   content_type="application/json").status_code == 404
    # A person of the organization who may see an organization-wide diagram but not edit it.
    lead = factories.person(role="learning_lead")
    org_diagram = services.create_diagram(by=lead, title="Org", content=FIXES)
    refused = api.put(f"/api/v1/systems/diagrams/{org_diagram.pk}", {"content": FIXES},
                      content_type="application/json")
    assert refused.status_code == 403
    assert client.post(reverse("systems:diagram_change", args=[org_diagram.pk, "variable"]),
                       {"name": "X"}).status_code == 400
    org_diagram.refresh_from_db()
    assert org_diagram.version == 1
    # The diagram as an action's source resolves only for those who may see it.
    from learnloop.links import registry

    assert registry.resolve(outsider, [("systems.diagram", str(diagram.pk))]) == {}
    assert registry.resolve(outsider, [("systems.diagram", str(org_diagram.pk))])
