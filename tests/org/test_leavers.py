"""Leavers: deactivating someone hands what still needs an owner to their manager or team lead
(or whom the admin names) in one transaction with an audit event; what is left shows in the
orphaned-ownership report. Only admins deactivate, hand over and see the report."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from learnloop.actions import services as actions
from learnloop.actions.models import Action
from learnloop.audit.models import AuditEvent
from learnloop.experiments.models import Experiment
from learnloop.knowledge import services as knowledge
from learnloop.knowledge.models import Entry
from learnloop.org import ownership, selectors, services
from learnloop.org.models import Membership
from tests import factories
from tests.conftest import signed_in_client
from tests.experiments.conftest import register

pytestmark = pytest.mark.django_db
API = "/api/v1"
JSON = "application/json"


@pytest.fixture
def crew(admin, team):
    """Payments: a lead, the leaver (who owns one of everything) and a teammate; the leaver's manager."""
    lead = factories.person(full_name="Lee Lead")
    factories.membership(lead, team, role="facilitator")
    manager = factories.person(full_name="Max Manager")
    leaver = factories.person(full_name="Liv Leaver", manager=manager)
    factories.membership(leaver, team)
    mate = factories.person(full_name="Tam Teammate")
    factories.membership(mate, team)
    return {"admin": admin, "team": team, "lead": lead, "manager": manager, "leaver": leaver, "mate": mate}


def give_work(person, team) -> dict:
    open_action = actions.create_action(by=person, title=f"Write the runbook ({person.pk})", team=team, owner=person)
    checked_later = actions.create_action(by=person, title=f"Try pairing ({person.pk})", team=team, owner=person)
    actions.complete_action(by=person, action=checked_later, check_on=timezone.localdate() + timedelta(days=30))
    closed = actions.create_action(by=person, title=f"Done and checked ({person.pk})", team=team, owner=person)
    actions.complete_action(by=person, action=closed, effect="worked")
    entry = knowledge.create_entry(by=person, kind="lesson", title=f"Small deploys ({person.pk})", body="Ship small.")
    experiment = register(person, team, title=f"Checkout ({person.pk})")
    return {"open": open_action, "check": checked_later, "closed": closed, "entry": entry, "experiment": experiment}


def owners(work) -> dict:
    return {
        "open": Action.objects.get(pk=work["open"].pk).owner_id,
        "check": Action.objects.get(pk=work["check"].pk).owner_id,
        "closed": Action.objects.get(pk=work["closed"].pk).owner_id,
        "entry": Entry.objects.get(pk=work["entry"].pk).owner_person_id,
        "experiment": Experiment.objects.get(pk=work["experiment"].pk).owner_id,
    }


def test_deactivating_hands_open_work_to_the_manager_with_an_audit_event(crew):
    work = give_work(crew["leaver"], crew["team"])
    services.deactivate_person(by=crew["admin"], person=crew["leaver"])
    manager = crew["manager"].pk
    assert owners(work) == {"open": manager, "check": manager, "closed": crew["leaver"].pk, "entry": manager,
                            "experiment": manager}
    event = AuditEvent.objects.get(kind="person_deactivated", target=crew["leaver"].email)
    assert event.detail == {"handed_over_to": crew["manager"].email, "moved": {
        "knowledge.entries": 1, "actions.open": 1, "actions.checks": 1, "experiments.unfinished": 1}}
    # What they wrote stays theirs.
    assert Entry.objects.get(pk=work["entry"].pk).author_id == crew["leaver"].pk


def test_without_a_manager_the_team_lead_takes_over(crew):
    crew["leaver"].manager = None
    crew["leaver"].save()
    work = give_work(crew["leaver"], crew["team"])
    assert services.default_successor(crew["leaver"]) == crew["lead"]
    services.deactivate_person(by=crew["admin"], person=crew["leaver"])
    assert owners(work)["open"] == crew["lead"].pk and owners(work)["entry"] == crew["lead"].pk


