"""The learning-practice library: what it covers, importing it (CLI, web, API) and suggesting from it."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.audit.models import AuditEvent
from learnloop.knowledge import services
from learnloop.knowledge.models import Entry
from learnloop.knowledge.practice_library import import_library, library, practices_for
from learnloop.surveys.instrument_files import built_in_files, parse_instrument
from learnloop.surveys.models import Barrier
from tests import factories


def practice_entries():
    return Entry.objects.filter(tags__name="practice")


def barrier_tags(entry) -> set[str]:
    return {name for name in entry.tags.values_list("name", flat=True) if name.startswith("barrier:")}


# --- The library -------------------------------------------------------------------------------------


def test_every_barrier_and_every_built_in_dimension_has_a_practice():
    barriers = {barrier for practice in library() for barrier in practice.barriers}
    dimensions = {dimension for practice in library() for dimension in practice.dimensions}
    instrument_dimensions = {
        dimension.key for path in built_in_files() for dimension in parse_instrument(path.read_text()).dimensions
    }
    assert set(Barrier.values) <= barriers and barriers <= set(Barrier.values)
    assert instrument_dimensions <= dimensions and dimensions <= instrument_dimensions
    assert {"safety", "vision", "mastery", "sharing", "time", "psych_safety"} <= instrument_dimensions


def test_each_practice_is_a_concise_playbook_with_the_same_parts():
    slugs = [practice.slug for practice in library()]
    assert len(slugs) == len(set(slugs)) and 14 <= len(slugs) <= 18
    for practice in library():
        words = len(practice.body.split())
        assert 150 <= words <= 320, (practice.slug, words)
        for part in ("## When to use", "## Steps", "## What good looks like", "## Pitfalls"):
            assert part in practice.body, (practice.slug, part)
        assert practice.barriers and practice.dimensions, practice.slug


# --- Importing -----------------------------------------------------------------------------------------


def test_nothing_is_imported_unless_asked(admin):
    assert not practice_entries().exists()


def test_cli_import_is_idempotent_and_keeps_local_edits(admin, member):
    out = io.StringIO()
    call_command("knowledge", "practices", "import", "--dry-run", stdout=out)
    assert f"{len(library())} practice playbooks would be imported" in out.getvalue()
    assert not practice_entries().exists()

    call_command("knowledge", "practices", "import", stdout=io.StringIO())
    entries = list(practice_entries())
    assert len(entries) == len(library())
    assert {entry.author_id for entry in entries} == {admin.pk}
    assert all(entry.kind == "playbook" and entry.owner_person_id == admin.pk for entry in entries)
    assert AuditEvent.objects.filter(kind="import", target="learning-practice library").count() == 1

    # Renamed by the organization: it is still the same practice, so it is neither duplicated nor reset.
    postmortem = Entry.objects.get(tags__name="practice:blameless-postmortem")
    services.update_entry(by=admin, entry=postmortem, title="Our postmortem routine", change_note="Our words")
    again = io.StringIO()
    call_command("knowledge", "practices", "import", stdout=again)
    assert f"0 practice playbooks were imported; {len(library())} already" in again.getvalue()
    assert practice_entries().count() == len(library())
    postmortem.refresh_from_db()
    assert postmortem.title == "Our postmortem routine"


def test_cli_import_needs_an_admin(member):
    with pytest.raises(CommandError, match="no active admin"):
        call_command("knowledge", "practices", "import", stdout=io.StringIO())
    with pytest.raises(CommandError, match="only admins"):
        call_command("knowledge", "practices", "import", "--as", member.email, stdout=io.StringIO())
    assert not practice_entries().exists()


def test_web_import_for_admins_only_and_idempotent(admin_client, member_client):
    assert member_client.post("/knowledge/transfer/practices/").status_code == 403
    assert not practice_entries().exists()
    page = member_client.get("/knowledge/transfer/practices/")
    assert page.status_code == 200 and "Only admins can import" in page.content.decode()

    offer = admin_client.get("/knowledge/transfer/practices/").content.decode()
    assert f"Import {len(library())} practice playbooks" in offer
    for _ in range(2):
        response = admin_client.post("/knowledge/transfer/practices/")
        assert response.status_code == 302
    assert practice_entries().count() == len(library())
    page = admin_client.get("/knowledge/transfer/practices/").content.decode()
    assert "Every practice of the library is in your knowledge base" in page
    assert 'id="practices-import"' not in page


def test_api_import_for_admins_only_and_idempotent(admin, member, api_as):
    url = "/api/v1/knowledge/practices/import"
    refused = api_as(member).post(url, "{}", content_type="application/json")
    assert refused.status_code == 403 and not practice_entries().exists()

    client = api_as(admin)
    dry = client.post(url, json.dumps({"dry_run": True}), content_type="application/json").json()
    assert dry["dry_run"] and len(dry["created"]) == len(library()) and not practice_entries().exists()
    assert all(row["entry_id"] is None for row in dry["created"])

    first = client.post(url, "{}", content_type="application/json").json()
    assert len(first["created"]) == len(library()) and first["skipped"] == []
    created_ids = {row["entry_id"] for row in first["created"]}
    assert created_ids == set(practice_entries().values_list("pk", flat=True))

    second = client.post(url, content_type="application/json").json()
    assert second["created"] == [] and {row["entry_id"] for row in second["skipped"]} == created_ids
    assert practice_entries().count() == len(library())


# --- Suggestions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("barrier", Barrier.values)
def test_suggestions_for_each_barrier_come_from_its_tag(admin, member, barrier):
    import_library(by=admin)
    suggested = practices_for(viewer=member, barrier=barrier, limit=3)
    assert len(suggested) == 3
    assert all(f"barrier:{barrier}" in barrier_tags(entry) for entry in suggested)


def test_weak_dimensions_rank_the_practices_that_serve_them_first(admin, member):
    import_library(by=admin)
    suggested = practices_for(viewer=member, barrier="silos", dimensions=["systems"], limit=2)
    for entry in suggested:
        assert {"barrier:silos", "dimension:systems"} <= set(entry.tags.values_list("name", flat=True))


def test_the_organizations_own_tagged_playbooks_come_first(admin, member, team):
    import_library(by=admin)
    own = services.create_entry(by=member, kind="playbook", title="Our guild meetings", body="Monthly.",
                                 tags=["barrier:silos"])
    factories.membership(admin, team)
    hidden = services.create_entry(
        by=admin, kind="playbook", title="Team-only swap notes", body="Notes.", tags=["barrier:silos"],
        visibility="team", owner_team=team, teams=[team],
    )
    retired = services.create_entry(
        by=member, kind="playbook", title="Old wiki day", body="Gone.", tags=["barrier:silos"]
    )
    services.mark_obsolete(by=member, entry=retired, reason="We stopped")
    titles = [entry.title for entry in practices_for(viewer=member, barrier="silos", limit=3)]
    assert titles[0] == own.title
    assert hidden.title not in titles and retired.title not in titles
    assert len(titles) == 3
    assert hidden.title in [entry.title for entry in practices_for(viewer=admin, barrier="silos", limit=3)]


def test_search_is_the_fallback_only_when_nothing_is_tagged(member):
    untagged = services.create_entry(
        by=member, kind="playbook", title="Handover checklist for knowledge sharing", body="Write a wiki page."
    )
    assert practices_for(viewer=member, barrier="silos") == []
    found = practices_for(viewer=member, barrier="silos", fallback_query="knowledge sharing handover")
    assert [entry.pk for entry in found] == [untagged.pk]
    services.create_entry(by=member, kind="playbook", title="Guild meetings", body="Monthly.", tags=["barrier:silos"])
    tagged = practices_for(viewer=member, barrier="silos", fallback_query="knowledge sharing handover")
    assert [entry.title for entry in tagged] == ["Guild meetings"]


def _tagged_playbooks(by, count: int, start: int) -> None:
    for number in range(start, start + count):
        services.create_entry(
            by=by, kind="playbook", title=f"Playbook {number}", body="Steps.",
            tags=["barrier:silos", f"dimension:d{number % 3}"],
        )


def test_suggestion_query_count_does_not_grow_with_the_knowledge_base(admin, member):
    import_library(by=admin)

    def queries() -> int:
        member.refresh_from_db()  # measured cold, as in a fresh request: no team answers kept on the object
        member.__dict__.pop("_learnloop_team_access", None)
        with CaptureQueriesContext(connection) as captured:
            assert practices_for(viewer=member, barrier="silos", dimensions=["sharing", "systems"], limit=3)
        return len(captured)

    _tagged_playbooks(member, 3, 0)
    small = queries()
    _tagged_playbooks(member, 27, 3)
    assert queries() == small
    assert small <= 3  # the viewer's teams, the candidate playbooks, their tags (shared by every barrier asked)


def test_asking_for_several_barriers_at_once_answers_as_asking_one_by_one(admin, member):
    from learnloop.knowledge.practice_library import practices_for_each

    import_library(by=admin)
    _tagged_playbooks(member, 6, 0)
    asks = [("silos", ["sharing", "systems"], "silos"), ("time", ["time"], "time"),
            ("silos", ["d1"], ""), ("nothing-tagged", [], "")]
    one_by_one = [practices_for(viewer=member, barrier=barrier, dimensions=dimensions, limit=3, fallback_query=query)
                  for barrier, dimensions, query in asks]
    together = practices_for_each(viewer=member, wanted=asks, limit=3)
    assert [[entry.pk for entry in entries] for entries in together] == \
        [[entry.pk for entry in entries] for entries in one_by_one]
    assert together[0] and together[2]
    with CaptureQueriesContext(connection) as captured:
        practices_for_each(viewer=member, wanted=asks * 3, limit=3)
    assert len(captured) <= 3
