"""Trying to unmask the writer of an anonymous card: as the facilitator and as an admin, through
every page and endpoint of the session, the export, activity events, the audit log and the rows."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from learnloop.activity.models import ActivityEvent, AnonymousActivity
from learnloop.audit.models import AuditEvent
from learnloop.knowledge.models import Provenance
from learnloop.reflection import cards, services
from learnloop.reflection.models import Card
from learnloop.reflection.writer_keys import HEADER
from tests import factories
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to

SECRET_TEXT = "Deploy approvals take three days and nobody owns them"
# Foreign keys to a person, wherever they appear in exported rows.
PERSON_FIELDS = {"author_id", "actor_id", "person_id", "created_by_id", "changed_by_id", "owner_person_id",
                 "last_verified_by_id", "facilitator_id", "work_owner_id", "owner_id", "closed_by_id"}


class Unmasker:
    """Looks for a person's identity in anything an investigator can get hold of."""

    def __init__(self, person):
        self.needles = [person.full_name, person.email, person.full_name.split()[0]]
        self.person_id = person.pk

    def assert_not_in(self, text: str, where: str) -> None:
        lowered = text.lower()
        for needle in self.needles:
            # As a word: a random token on the page (the CSRF token, a writer key) holds "wren" now
            # and then by chance ("…dgrwrendby…"), which names nobody.
            found = re.search(rf"(?<![a-z0-9]){re.escape(needle.lower())}(?![a-z0-9])", lowered)
            if found:
                context = lowered[max(0, found.start() - 60):found.end() + 60]
                pytest.fail(f"{needle!r} found in {where}: …{context}…")

    def assert_rows_clean(self, rows: list[dict], where: str) -> None:
        self.assert_not_in(json.dumps(rows, default=str), where)
        for row in rows:
            for field, value in row.items():
                assert not (field in PERSON_FIELDS and value == self.person_id), f"{field} names the writer in {where}"


@pytest.fixture
def hidden_writer(department):
    """Takes part as a lead of the department above the team, so they are in no team list a page
    might show for unrelated reasons (an owner picker): any trace found is a real leak."""
    person = factories.person(email="wren.writer@example.org", full_name="Wren Writer")
    factories.membership(person, department, role="facilitator")
    return person


def _run_session(make_session, facilitator, writer, colleague, keys, anonymity="anonymous"):
    session = move_to(make_session(anonymity=anonymity, title="Release retro"), "reflect", by=facilitator)
    join(session, colleague)
    writer_web = signed_in_client(writer)
    writer_web.get(f"/sessions/{session.pk}/")  # the server hands the browser its writer key
    response = writer_web.post(f"/sessions/{session.pk}/cards/", {"column": "stop", "text": SECRET_TEXT})
    assert response.status_code == 302
    cards.write_card(by=colleague, session=session, column="start", text="Pair on releases", writer_key=keys["c"])
    services.mark_done(by=writer, session=session)
    session = move_to(session, "group", by=facilitator)
    card = Card.objects.get(text=SECRET_TEXT)
    group = cards.group_cards(by=facilitator, session=session, cards=[card], title="Approvals")
    session = move_to(session, "vote", by=facilitator)
    assert writer_web.post(f"/sessions/{session.pk}/votes/", {"group": group.pk, "op": "add"}).status_code == 302
    session = move_to(session, "discuss", by=facilitator)
    from learnloop.reflection import follow_up

    follow_up.promote_to_lesson(by=facilitator, session=session, title="Name an owner for approvals", card=card)
    follow_up.create_session_action(by=facilitator, session=session, title="Pick an approvals owner",
                                    owner=facilitator, group=group)
    return session, card, group, writer_web