def test_the_admin_may_name_the_new_owner(crew):
    work = give_work(crew["leaver"], crew["team"])
    services.deactivate_person(by=crew["admin"], person=crew["leaver"], new_owner=crew["mate"])
    assert set(owners(work).values()) == {crew["mate"].pk, crew["leaver"].pk}  # the closed action stays theirs
    with pytest.raises(ValidationError) as gone:
        services.deactivate_person(by=crew["admin"], person=crew["mate"], new_owner=crew["leaver"])
    assert "new_owner" in gone.value.message_dict


def test_nobody_to_take_over_is_refused_unless_kept_and_then_reported(crew):
    loner = factories.person(full_name="Nia Nobody")
    factories.membership(loner, crew["team"])
    work = give_work(loner, crew["team"])
    Membership.objects.filter(person=crew["lead"]).update(role="member")  # the team has no lead now
    with pytest.raises(ValidationError) as refused:
        services.deactivate_person(by=crew["admin"], person=loner)
    assert "new_owner" in refused.value.message_dict
    loner.refresh_from_db()
    assert loner.is_active and owners(work)["open"] == loner.pk
    services.deactivate_person(by=crew["admin"], person=loner, keep_ownership=True)
    assert owners(work)["open"] == loner.pk
    rows = selectors.orphaned_ownership(viewer=crew["admin"])
    assert [(row["person"], row["total"]) for row in rows] == [(loner, 4)]
    moved = services.hand_over_ownership(by=crew["admin"], person=loner, new_owner=crew["mate"])
    assert moved == {"knowledge.entries": 1, "actions.open": 1, "actions.checks": 1, "experiments.unfinished": 1}
    assert selectors.orphaned_ownership(viewer=crew["admin"]) == []
    event = AuditEvent.objects.get(kind="ownership_handed_over")
    assert event.target == loner.email and event.detail["handed_over_to"] == crew["mate"].email


def test_a_failing_hand_over_leaves_everything_as_it_was(crew):
    work = give_work(crew["leaver"], crew["team"])

    def broken(**_kwargs):
        raise RuntimeError("the experiments app could not hand over")

    ownership.register(ownership.OwnedKind(key="zz.broken", label="Broken", count_by_owner=lambda ids: {},
                                           hand_over=broken, order=99))
    try:
        with pytest.raises(RuntimeError):
            services.deactivate_person(by=crew["admin"], person=crew["leaver"])
    finally:
        ownership._kinds.pop("zz.broken")
    crew["leaver"].refresh_from_db()
    assert crew["leaver"].is_active and set(owners(work).values()) == {crew["leaver"].pk}
    assert not AuditEvent.objects.filter(kind="person_deactivated").exists()


def test_only_admins_deactivate_hand_over_and_see_orphans(crew):
    give_work(crew["leaver"], crew["team"])
    for who in ("lead", "manager", "mate"):
        with pytest.raises(PermissionDenied):
            services.deactivate_person(by=crew[who], person=crew["leaver"])
    services.deactivate_person(by=crew["admin"], person=crew["leaver"], keep_ownership=True)
    lead_api = factories.token_client(crew["lead"])
    assert lead_api.post(f"{API}/people/{crew['mate'].pk}/deactivate").status_code == 403
    assert lead_api.get(f"{API}/people/orphans").status_code == 403
    hand_over = lead_api.post(f"{API}/people/{crew['leaver'].pk}/hand-over",
                              json.dumps({"new_owner_id": crew["lead"].pk}), content_type=JSON)
    assert hand_over.status_code == 403
    lead_web = signed_in_client(crew["lead"])
    assert lead_web.get("/people/orphans/").status_code == 403
    assert lead_web.get(f"/people/{crew['mate'].pk}/deactivate/").status_code == 403
    assert lead_web.post(f"/people/{crew['mate'].pk}/deactivate/", {}).status_code == 403
    refused = lead_web.post(f"/people/{crew['leaver'].pk}/hand-over/", {f"p{crew['leaver'].pk}-new_owner":
                                                                         crew["lead"].pk})
    assert refused.status_code == 403
    crew["mate"].refresh_from_db()
    assert crew["mate"].is_active
    assert Action.objects.filter(owner=crew["leaver"], status="open").exists()


