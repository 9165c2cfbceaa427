"""Re-identification attempts through the API and pages, as a team lead and as an admin.

The attacker here sees only what the API returns; the test then checks, with the disclosure
package's independent attacker (exact rational row reduction), that the released groups let
no one — and no group smaller than k — be worked out.
"""

import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from learnloop.activity.models import ActivityEvent
from learnloop.audit.models import AuditEvent
from learnloop.surveys import disclosure_gate
from learnloop.surveys.disclosure_gate import GroupKey
from learnloop.surveys.models import Comment, Invitation, Response
from tests import factories
from tests.analytics.disclosure.attack import exposed_respondents, smallest_derivable_group
from tests.factories import token_client
from tests.surveys.conftest import SurveyOrg, run_campaign


def harvest(client, campaign) -> dict[str, int]:
    """Every group the viewer is shown, by asking for every group the API mentions, twice."""
    seen: dict[str, int] = {}
    queue, asked = ["org"], set()
    for _ in range(2):  # repeated queries must not reveal anything new
        asked.clear()
        queue = ["org"]
        while queue:
            key = queue.pop()
            if key in asked:
                continue
            asked.add(key)
            body = client.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report", {"group": key}).json()
            if not body["shown"]:
                continue
            for row in body["heatmap"]["rows"]:
                assert seen.setdefault(row["key"], row["size"]) == row["size"]
                queue.append(row["key"])
            for entry in body["breakdowns"]:
                if entry["released"]:
                    assert seen.setdefault(entry["key"], entry["size"]) == entry["size"]
                    queue.append(entry["key"])
            if body["group"]:
                assert seen.setdefault(body["group"]["key"], body["group"]["size"]) == body["group"]["size"]
    return seen


def members(campaign, key: str) -> set:
    """The true respondents of a group (the test's oracle, not something a viewer can read)."""
    parsed = GroupKey.parse(key)
    paths = {team_id: tuple(path) for team_id, path in campaign.hierarchy.items()}
    node = () if parsed.node == "org" else paths[parsed.node]
    result = set()
    for response in Response.objects.filter(campaign=campaign):
        path = paths.get(response.team_key, ())
        if path[: len(node)] != node:
            continue
        if all(getattr(response, name) == value for name, value in parsed.conditions):
            result.add(response.pk)
    return result


def assert_nobody_exposed(campaign, seen: dict[str, int]):
    k = campaign.threshold
    respondents = list(Response.objects.filter(campaign=campaign).values_list("pk", flat=True))
    released = [members(campaign, key) for key in seen]
    for key, size in seen.items():
        assert size >= k, key
        assert len(members(campaign, key)) == size
    assert exposed_respondents(respondents, released) == []
    assert smallest_derivable_group(respondents, released, k) is None


@pytest.fixture
def closed_pulse(survey_org):
    return run_campaign(survey_org)


@pytest.mark.parametrize("viewer", ["admin", "lead"])
def test_hierarchy_differencing_and_tiny_teams_expose_no_one(survey_org, closed_pulse, viewer):
    client = token_client(getattr(survey_org, viewer))
    seen = harvest(client, closed_pulse)
    search = str(survey_org.teams["Search"].pk)
    assert search not in seen
    assert "org" in seen
    # Search's two people were stored above Engineering at launch (a team of 2 < k can't be a
    # stored attribute), so Engineering is exactly Payments and Platform and all three can be
    # shown: their difference is empty, not Search.
    assert not Response.objects.filter(campaign=closed_pulse, team_key__in=[
        search, str(survey_org.teams["Engineering"].pk)]).exists()
    visible = ("Engineering", "Payments", "Platform") if viewer == "admin" else ("Engineering", "Payments")
    assert {str(survey_org.teams[name].pk) for name in visible} <= set(seen)
    assert seen[str(survey_org.teams["Engineering"].pk)] == 12
    assert_nobody_exposed(closed_pulse, seen)


def test_withheld_groups_say_why(survey_org, closed_pulse):
    client = token_client(survey_org.admin)
    search = survey_org.teams["Search"].pk
    body = client.get(f"/api/v1/surveys/campaigns/{closed_pulse.pk}/report", {"group": str(search)}).json()
    assert body["group"] is None
    reasons = {entry["label"]: entry["reason"] for entry in body["heatmap"]["withheld"]}
    assert "fewer than 5" in reasons["Search"]
    page = factories_client(survey_org.admin).get(f"/surveys/campaigns/{closed_pulse.pk}/report/")
    assert "Search" in page.content.decode() and "fewer than 5" in page.content.decode()


def factories_client(person):
    from tests.conftest import signed_in_client

    return signed_in_client(person)


