"""A session's cards as a file (docs/exports.md): the board's cards for this viewer and nothing
more, anonymous cards without an author, and rows in an order that says nothing about when or by
whom a card was written."""

import csv
import io
import json

from learnloop.reflection import cards, services
from learnloop.reflection.models import Card
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to

JSON = "application/json"
TEXTS = ["Zebra crossings", "apples ship late", "Mid-sprint demo", "=HYPERLINK(\"http://x\")", "Builds are slow"]


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def _json(response) -> list[dict]:
    return json.loads(b"".join(response.streaming_content))


def _board(make_session, facilitator, writer, colleague, keys, anonymity):
    session = join(move_to(make_session(anonymity=anonymity), "reflect", by=facilitator), writer, colleague)
    for number, text in enumerate(TEXTS):
        person = writer if number % 2 else colleague
        cards.write_card(by=person, session=session, column="start", text=text, writer_key=keys[person.email])
    return session


def test_anonymous_cards_export_without_authors_in_text_order(make_session, facilitator, writer, colleague, keys,
                                                              api_as):
    session = _board(make_session, facilitator, writer, colleague, keys, "anonymous")
    session = services.reveal(by=facilitator, session=session)
    client = signed_in_client(facilitator)
    rows = _csv(client.get(f"/sessions/{session.pk}/cards/export/?format=csv"))
    assert [row["text"] for row in rows] == sorted(
        ["'" + text if text.startswith("=") else text for text in TEXTS], key=lambda t: t.lstrip("'").casefold())
    assert {row["author"] for row in rows} == {""}
    assert "id" not in rows[0] and "Wren" not in json.dumps(rows) and "Cal" not in json.dumps(rows)
    assert rows[0]["text"] == "'=HYPERLINK(\"http://x\")"  # formula-safe
    # The API gives the same rows (JSON keeps the text as written).
    api_rows = _json(api_as(facilitator).get(f"/api/v1/reflection/sessions/{session.pk}/cards/export?format=json"))
    assert [row["text"] for row in api_rows] == [row["text"].removeprefix("'") for row in rows]
    assert {row["author"] for row in api_rows} == {""}
    # Reordering storage (what every anonymous write does) doesn't change the file.
    from learnloop.reflection.shuffle import reshuffle_cards
    reshuffle_cards(session)
    again = _csv(client.get(f"/sessions/{session.pk}/cards/export/?format=csv"))
    assert again == rows


def test_named_cards_carry_their_author(make_session, facilitator, writer, colleague, keys):
    session = services.reveal(by=facilitator, session=_board(make_session, facilitator, writer, colleague, keys,
                                                             "named"))
    rows = _csv(signed_in_client(facilitator).get(f"/sessions/{session.pk}/cards/export/"))
    assert {row["author"] for row in rows} == {"Wren Writer", "Cal Colleague"}


def test_before_the_reveal_a_viewer_exports_only_their_own_cards(make_session, facilitator, writer, colleague,
                                                                   keys, api_as):
    session = _board(make_session, facilitator, writer, colleague, keys, "anonymous")
    assert _csv(signed_in_client(facilitator).get(f"/sessions/{session.pk}/cards/export/")) == []
    mine = _json(api_as(writer).get(f"/api/v1/reflection/sessions/{session.pk}/cards/export?format=json",
                                    headers={"X-Writer-Key": keys[writer.email]}))
    assert sorted(row["text"] for row in mine) == sorted(TEXTS[1::2])
    assert _json(api_as(writer).get(f"/api/v1/reflection/sessions/{session.pk}/cards/export?format=json")) == []
    assert Card.objects.filter(session=session).count() == len(TEXTS)


def test_outsiders_get_nothing(make_session, facilitator, writer, colleague, keys, outsider, api_as):
    session = services.reveal(by=facilitator, session=_board(make_session, facilitator, writer, colleague, keys,
                                                             "named"))
    assert signed_in_client(outsider).get(f"/sessions/{session.pk}/cards/export/").status_code == 404
    assert api_as(outsider).get(f"/api/v1/reflection/sessions/{session.pk}/cards/export").status_code == 404
    rows = _csv(signed_in_client(outsider).get("/sessions/export/"))
    assert rows == []
    rows = _csv(signed_in_client(facilitator).get("/sessions/export/?format=csv"))
    assert [row["title"] for row in rows] == ["Sprint 14 retro"] and rows[0]["team"] == session.team.name


def test_a_bad_format_is_refused(session, facilitator, api_as):
    assert signed_in_client(facilitator).get(f"/sessions/{session.pk}/cards/export/?format=xlsx").status_code == 400
    assert api_as(facilitator).get("/api/v1/reflection/sessions/export?format=xlsx").status_code == 422
    assert api_as(facilitator).get("/api/v1/reflection/sessions/export?fromat=csv").status_code == 400