def test_deactivate_and_hand_over_through_the_api(crew):
    work = give_work(crew["leaver"], crew["team"])
    client = factories.token_client(crew["admin"])
    bad = client.post(f"{API}/people/{crew['leaver'].pk}/deactivate?new_owner_id=999999")
    assert bad.status_code == 400 and "new_owner_id" in bad.json()["errors"]
    itself = client.post(f"{API}/people/{crew['leaver'].pk}/deactivate?new_owner_id={crew['leaver'].pk}")
    assert itself.status_code == 400 and "new_owner_id" in itself.json()["errors"]
    kept = client.post(f"{API}/people/{crew['leaver'].pk}/deactivate?keep_ownership=true")
    assert kept.status_code == 200 and kept.json()["is_active"] is False
    report = client.get(f"{API}/people/orphans").json()["items"]
    assert [(row["person"]["id"], row["total"]) for row in report] == [(crew["leaver"].pk, 4)]
    assert {item["key"] for item in report[0]["items"]} == {
        "knowledge.entries", "actions.open", "actions.checks", "experiments.unfinished"}
    moved = client.post(f"{API}/people/{crew['leaver'].pk}/hand-over", json.dumps({"new_owner_id": crew["lead"].pk}),
                        content_type=JSON)
    assert moved.status_code == 200 and moved.json()["moved"]["actions.open"] == 1
    assert owners(work)["experiment"] == crew["lead"].pk and client.get(f"{API}/people/orphans").json()["items"] == []
    # Without a body, deactivating still works and hands over to the default (the manager).
    other = factories.person(full_name="Otis Other", manager=crew["manager"])
    factories.membership(other, crew["team"])
    other_work = give_work(other, crew["team"])
    assert client.post(f"{API}/people/{other.pk}/deactivate").status_code == 200
    assert owners(other_work)["open"] == crew["manager"].pk


def test_the_deactivate_page_proposes_the_manager_and_hands_over(crew):
    work = give_work(crew["leaver"], crew["team"])
    client = signed_in_client(crew["admin"])
    page = client.get(f"/people/{crew['leaver'].pk}/deactivate/").content.decode()
    assert "Max Manager" in page and "their manager" in page and "Open actions" in page
    assert f'value="{crew["manager"].pk}" selected' in page
    both = client.post(f"/people/{crew['leaver'].pk}/deactivate/",
                       {"new_owner": crew["mate"].pk, "keep_ownership": "on"})
    assert both.status_code == 400 and "not both" in both.content.decode()
    done = client.post(f"/people/{crew['leaver'].pk}/deactivate/", {"new_owner": crew["mate"].pk}, follow=True)
    assert "Tam Teammate took over" in done.content.decode()
    assert owners(work)["open"] == crew["mate"].pk


def test_the_cli_lists_orphans_and_hands_them_over(crew):
    give_work(crew["leaver"], crew["team"])
    services.deactivate_person(by=crew["admin"], person=crew["leaver"], keep_ownership=True)
    out = StringIO()
    call_command("people", "orphans", stdout=out)
    assert crew["leaver"].email in out.getvalue() and "1 open actions" in out.getvalue()
    out = StringIO()
    call_command("people", "orphans", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())[0]["total"] == 4
    out = StringIO()
    call_command("people", "hand-over", crew["leaver"].email, "--to", crew["lead"].email, "--as", crew["admin"].email,
                 stdout=out)
    assert crew["lead"].email in out.getvalue()
    out = StringIO()
    call_command("people", "orphans", stdout=out)
    assert "Nothing is orphaned" in out.getvalue()


def _orphans_page_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/people/orphans/").status_code == 200
    return len(queries)


def test_the_orphans_report_costs_the_same_at_1x_and_10x(crew):
    client = signed_in_client(crew["admin"])

    def leavers(count):
        for number in range(count):
            person = factories.person(full_name=f"Gone {number}")
            factories.membership(person, crew["team"])
            give_work(person, crew["team"])
            services.deactivate_person(by=crew["admin"], person=person, keep_ownership=True)

    leavers(1)
    one = _orphans_page_queries(client)
    leavers(9)
    ten = _orphans_page_queries(client)
    assert one == ten
    assert client.get("/people/orphans/").content.decode().count('data-person="') == 10
