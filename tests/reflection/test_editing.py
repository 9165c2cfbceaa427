"""Editing your own card while writing, and renaming a group: on the board and through the API.

A writer finds their card by name in named sessions and by their writer key (the cookie, or the
X-Writer-Key header) in alias and anonymous ones; nobody else can change it, the facilitator
included.
"""

from learnloop.reflection import cards
from learnloop.reflection.models import Card, Group
from learnloop.reflection.writer_keys import HEADER, card_hash, cookie_name
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to

JSON = "application/json"


def _board_client(person, session):
    """A signed-in browser that has been given its writer key by visiting the board."""
    client = signed_in_client(person)
    client.get(f"/sessions/{session.pk}/")
    return client, client.cookies[cookie_name(session.pk)].value


def test_a_writer_edits_their_anonymous_card_on_the_board(make_session, facilitator, writer):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    client, key = _board_client(writer, session)
    client.post(f"/sessions/{session.pk}/cards/", {"column": "stop", "text": "Too many meetngs"})
    card = Card.objects.get(session=session)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f'action="/sessions/{session.pk}/cards/edit/"' in page and f'name="card" value="{card.pk}"' in page

    response = client.post(f"/sessions/{session.pk}/cards/edit/", {"card": str(card.pk), "text": "Too many meetings"},
                           follow=True)
    assert "Card updated." in response.content.decode()
    card.refresh_from_db()
    assert card.text == "Too many meetings" and card.author_id is None
    # Found by the key in the browser's cookie, through a hash of this card alone.
    assert card.writer_hash == card_hash(session.pk, key, card.pk)


def test_nobody_else_can_edit_a_card_not_even_the_facilitator(make_session, facilitator, writer):
    session = move_to(make_session(anonymity="alias"), "reflect", by=facilitator)
    client, _ = _board_client(writer, session)
    client.post(f"/sessions/{session.pk}/cards/", {"column": "stop", "text": "Deploys on Fridays"})
    card = Card.objects.get(session=session)
    facilitator_client, _ = _board_client(facilitator, session)

    response = facilitator_client.post(f"/sessions/{session.pk}/cards/edit/", {"card": card.pk, "text": "Changed"},
                                       follow=True)
    assert "Only the card&#x27;s writer can change it." in response.content.decode()
    card.refresh_from_db()
    assert card.text == "Deploys on Fridays"


def test_cards_are_edited_only_while_writing_and_never_emptied(make_session, facilitator, writer, keys):
    session = move_to(make_session(), "reflect", by=facilitator)
    join(session, writer)
    card = cards.write_card(by=writer, session=session, column="start", text="Pair more", writer_key=keys["w"])
    client = signed_in_client(writer)
    emptied = client.post(f"/sessions/{session.pk}/cards/edit/", {"card": card.pk, "text": "  "}, follow=True)
    assert "Write something first." in emptied.content.decode()
    move_to(session, "group", by=facilitator)
    late = client.post(f"/sessions/{session.pk}/cards/edit/", {"card": card.pk, "text": "Pair a lot more"},
                       follow=True)
    assert "only in the reflect phase" in late.content.decode()
    card.refresh_from_db()
    assert card.text == "Pair more"


def test_a_card_is_edited_through_the_api_with_the_writer_key(api_as, make_session, facilitator, writer, colleague):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    base = f"/api/v1/reflection/sessions/{session.pk}"
    api = api_as(writer)
    key = api.post(f"{base}/join").json()["writer_key"]
    card = api.post(f"{base}/cards", {"column": "start", "text": "Demo every Friday"}, content_type=JSON,
                    headers={HEADER: key}).json()

    edited = api.post(f"{base}/cards/edit", {"card_id": card["id"], "text": "Demo every other Friday"},
                      content_type=JSON, headers={HEADER: key})
    assert edited.status_code == 200, edited.json()
    assert edited.json()["text"] == "Demo every other Friday" and edited.json()["mine"]

    without_key = api.post(f"{base}/cards/edit", {"card_id": card["id"], "text": "x"}, content_type=JSON)
    assert without_key.status_code == 403
    other = api_as(colleague)
    other_key = other.post(f"{base}/join").json()["writer_key"]
    not_theirs = other.post(f"{base}/cards/edit", {"card_id": card["id"], "text": "Mine now"}, content_type=JSON,
                            headers={HEADER: other_key})
    assert not_theirs.status_code == 403
    unknown_field = api.post(f"{base}/cards/edit", {"card_id": card["id"], "text": "x", "author": writer.pk},
                             content_type=JSON, headers={HEADER: key})
    assert unknown_field.status_code == 400
    assert Card.objects.get(pk=card["id"]).text == "Demo every other Friday"