def test_a_lead_sees_only_the_organization_and_their_own_teams(survey_org, closed_pulse):
    seen = harvest(token_client(survey_org.lead), closed_pulse)
    allowed = {"org", str(survey_org.teams["Payments"].pk), str(survey_org.teams["Engineering"].pk)}
    assert {GroupKey.parse(key).node for key in seen} <= allowed
    sales = str(survey_org.teams["Sales"].pk)
    body = token_client(survey_org.lead).get(
        f"/api/v1/surveys/campaigns/{closed_pulse.pk}/report", {"group": sales}).json()
    assert body["group"] is None


def test_filter_differencing_over_attribute_cuts_exposes_no_one(survey_org):
    # Give Payments a mix of tenures and roles so that attribute breakdowns exist.
    now = timezone.now()
    for number, person in enumerate(survey_org.people["Payments"] + survey_org.people["Sales"]):
        person.date_joined = now - timedelta(days=[100, 500, 2000][number % 3])
        person.save(update_fields=["date_joined"])
    campaign = run_campaign(survey_org)
    for viewer in (survey_org.admin, survey_org.lead):
        seen = harvest(token_client(viewer), campaign)
        assert any(";" in key for key in seen) or viewer is survey_org.lead
        assert_nobody_exposed(campaign, seen)


def test_nothing_is_shown_below_k_or_while_open(survey_org):
    few = run_campaign(survey_org, responders=survey_org.people["Sales"][:4], name="Too few")
    body = token_client(survey_org.admin).get(f"/api/v1/surveys/campaigns/{few.pk}/report").json()
    assert body == {"campaign": few.pk, "shown": False, "reason": body["reason"]} and "Fewer than 5" in body["reason"]
    open_campaign = run_campaign(survey_org, name="Still open", close=False)
    body = token_client(survey_org.admin).get(f"/api/v1/surveys/campaigns/{open_campaign.pk}/report").json()
    assert body["shown"] is False
    page = factories_client(survey_org.admin).get(f"/surveys/campaigns/{open_campaign.pk}/report/")
    assert "once the campaign closes" in page.content.decode()


def test_decisions_do_not_depend_on_request_order(survey_org, closed_pulse):
    first = disclosure_gate.compute_release(closed_pulse)
    again = disclosure_gate.compute_release(closed_pulse)
    assert first == again == closed_pulse.release


def test_no_endpoint_returns_a_response(survey_org, closed_pulse):
    schema = token_client(survey_org.admin).get("/api/v1/openapi.json").json()
    survey_paths = [path for path in schema["paths"] if "/surveys/" in path]
    assert survey_paths
    assert not any("response" in path.lower() and "respond/" not in path for path in survey_paths)
    response_id = str(Response.objects.filter(campaign=closed_pulse).first().pk)
    for path in survey_paths:
        if "{" not in path:
            assert response_id not in token_client(survey_org.admin).get(path).content.decode()


def test_comments_only_for_groups_of_at_least_k_and_never_for_a_tiny_team(survey_org):
    searcher = survey_org.people["Search"][0]
    comments = {searcher.pk: "Search secret remark", survey_org.people["Sales"][0].pk: "Sales remark"}
    campaign = run_campaign(survey_org, slug="learning-organization", comments=comments)
    client = token_client(survey_org.admin)
    shown_where = {}
    for node in ["org", *campaign.hierarchy]:
        body = client.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report", {"group": node}).json()
        for comment in body["comments"]:
            shown_where.setdefault(comment, []).append(node)
    search = str(survey_org.teams["Search"].pk)
    assert all(search not in nodes for nodes in shown_where.values())
    # Each comment is shown under one group only, so lists can't be subtracted from each other.
    assert all(len(nodes) == 1 for nodes in shown_where.values())
    for nodes in shown_where.values():
        decision = campaign.release[nodes[0]]
        assert decision["released"] and decision["size"] >= campaign.threshold


def test_respondents_and_responses_cannot_be_joined(survey_org):
    """No shared key, no time, no insertion order, no log entry ties an answer to its author."""
    before_activity, before_audit = ActivityEvent.objects.count(), AuditEvent.objects.count()
    run_campaign(survey_org, close=False, seed=7)
    assert ActivityEvent.objects.count() == before_activity + 2  # created and launched, by the admin
    assert AuditEvent.objects.count() == before_audit
    assert not ActivityEvent.objects.filter(verb__icontains="respon").exists()
    for model in (Response, Comment):
        fields = {field.name: field for field in model._meta.get_fields()}
        assert not any(field.get_internal_type() in {"DateTimeField", "DateField"} for field in fields.values()
                       if hasattr(field, "get_internal_type"))
        assert not any(getattr(field, "related_model", None) in {Invitation} or field.name in {"person", "invitation"}
                       for field in fields.values())
        assert fields["id"].get_internal_type() == "UUIDField"


