"""References through the API: invalid and unauthorized ones answer 400 naming the field, valid
ones come back as links, and the target lists its lessons back."""

import json

import pytest

from learnloop.knowledge.models import Application
from tests.links.conftest import lesson_for

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type=JSON)


def applications(entry_id):
    return f"/api/v1/knowledge/entries/{entry_id}/applications"


def test_unknown_type_is_400_on_context_type(api_as, member):
    entry = lesson_for(member)
    response = post(api_as(member), applications(entry.pk), {"context_type": "no.such.type", "context_id": "99999"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["context_type"]
    assert not Application.objects.exists()


def test_missing_id_is_400_on_context_id(api_as, member):
    entry = lesson_for(member)
    client = api_as(member)
    for body in ({"context_type": "reflection.session", "context_id": "99999"},
                 {"context_type": "reflection.session", "context_id": ""},
                 {"context_type": "actions.action", "context_id": "not-a-number"}):
        response = post(client, applications(entry.pk), body)
        assert response.status_code == 400, body
        assert list(response.json()["errors"]) == ["context_id"], body
    response = post(client, applications(entry.pk), {"context_id": "5"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["context_type"]
    assert not Application.objects.exists()


def test_another_teams_session_reads_like_a_missing_one(api_as, retro, outsider):
    entry = lesson_for(outsider)
    client = api_as(outsider)
    hidden = post(client, applications(entry.pk), {"context_type": "reflection.session",
                                                   "context_id": str(retro["session"].pk)})
    missing = post(client, applications(entry.pk), {"context_type": "reflection.session", "context_id": "99999"})
    assert hidden.status_code == missing.status_code == 400
    normalize = lambda r, i: r.json()["errors"]["context_id"][0].replace(i, "N")  # noqa: E731
    assert normalize(hidden, str(retro["session"].pk)) == normalize(missing, "99999")
    for path in (f"/api/v1/actions/{retro['action'].pk}",):
        assert client.get(path).status_code == 404


def test_a_card_or_a_check_is_not_a_place(api_as, retro, member):
    entry = lesson_for(member)
    response = post(api_as(member), applications(entry.pk), {"context_type": "reflection.card",
                                                             "context_id": str(retro["card"].pk)})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["context_type"]


def test_applied_in_a_session_is_a_link_and_listed_back_on_the_session(api_as, retro, member):
    entry = lesson_for(member, title="Pair on every release")
    client = api_as(member)
    session = retro["session"]
    response = post(client, applications(entry.pk), {"context_type": "reflection.session",
                                                     "context_id": str(session.pk), "outcome": "worked"})
    assert response.status_code == 201, response.content
    place = response.json()["place"]
    assert place["type"] == "reflection.session" and place["url"] == f"/sessions/{session.pk}/"
    body = client.get(f"/api/v1/reflection/sessions/{session.pk}").json()
    assert [lesson["title"] for lesson in body["lessons_applied_here"]] == ["Pair on every release"]
    assert body["lessons_applied_here"][0]["applied_by"] == "Max Member"
    assert [lesson["id"] for lesson in body["lessons_from_here"]] == [retro["lesson"].pk]


def test_provenance_is_typed_with_title_and_url(api_as, retro, member, outsider):
    entry_id = retro["lesson"].pk
    body = api_as(member).get(f"/api/v1/knowledge/entries/{entry_id}").json()
    session = next(p for p in body["provenance"] if p["type"] == "reflection.session")
    assert session["id"] == str(retro["session"].pk) and session["url"] == f"/sessions/{retro['session'].pk}/"
    card = next(p for p in body["provenance"] if p["type"] == "reflection.card")
    assert "Wren" not in json.dumps(card) and card["url"] == session["url"]


def test_a_source_the_reader_cannot_see_is_not_named(api_as, retro, lead, outsider):
    from learnloop.knowledge import services as knowledge

    # A lesson everyone may read, which came from a session the outsider may not see.
    entry = knowledge.create_entry(by=lead, kind="lesson", title="Visible lesson", body="x",
                                   provenance=[("reflection.session", str(retro["session"].pk), "Release retro")])
    body = api_as(outsider).get(f"/api/v1/knowledge/entries/{entry.pk}").json()
    (source,) = body["provenance"]
    assert source["url"] is None and "Release retro" not in json.dumps(source)


def test_action_source_is_validated(api_as, member, team, retro, outsider):
    client = api_as(member)
    response = post(client, "/api/v1/actions", {"title": "X", "team_id": team.pk, "source_type": "nope",
                                                "source_id": "1"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["source_type"]
    response = post(client, "/api/v1/actions", {"title": "X", "team_id": team.pk,
                                                "source_type": "reflection.session", "source_id": "424242"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["source_id"]
    response = post(api_as(outsider), "/api/v1/actions", {"title": "X", "source_type": "reflection.session",
                                                          "source_id": str(retro["session"].pk)})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["source_id"]