def test_a_named_card_is_edited_by_its_author_through_the_api(api_as, session, facilitator, writer):
    move_to(session, "reflect", by=facilitator)
    base = f"/api/v1/reflection/sessions/{session.pk}"
    api = api_as(writer)
    api.post(f"{base}/join")
    card = api.post(f"{base}/cards", {"column": "continue", "text": "Code review"}, content_type=JSON).json()
    edited = api.post(f"{base}/cards/edit", {"card_id": card["id"], "text": "Code review within a day"},
                      content_type=JSON)
    assert edited.status_code == 200 and edited.json()["byline"] == "Wren Writer"
    by_facilitator = api_as(facilitator).post(f"{base}/cards/edit", {"card_id": card["id"], "text": "No"},
                                              content_type=JSON)
    assert by_facilitator.status_code == 403


def _grouped(session, facilitator, writer, keys):
    session = move_to(session, "reflect", by=facilitator)
    join(session, writer)
    first = cards.write_card(by=writer, session=session, column="stop", text="Slow builds", writer_key=keys["w"])
    second = cards.write_card(by=writer, session=session, column="stop", text="Flaky tests", writer_key=keys["w"])
    session = move_to(session, "group", by=facilitator)
    return session, cards.group_cards(by=writer, session=session, cards=[first, second], title="CI")


def test_a_group_is_renamed_on_the_board(session, facilitator, writer, keys):
    session, group = _grouped(session, facilitator, writer, keys)
    client = signed_in_client(writer)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f'action="/sessions/{session.pk}/groups/rename/"' in page and f'name="group" value="{group.pk}"' in page

    response = client.post(f"/sessions/{session.pk}/groups/rename/", {"group": group.pk, "title": "CI pipeline pain"},
                           follow=True)
    assert "Group renamed to “CI pipeline pain”." in response.content.decode()
    group.refresh_from_db()
    assert group.title == "CI pipeline pain"
    blank = client.post(f"/sessions/{session.pk}/groups/rename/", {"group": group.pk, "title": " "}, follow=True)
    assert "A group needs a title" in blank.content.decode()
    assert Group.objects.get(pk=group.pk).title == "CI pipeline pain"


def test_groups_are_not_renamed_once_the_session_is_closed(session, facilitator, writer, keys):
    session, group = _grouped(session, facilitator, writer, keys)
    session = move_to(session, "closed", by=facilitator)
    client = signed_in_client(writer)
    assert "/groups/rename/" not in client.get(f"/sessions/{session.pk}/").content.decode()
    response = client.post(f"/sessions/{session.pk}/groups/rename/", {"group": group.pk, "title": "Rewritten"},
                           follow=True)
    assert "until the session closes" in response.content.decode()
    assert Group.objects.get(pk=group.pk).title == "CI"


def test_a_group_is_renamed_through_the_api(api_as, session, facilitator, writer, outsider, keys):
    session, group = _grouped(session, facilitator, writer, keys)
    rename = f"/api/v1/reflection/sessions/{session.pk}/groups/rename"
    renamed = api_as(writer).post(rename, {"group_id": str(group.pk), "title": "Build and test speed"},
                                  content_type=JSON)
    assert renamed.status_code == 200 and renamed.json()["title"] == "Build and test speed"
    assert len(renamed.json()["card_ids"]) == 2
    too_long = api_as(writer).post(rename, {"group_id": str(group.pk), "title": "x" * 201}, content_type=JSON)
    assert too_long.status_code == 400 and too_long.json()["errors"]["title"]
    hijack = api_as(outsider).post(rename, {"group_id": str(group.pk), "title": "Hijacked"}, content_type=JSON)
    assert hijack.status_code == 404
    assert Group.objects.get(pk=group.pk).title == "Build and test speed"


def test_over_https_the_writer_key_cookie_is_secure_prefixed_and_still_finds_your_card(
    make_session, facilitator, writer
):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    client = signed_in_client(writer)
    client.get(f"/sessions/{session.pk}/", secure=True)
    cookie = client.cookies[cookie_name(session.pk, secure=True)]
    assert cookie.key.startswith("__Secure-") and cookie["secure"] and cookie["httponly"]
    assert cookie["path"] == f"/sessions/{session.pk}/"

    client.post(f"/sessions/{session.pk}/cards/", {"column": "stop", "text": "Too many meetings"}, secure=True)
    card = Card.objects.get(session=session)
    assert card.writer_hash == card_hash(session.pk, cookie.value, card.pk)
    page = client.get(f"/sessions/{session.pk}/", secure=True).content.decode()
    assert f'name="card" value="{card.pk}"' in page  # the board offers the writer their own card to edit