def test_storage_order_is_shuffled(survey_org):
    from learnloop.surveys import services
    from learnloop.surveys.tokens import token_for

    campaign = run_campaign(survey_org, responders=[], close=False)
    instrument = campaign.instrument
    order = []
    for number, invitation in enumerate(Invitation.objects.filter(campaign=campaign).order_by("pk")[:12]):
        answers = {item.key: 1 + (number % 5) for item in instrument.items.exclude(kind="comment")}
        answers["pulse_safety"] = 1 + number // 5
        services.submit_response(token=token_for(invitation), answers=answers)
        order.append((answers["pulse_safety"], answers["pulse_leadership"]))
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers FROM {table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608
        import json

        rows = [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in cursor.fetchall()]
    stored = [(row["pulse_safety"], row["pulse_leadership"]) for row in rows]
    assert sorted(stored) == sorted(order)
    assert stored != order  # probability 1/12! of a false failure


def physical_rows(table: str, campaign_id: int, columns: str) -> list[tuple]:
    """Rows in storage order with the writing transaction: rowid on SQLite, ctid and xmin on PostgreSQL."""
    if connection.vendor == "postgresql":
        query = f"SELECT xmin::text, {columns} FROM {table} WHERE campaign_id = %s ORDER BY ctid"  # noqa: S608
    else:
        query = f"SELECT NULL, {columns} FROM {table} WHERE campaign_id = %s ORDER BY rowid"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, [campaign_id])
        return cursor.fetchall()


def test_storage_order_and_writing_transactions_do_not_link_answers_to_invitations(survey_org):
    """The attacker reads rowid (SQLite) or ctid and xmin (PostgreSQL) of responses, comments and
    invitations: the invitation marked answered in a transaction is not tied to the rows that
    transaction wrote, and storage order follows neither submission order nor invitation order."""
    import json

    from learnloop.surveys import services
    from learnloop.surveys.tokens import token_for

    campaign = run_campaign(survey_org, slug="learning-organization", responders=[], close=False)
    items = list(campaign.instrument.items.filter(kind="likert"))
    first, second = items[0].key, items[1].key
    invitations = random.Random(3).sample(list(Invitation.objects.filter(campaign=campaign).order_by("pk")), 16)
    submitted = []
    for number, invitation in enumerate(invitations):
        answers = {item.key: 1 + (number % 5) for item in items}
        answers[first] = 1 + number // 5
        answers.update({item.key: 7 for item in campaign.instrument.items.filter(kind="outcome")})
        # Each submission is its own transaction in production; here a savepoint, which
        # PostgreSQL stamps with its own (sub)transaction id just the same.
        services.submit_response(token=token_for(invitation), answers=answers, comment=f"remark {number}")
        submitted.append((answers[first], answers[second]))
    responses = physical_rows(Response._meta.db_table, campaign.pk, "answers")
    comments = physical_rows(Comment._meta.db_table, campaign.pk, "text")
    answered = physical_rows(Invitation._meta.db_table, campaign.pk, "person_id")
    assert len(comments) == 16
    contents = [json.loads(row[1]) if isinstance(row[1], str) else row[1] for row in responses]
    in_storage = [(answers[first], answers[second]) for answers in contents]
    assert sorted(in_storage) == sorted(submitted)
    # Storage order is not submission order, forwards or backwards (each 1/16! by chance).
    assert in_storage not in (submitted, submitted[::-1])
    assert [text for _, text in comments] not in (
        [f"remark {n}" for n in range(16)], [f"remark {n}" for n in range(16)][::-1])
    if connection.vendor == "postgresql":
        # Every response and comment row was last written by one transaction (the latest
        # submission), so matching an invitation's xmin to rows' xmin picks all rows or none.
        assert len({xmin for xmin, _ in responses}) == 1
        assert len({xmin for xmin, _ in comments}) == 1
        # (That transaction is the one that marked the latest respondent's invitation answered.)
        assert {xmin for xmin, _ in responses} <= {xmin for xmin, _ in answered}