def _investigate(client, api, session, card, group, unmasker, who):
    entry_id = Provenance.objects.get(source_type="reflection.card", source_id=str(card.pk)).entry_id
    pages = ["/sessions/", f"/sessions/{session.pk}/", f"/sessions/{session.pk}/status/?phase=x&revealed=0",
             f"/knowledge/{entry_id}/", "/actions/", "/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code in {200, 302}, path
        unmasker.assert_not_in(response.content.decode(), f"{path} as {who}")
    base = f"/api/v1/reflection/sessions/{session.pk}"
    endpoints = ["/api/v1/reflection/sessions", "/api/v1/reflection/templates", base, f"{base}/status",
                 f"{base}/cards", f"{base}/groups", f"{base}/suggestions", f"{base}/actions",
                 f"/api/v1/knowledge/entries/{entry_id}", "/api/v1/actions"]
    for path in endpoints:
        response = api.get(path)
        assert response.status_code in {200, 404}, path
        unmasker.assert_not_in(response.content.decode(), f"{path} as {who}")
    [card_out] = [c for c in api.get(f"{base}/cards").json()["items"] if c["id"] == str(card.pk)]
    assert card_out["byline"] == card.alias and card_out["mine"] is False  # an alias at most


@pytest.mark.parametrize("anonymity", ["anonymous", "alias"])
def test_facilitator_and_admin_cannot_find_the_author_of_a_hidden_card(
    make_session, facilitator, hidden_writer, colleague, admin, keys, api_as, tmp_path, anonymity
):
    session, card, group, _ = _run_session(make_session, facilitator, hidden_writer, colleague, keys, anonymity)
    unmasker = Unmasker(hidden_writer)
    for who, person in (("facilitator", facilitator), ("admin", admin)):
        card.refresh_from_db()
        _investigate(signed_in_client(person), api_as(person), session, card, group, unmasker, who)
    session = move_to(session, "closed", by=facilitator)
    _investigate(signed_in_client(admin), api_as(admin), session, card, group, unmasker, "admin, closed")

    # The row itself.
    card.refresh_from_db()
    assert card.author_id is None
    assert (card.alias != "") == (anonymity == "alias")
    assert not hasattr(card, "created_at")

    # Activity: anonymous acts are day counts of the session, not events naming a card.
    assert not ActivityEvent.objects.filter(actor=hidden_writer).exists()
    assert not ActivityEvent.objects.filter(subject_type="reflection.card").exists()
    assert not ActivityEvent.objects.filter(verb__in=["written", "voted", "grouped"]).exists()
    written = AnonymousActivity.objects.get(verb="written", subject_id=str(session.pk))
    assert written.subject_type == "reflection.session" and written.count == 2
    for event in AuditEvent.objects.filter(actor=hidden_writer):
        assert str(card.pk) not in json.dumps(event.detail) + event.target

    # The export: every row of every model an admin can take away.
    path = tmp_path / "export.json"
    with open(tmp_path / "out.txt", "w") as out:
        call_command("export", str(path), stdout=out, stderr=out)
    exported = json.loads(path.read_text())["models"]
    checked = {label: rows for label, rows in exported.items()
               if label.split(".")[0] in {"reflection", "activity", "knowledge", "actions", "audit"}
               and label != "reflection.participant"}
    for label, rows in checked.items():
        if label == "audit.auditevent":
            rows = [row for row in rows if str(card.pk) in json.dumps(row, default=str)]
        unmasker.assert_rows_clean(rows, f"export of {label}")
    [card_row] = [row for row in exported["reflection.card"] if row["id"] == str(card.pk)]
    assert card_row["author_id"] is None


def test_the_writer_still_sees_and_removes_their_own_anonymous_card(make_session, facilitator, hidden_writer):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    client = signed_in_client(hidden_writer)
    client.get(f"/sessions/{session.pk}/")
    client.post(f"/sessions/{session.pk}/cards/", {"column": "stop", "text": SECRET_TEXT})
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert SECRET_TEXT in page and "(yours)" in page
    assert SECRET_TEXT not in signed_in_client(facilitator).get(f"/sessions/{session.pk}/").content.decode()
    card = Card.objects.get(text=SECRET_TEXT)
    assert client.post(f"/sessions/{session.pk}/cards/delete/", {"card": card.pk}).status_code == 302
    assert not Card.objects.filter(pk=card.pk).exists()


def test_a_writer_key_from_the_api_finds_only_its_own_cards(make_session, facilitator, writer, colleague, api_as):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    base = f"/api/v1/reflection/sessions/{session.pk}"
    mine, theirs = api_as(writer), api_as(colleague)
    key = mine.post(f"{base}/join").json()["writer_key"]
    other_key = theirs.post(f"{base}/join").json()["writer_key"]
    created = mine.post(f"{base}/cards", {"column": "start", "text": "Mine"}, content_type="application/json",
                        headers={HEADER: key})
    assert created.status_code == 201 and created.json()["mine"] is True
    theirs.post(f"{base}/cards", {"column": "stop", "text": "Theirs"}, content_type="application/json",
                headers={HEADER: other_key})
    assert [c["text"] for c in mine.get(f"{base}/cards", headers={HEADER: key}).json()["items"]] == ["Mine"]
    assert mine.get(f"{base}/cards").json()["items"] == []  # without the key: nothing is yours
    no_key = mine.post(f"{base}/cards", {"column": "start", "text": "x"}, content_type="application/json")
    assert no_key.status_code == 400 and "writer key" in no_key.json()["detail"]
    card_id = created.json()["id"]
    delete = f"{base}/cards/delete"
    body = {"card_id": card_id}
    assert theirs.post(delete, body, content_type="application/json", headers={HEADER: other_key}).status_code == 403
    assert mine.post(delete, body, content_type="application/json", headers={HEADER: key}).status_code == 204


def test_raising_anonymity_erases_authors_and_lowering_is_refused(make_session, facilitator, writer, colleague, keys):
    session = move_to(make_session(), "reflect", by=facilitator)
    join(session, writer, colleague)
    for person in (writer, writer, colleague):
        cards.write_card(by=person, session=session, column="start", text=f"by {person.pk}", writer_key=keys["x"])
    session = services.raise_anonymity(by=facilitator, session=session, anonymity="alias")
    rows = list(Card.objects.filter(session=session).values("text", "author_id", "alias"))
    assert all(row["author_id"] is None for row in rows)
    writer_aliases = {row["alias"] for row in rows if row["text"] == f"by {writer.pk}"}
    assert len(writer_aliases) == 1 and writer_aliases != {row["alias"] for row in rows
                                                            if row["text"] == f"by {colleague.pk}"}
    with pytest.raises(ValidationError):
        services.raise_anonymity(by=facilitator, session=session, anonymity="named")
    session = services.raise_anonymity(by=facilitator, session=session, anonymity="anonymous")
    assert set(Card.objects.filter(session=session).values_list("alias", flat=True)) == {""}
    assert ActivityEvent.objects.filter(verb="anonymity_raised").count() == 2


def test_named_cards_show_their_author(make_session, facilitator, writer, keys):
    session = move_to(make_session(), "reflect", by=facilitator)
    join(session, writer)
    cards.write_card(by=writer, session=session, column="start", text="Demo every Friday", writer_key=None)
    services.reveal(by=facilitator, session=session)
    assert "Wren Writer" in signed_in_client(facilitator).get(f"/sessions/{session.pk}/").content.decode()


def test_votes_are_tallies_and_counts_never_marks_of_a_person(make_session, facilitator, writer, keys):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    join(session, writer)
    card = cards.write_card(by=writer, session=session, column="start", text="Shorter standups",
                            writer_key=keys["w"])
    session = move_to(session, "vote", by=facilitator)
    card.refresh_from_db()
    cards.cast_vote(by=writer, session=session, group=card.group, writer_key=keys["w"])
    from learnloop.reflection.models import VoteMark

    [mark] = VoteMark.objects.all()
    assert mark.voter_hash != Card.objects.get(pk=card.pk).writer_hash  # votes can't be joined to cards
    assert not ActivityEvent.objects.filter(verb="voted").exists()
    assert AnonymousActivity.objects.get(verb="voted").count == 1


def test_no_two_vote_marks_can_be_told_to_come_from_one_voter(make_session, facilitator, writer, colleague, keys):
    """With one hash per voter, three marks sharing a hash would match the one participant who
    used three votes. Every dot gets its own hash; only the key's holder can find theirs."""
    from learnloop.reflection.models import Participant, VoteMark

    session = move_to(make_session(anonymity="anonymous", vote_budget=5), "reflect", by=facilitator)
    join(session, writer, colleague)
    first = cards.write_card(by=writer, session=session, column="start", text="Pair on reviews", writer_key=keys["w"])
    second = cards.write_card(by=colleague, session=session, column="stop", text="Late deploys", writer_key=keys["c"])
    session = move_to(session, "vote", by=facilitator)
    first.refresh_from_db()
    second.refresh_from_db()
    for group in (first.group, first.group, second.group):
        cards.cast_vote(by=writer, session=session, group=group, writer_key=keys["w"])
    cards.cast_vote(by=colleague, session=session, group=second.group, writer_key=keys["c"])

    hashes = list(VoteMark.objects.values_list("voter_hash", flat=True))
    assert len(hashes) == 4 and len(set(hashes)) == 4
    used = Participant.objects.filter(session=session, votes_used__gt=0).values_list("votes_used", flat=True)
    assert sorted(used) == [1, 3]
    assert cards.my_votes(session, keys["w"]) == {first.group_id: 2, second.group_id: 1}
    assert cards.my_votes(session, keys["c"]) == {second.group_id: 1}

    cards.withdraw_vote(by=writer, session=session, group=second.group, writer_key=keys["w"])
    assert cards.my_votes(session, keys["w"]) == {first.group_id: 2}
    assert cards.my_votes(session, keys["c"]) == {second.group_id: 1}  # the colleague's dot is untouched
    with pytest.raises(ValidationError):
        cards.withdraw_vote(by=writer, session=session, group=second.group, writer_key=keys["w"])