def test_in_a_large_campaign_a_submission_mixes_with_a_bounded_random_sample(survey_org, monkeypatch):
    """Past SHUFFLE_MIX_SIZE earlier answers, a submission rewrites only that many (so the work per
    answer stays bounded), and its answers sit among them and the new row."""
    from learnloop.surveys import services
    from learnloop.surveys.tokens import token_for

    monkeypatch.setattr(services, "SHUFFLE_MIX_SIZE", 4)
    campaign = run_campaign(survey_org, slug="learning-organization", responders=[], close=False)
    items = list(campaign.instrument.items.exclude(kind="comment"))
    invitations = random.Random(5).sample(list(Invitation.objects.filter(campaign=campaign).order_by("pk")), 13)

    def submit(invitation, number):
        answers = {item.key: (7 if item.kind == "outcome" else 1 + number % 5) for item in items}
        answers[items[0].key] = 1 + number // 5
        services.submit_response(token=token_for(invitation), answers=answers)

    for number, invitation in enumerate(invitations[:12]):
        submit(invitation, number)
    before = storage_positions(campaign)
    submit(invitations[12], 12)
    after = storage_positions(campaign)
    key = items[0].key
    assert len(after) == 13 and set(before) < set(after)
    # The last submission wrote one fresh block: the new row and the 4 rows it mixed with, no more,
    # and in that block the new answers may sit anywhere (checked over many draws in the test above).
    if connection.vendor == "postgresql":
        written = [pk for pk, position in after.items() if pk not in before or position != before[pk]]
    else:
        # SQLite gives re-inserted rows the rowids after the largest one left, and that can be a
        # deleted row's own rowid again (when the sample held the last row): the block is the five
        # highest rowids, and every row outside it kept its place.
        written = sorted(after, key=after.get)[-5:]
        assert all(after[pk] == before[pk] for pk in after if pk not in written)
    assert len(written) == 5 and any(pk not in before for pk in written)
    newest = next(pk for pk in after if pk not in before)
    assert Response.objects.get(pk=newest).answers[key] == 1 + 12 // 5
    # Nothing lost: the earlier answers are all still there.
    assert Response.objects.filter(campaign=campaign).count() == 13


def storage_positions(campaign) -> dict:
    """{response id: where and by which transaction it is stored}: (rowid) on SQLite, (ctid, xmin)
    on PostgreSQL; a row rewritten by a later transaction changes its entry."""
    table = Response._meta.db_table
    if connection.vendor == "postgresql":
        query = f"SELECT id, ctid::text || '/' || xmin::text FROM {table} WHERE campaign_id = %s"  # noqa: S608
    else:
        query = f"SELECT id, rowid FROM {table} WHERE campaign_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, [campaign.pk])
        return {str(pk): position for pk, position in cursor.fetchall()}


def test_randomized_organizations_expose_no_one(db):
    """Small random organizations: random team sizes, tenures, roles and who answers."""
    for seed in range(3):
        rng = random.Random(seed)
        factories.organization(anonymity_threshold=rng.choice([3, 4, 5]))
        admin = factories.person(role="admin")
        department = factories.team(name=f"Dept {seed}", kind="department")
        teams = {f"T{seed}-{n}": factories.team(name=f"T{seed}-{n}", parent=department) for n in range(4)}
        org = SurveyOrg(admin=admin, lead=None, teams=teams)
        now = timezone.now()
        for name, team in teams.items():
            org.people[name] = []
            for number in range(rng.randint(2, 9)):
                person = factories.person(date_joined=now - timedelta(days=rng.choice([50, 700, 2000])))
                factories.membership(person, team, role="facilitator" if number == 0 and rng.random() < 0.5
                                     else "member")
                org.people[name].append(person)
        from learnloop.surveys import services

        services.install_built_in_instruments()
        everyone = [person for people in org.people.values() for person in people]
        responders = [person for person in everyone if rng.random() < 0.85]
        campaign = run_campaign(org, responders=responders, name=f"Sim {seed}", seed=seed, teams=[department])
        seen = harvest(token_client(admin), campaign)
        assert_nobody_exposed(campaign, seen)


def test_deleting_a_team_later_does_not_move_answers_between_audited_groups(survey_org, closed_pulse):
    engineering = str(survey_org.teams["Engineering"].pk)
    before = harvest(token_client(survey_org.admin), closed_pulse)
    survey_org.teams["Search"].delete()
    after = harvest(token_client(survey_org.admin), closed_pulse)
    assert before == after
    assert len(members(closed_pulse, engineering)) == 12  # Payments and Platform; Search's 2 are stored above


@pytest.mark.parametrize("viewer", ["admin", "lead"])
def test_pages_show_no_more_than_the_api(survey_org, closed_pulse, viewer):
    person = getattr(survey_org, viewer)
    seen = harvest(token_client(person), closed_pulse)
    page_client = factories_client(person)
    search = survey_org.teams["Search"].pk
    for key in [*seen, str(search), f"{search};role=member", "org;tenure=under 1 year"]:
        page = page_client.get(f"/surveys/campaigns/{closed_pulse.pk}/report/", {"group": key}).content.decode()
        rows = set(re.findall(r'<tr data-group="([^"]+)"', page))
        assert rows <= set(seen)
        sizes = re.findall(r'id="detail-heading">.*?<small>\((\d+) respondents\)', page, re.S)
        if key in seen:
            assert sizes == [str(seen[key])]
        else:
            assert sizes == [] and 'id="scores"' not in page
