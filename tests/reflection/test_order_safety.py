"""Someone holding the database (file, backup or SQL) tries to learn who wrote or voted from how
rows are stored: participant order, row order (SQLite rowid, PostgreSQL ctid), transaction ids
(PostgreSQL xmin), shared hashes and activity ids. Also the secrecy of running vote tallies."""

import re
import uuid
from statistics import mean

import pytest
from django.db import connection
from scipy.stats import spearmanr

from learnloop.activity.models import ActivityEvent, AnonymousActivity
from learnloop.reflection import cards, selectors, services
from learnloop.reflection.models import Card, Group, Participant, VoteMark, WhyStep
from learnloop.reflection.writer_keys import HEADER, new_key
from tests import factories
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to

JSON = "application/json"
SQLITE = connection.vendor == "sqlite"
POSTGRES = connection.vendor == "postgresql"


def _crew(team, size: int) -> list:
    people = [factories.person(email=f"crew{n}@example.org", full_name=f"Crew Member {n}") for n in range(size)]
    for person in people:
        factories.membership(person, team)
    return people


def _stored(table: str, where: str, params) -> list[dict]:
    """Rows as the database stores them: in physical order, with the engine's hidden columns."""
    hidden = "rowid AS position" if SQLITE else "ctid AS position, xmin::text AS xid"
    order = "rowid" if SQLITE else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {hidden} FROM {table} WHERE {where} ORDER BY {order}", params)  # noqa: S608
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _ids(rows) -> list[str]:
    return [str(uuid.UUID(str(row["id"]))) for row in rows]


def _write_round(session, people, keys, per_person: int) -> list[str]:
    """People write in turns, as in a live session; returns card ids in write order."""
    written = []
    for turn in range(per_person):
        for person in people:
            card = cards.write_card(by=person, session=session, column="start", text=f"{person.pk} {turn}",
                                    writer_key=keys[person.pk])
            written.append(str(card.pk))
    return written


# --- joining ------------------------------------------------------------------------------------------------


def test_opening_the_board_joins_and_writing_without_joining_is_refused(make_session, facilitator, writer, keys):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    with pytest.raises(Exception, match="Join the session first"):
        cards.write_card(by=writer, session=session, column="start", text="x", writer_key=keys["w"])
    assert not Participant.objects.filter(session=session, person=writer).exists()
    client = signed_in_client(writer)
    client.get(f"/sessions/{session.pk}/")
    participant = Participant.objects.get(session=session, person=writer)
    client.post(f"/sessions/{session.pk}/cards/", {"column": "start", "text": "Written after opening"})
    assert Card.objects.filter(session=session).count() == 1
    assert Participant.objects.get(session=session, person=writer).pk == participant.pk  # not re-created


def test_the_api_needs_join_before_cards_and_votes(api_as, make_session, facilitator, writer):
    session = move_to(make_session(anonymity="alias"), "reflect", by=facilitator)
    base = f"/api/v1/reflection/sessions/{session.pk}"
    api = api_as(writer)
    key = new_key()
    refused = api.post(f"{base}/cards", {"column": "start", "text": "x"}, content_type=JSON, headers={HEADER: key})
    assert refused.status_code == 400 and "Join the session first" in refused.json()["detail"]
    assert not Card.objects.exists()
    key = api.post(f"{base}/join").json()["writer_key"]
    assert api.post(f"{base}/cards", {"column": "start", "text": "x"}, content_type=JSON,
                    headers={HEADER: key}).status_code == 201


def test_participant_order_is_the_order_people_opened_the_board_not_the_order_they_wrote(
    make_session, facilitator, team, keys
):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    people = _crew(team, 4)
    for person in people:
        signed_in_client(person).get(f"/sessions/{session.pk}/")
    opened = list(Participant.objects.filter(session=session).order_by("pk").values_list("person_id", flat=True))
    for person in reversed(people):  # they write in the opposite order
        cards.write_card(by=person, session=session, column="start", text="x", writer_key=keys[person.pk])
    assert list(Participant.objects.filter(session=session).order_by("pk")
                .values_list("person_id", flat=True)) == opened == [facilitator.pk, *[p.pk for p in people]]


# --- row order ------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymity", ["anonymous", "alias"])
def test_stored_cards_carry_no_write_order(make_session, facilitator, team, anonymity):
    session = move_to(make_session(anonymity=anonymity), "reflect", by=facilitator)
    people = _crew(team, 4)
    join(session, *people)
    keys = {person.pk: new_key() for person in people}
    written = _write_round(session, people, keys, per_person=3)
    rows = _stored(Card._meta.db_table, "session_id = %s", [session.pk])
    assert sorted(_ids(rows)) == sorted(written)
    assert _ids(rows) != written  # 12 cards: a random order equals the write order once in 479 million
    if SQLITE:
        positions = [row["position"] for row in rows]
        assert positions == list(range(positions[0], positions[0] + len(rows)))  # one fresh block
    if POSTGRES:
        assert len({row["xid"] for row in rows}) == 1  # all re-inserted by the last write


@pytest.mark.django_db(transaction=True)
def test_over_many_sessions_storage_order_does_not_follow_write_order(make_session, facilitator, team):
    people = _crew(team, 4)
    keys = {person.pk: new_key() for person in people}
    correlations = []
    for number in range(12):
        session = move_to(make_session(anonymity="anonymous", title=f"Retro {number}"), "reflect", by=facilitator)
        join(session, *people)
        written = _write_round(session, people, keys, per_person=2)
        stored = _ids(_stored(Card._meta.db_table, "session_id = %s", [session.pk]))
        correlations.append(spearmanr(range(len(written)), [stored.index(card) for card in written]).statistic)
    # Before the fix every correlation was 1. For random orders of 8 the mean of 12 has a
    # standard deviation of about 0.11; 0.35 is more than three of them.
    assert abs(mean(correlations)) < 0.35, correlations


@pytest.mark.django_db(transaction=True)
def test_editing_and_deleting_rewrite_the_whole_set(make_session, facilitator, team):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    people = _crew(team, 3)
    join(session, *people)
    keys = {person.pk: new_key() for person in people}
    written = _write_round(session, people, keys, per_person=2)
    before = _stored(Card._meta.db_table, "session_id = %s", [session.pk])
    edited = Card.objects.get(pk=written[2])
    cards.edit_card(by=people[2], session=session, card=edited, text="changed", writer_key=keys[people[2].pk])
    after = _stored(Card._meta.db_table, "session_id = %s", [session.pk])
    # An in-place update would leave the order as it was; the edit re-inserted all six in a new
    # random order (the same one again once in 720).
    assert _ids(after) != _ids(before)
    if SQLITE:
        positions = [row["position"] for row in after]
        assert positions == list(range(positions[0], positions[0] + 6))
    if POSTGRES:
        assert len({row["xid"] for row in after}) == 1 and after[0]["xid"] != before[0]["xid"]
    cards.delete_card(by=people[0], session=session, card=Card.objects.get(pk=written[0]),
                      writer_key=keys[people[0].pk])
    remaining = _stored(Card._meta.db_table, "session_id = %s", [session.pk])
    assert len(remaining) == 5
    if POSTGRES:
        assert len({row["xid"] for row in remaining}) == 1 and remaining[0]["xid"] != after[0]["xid"]


@pytest.mark.django_db(transaction=True)
def test_raising_anonymity_rewrites_named_cards_out_of_write_order(make_session, facilitator, team):
    session = move_to(make_session(), "reflect", by=facilitator)
    people = _crew(team, 4)
    join(session, *people)
    written = _write_round(session, people, {person.pk: None for person in people}, per_person=3)
    named = _ids(_stored(Card._meta.db_table, "session_id = %s", [session.pk]))
    assert named == written  # named sessions keep the plain order: the author is on the row anyway
    services.raise_anonymity(by=facilitator, session=session, anonymity="anonymous")
    rows = _stored(Card._meta.db_table, "session_id = %s", [session.pk])
    assert _ids(rows) != written and not Card.objects.exclude(author=None).exists()
    if POSTGRES:
        assert len({row["xid"] for row in rows}) == 1


def test_why_steps_keep_their_chains_through_rewrites(make_session, facilitator, writer, keys):
    session = move_to(make_session("blameless-postmortem", anonymity="anonymous"), "reflect", by=facilitator)
    join(session, writer)
    factor = cards.write_card(by=writer, session=session, column="factors", text="Retry storm", writer_key=keys["w"])
    services.reveal(by=facilitator, session=session)
    for why in ("No backoff", "Copied from an old client", "Nobody reviews retry settings"):
        cards.add_why(by=facilitator, session=session, card=factor, text=why)
    # Another card written after the whys rewrites the cards; the chain survives intact.
    cards.write_card(by=writer, session=session, column="factors", text="No alert", writer_key=keys["w"])
    assert list(WhyStep.objects.filter(card=factor).order_by("position").values_list("text", flat=True)) == [
        "No backoff", "Copied from an old client", "Nobody reviews retry settings"]
    [view] = [c for c in selectors.cards_for(facilitator, session) if c.id == str(factor.pk)]
    assert view.whys == ["No backoff", "Copied from an old client", "Nobody reviews retry settings"]


# --- hashes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("anonymity", ["anonymous", "alias"])
def test_no_two_hidden_cards_share_a_stored_hash_yet_each_writer_finds_theirs(
    make_session, facilitator, team, anonymity
):
    session = move_to(make_session(anonymity=anonymity), "reflect", by=facilitator)
    people = _crew(team, 3)
    join(session, *people)
    keys = {person.pk: new_key() for person in people}
    written = _write_round(session, people, keys, per_person=3)
    hashes = list(Card.objects.filter(session=session).values_list("writer_hash", flat=True))
    assert len(hashes) == 9 and len(set(hashes)) == 9 and "" not in hashes
    for number, person in enumerate(people):
        mine = {c.id for c in selectors.cards_for(person, session, keys[person.pk]) if c.mine}
        assert mine == set(written[number::3])
    if anonymity == "alias":  # the alias groups a writer's cards on purpose: that is the feature
        aliases = Card.objects.filter(session=session).values_list("alias", flat=True)
        assert len(set(aliases)) <= 3


# --- votes ------------------------------------------------------------------------------------------------


def _voting(make_session, facilitator, team, *, anonymity="anonymous", size=3):
    session = move_to(make_session(anonymity=anonymity, vote_budget=3), "reflect", by=facilitator)
    people = _crew(team, size)
    join(session, *people)
    keys = {person.pk: new_key() for person in [facilitator, *people]}
    for text in ("Slow builds", "Flaky tests", "Late reviews", "Long meetings"):
        cards.write_card(by=people[0], session=session, column="stop", text=text, writer_key=keys[people[0].pk])
    session = move_to(session, "vote", by=facilitator)
    return session, people, keys, list(Group.objects.filter(session=session).order_by("title"))


@pytest.mark.django_db(transaction=True)
def test_a_vote_touches_every_group_and_leaves_marks_in_random_order(make_session, facilitator, team):
    session, people, keys, groups = _voting(make_session, facilitator, team)
    cast = []
    for person, group in ((people[0], groups[0]), (people[1], groups[1]), (people[2], groups[2]),
                          (people[0], groups[3]), (people[1], groups[0]), (people[2], groups[3])):
        cards.cast_vote(by=person, session=session, group=group, writer_key=keys[person.pk])
        cast.append(VoteMark.objects.filter(group__session=session).count())
    marks = VoteMark.objects.filter(group__session=session)
    assert all(isinstance(mark.pk, uuid.UUID) for mark in marks)
    rows = _stored(VoteMark._meta.db_table, "group_id IN (SELECT id FROM reflection_group WHERE session_id = %s)",
                   [session.pk])
    assert len(rows) == 6
    if SQLITE:
        positions = [row["position"] for row in rows]
        assert positions == list(range(positions[0], positions[0] + 6))
    if POSTGRES:
        group_rows = _stored(Group._meta.db_table, "session_id = %s", [session.pk])
        last_voter = _stored(Participant._meta.db_table, "session_id = %s AND person_id = %s",
                             [session.pk, people[2].pk])
        # The last vote stamped every group, every mark and the voter's budget alike: the voter's
        # row shares a transaction id with all groups, not with the one they chose.
        assert {row["xid"] for row in group_rows} == {row["xid"] for row in rows} == {last_voter[0]["xid"]}


def test_facilitator_and_admin_see_no_tally_or_ranking_while_voting(
    make_session, facilitator, team, admin, api_as
):
    session, people, keys, groups = _voting(make_session, facilitator, team)
    # Votes that would sort the groups differently from their titles.
    for person in people:
        cards.cast_vote(by=person, session=session, group=groups[-1], writer_key=keys[person.pk])
    titles = [group.title for group in groups]
    for viewer in (facilitator, admin):
        api = api_as(viewer)
        page = signed_in_client(viewer).get(f"/sessions/{session.pk}/").content.decode()
        assert 'data-testid="votes"' not in page
        shown = [title for title in re.findall(r"<strong>([^<]+)</strong>", page) if title in titles]
        assert shown == titles  # by title, not by votes
        status = signed_in_client(viewer).get(f"/sessions/{session.pk}/status/?phase=vote&revealed=1")
        assert status.status_code == 200 and not re.search(r"\d+ votes?\b(?! left)", status.content.decode())
        assert api.get(f"/api/v1/reflection/sessions/{session.pk}/status").status_code == 200
        listed = api.get(f"/api/v1/reflection/sessions/{session.pk}/groups").json()["items"]
        assert [g["title"] for g in listed] == titles and {g["votes"] for g in listed} == {None}
        assert api.get(f"/api/v1/reflection/sessions/{session.pk}").json()["tallies_shown"] is False
    assert selectors.groups_with_cards(session, [])[0]["votes"] is None


def test_going_back_to_vote_after_the_tallies_were_shown_starts_a_fresh_vote(
    make_session, facilitator, team, api_as
):
    session, people, keys, groups = _voting(make_session, facilitator, team)
    cards.cast_vote(by=people[0], session=session, group=groups[1], writer_key=keys[people[0].pk])
    session = services.set_phase(by=facilitator, session=session, phase="discuss")
    assert session.tallies_shown and Group.objects.get(pk=groups[1].pk).votes == 1
    page = signed_in_client(facilitator).get(f"/sessions/{session.pk}/").content.decode()
    assert "Going back to vote restarts voting" in page
    session = services.set_phase(by=facilitator, session=session, phase="vote")
    assert (session.tallies_shown, session.vote_round) == (False, 2)
    assert set(Group.objects.filter(session=session).values_list("votes", flat=True)) == {0}
    assert not VoteMark.objects.filter(group__session=session).exists()
    assert set(Participant.objects.filter(session=session).values_list("votes_used", flat=True)) == {0}
    assert cards.my_votes(session, keys[people[0].pk]) == {}
    # The new round's tallies are as hidden as the first one's, from the facilitator too.
    cards.cast_vote(by=people[1], session=session, group=groups[2], writer_key=keys[people[1].pk])
    listed = api_as(facilitator).get(f"/api/v1/reflection/sessions/{session.pk}/groups").json()["items"]
    assert {g["votes"] for g in listed} == {None}
    assert api_as(facilitator).get(f"/api/v1/reflection/sessions/{session.pk}").json()["vote_round"] == 2
    session = services.set_phase(by=facilitator, session=session, phase="discuss")
    assert dict(Group.objects.filter(session=session, votes__gt=0).values_list("pk", "votes")) == {groups[2].pk: 1}


def test_stepping_back_to_group_keeps_the_votes_and_keeps_them_hidden(make_session, facilitator, team):
    session, people, keys, groups = _voting(make_session, facilitator, team)
    cards.cast_vote(by=people[0], session=session, group=groups[0], writer_key=keys[people[0].pk])
    session = services.set_phase(by=facilitator, session=session, phase="group")
    session = services.set_phase(by=facilitator, session=session, phase="vote")
    assert session.vote_round == 1 and Group.objects.get(pk=groups[0].pk).votes == 1
    assert {g["votes"] for g in selectors.groups_with_cards(session, [])} == {None}


# --- activity ------------------------------------------------------------------------------------------------


def test_anonymous_writes_and_votes_leave_day_counts_not_events(make_session, facilitator, team):
    session, people, keys, groups = _voting(make_session, facilitator, team)
    cards.cast_vote(by=people[1], session=session, group=groups[0], writer_key=keys[people[1].pk])
    assert not ActivityEvent.objects.filter(verb__in=["written", "voted"]).exists()
    assert not ActivityEvent.objects.filter(subject_type="reflection.card").exists()
    counts = dict(AnonymousActivity.objects.filter(subject_type="reflection.session", subject_id=str(session.pk))
                  .values_list("verb", "count"))
    assert counts == {"written": 4, "voted": 1}


# --- URLs ------------------------------------------------------------------------------------------------

UUID_IN_PATH = re.compile(r'action="[^"]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')


def test_no_form_on_the_board_puts_a_card_or_group_id_in_its_url(make_session, facilitator, team):
    session = move_to(make_session("candid-critique", anonymity="anonymous"), "reflect", by=facilitator)
    people = _crew(team, 3)
    join(session, *people)
    key = new_key()
    client = signed_in_client(people[0])
    client.cookies[f"ll_writer_{session.pk}"] = key
    cards.write_card(by=people[0], session=session, column="suggestions", text="Cut chapter two", writer_key=key)
    for phase in ("reflect", "group", "vote", "discuss", "actions", "closed"):
        session = move_to(session, phase, by=facilitator)
        for viewer in (client, signed_in_client(facilitator)):
            page = viewer.get(f"/sessions/{session.pk}/").content.decode()
            assert not UUID_IN_PATH.search(page), (phase, UUID_IN_PATH.search(page).group(0))


def test_the_old_id_in_path_write_routes_are_gone(make_session, facilitator, writer, keys, api_as):
    session = move_to(make_session(anonymity="anonymous"), "reflect", by=facilitator)
    join(session, writer)
    card = cards.write_card(by=writer, session=session, column="start", text="x", writer_key=keys["w"])
    client = signed_in_client(writer)
    for suffix in ("edit", "delete", "ungroup", "whys", "decision"):
        assert client.post(f"/sessions/{session.pk}/cards/{card.pk}/{suffix}/", {"text": "y"}).status_code == 404
    api = api_as(writer)
    base = f"/api/v1/reflection/sessions/{session.pk}"
    assert api.delete(f"{base}/cards/{card.pk}").status_code in {404, 405}
    assert api.patch(f"{base}/cards/{card.pk}", {"text": "y"}, content_type=JSON).status_code in {404, 405}
    assert Card.objects.get(pk=card.pk).text == "x"


def test_votes_are_cast_and_withdrawn_through_one_url_for_every_group(make_session, facilitator, team):
    session, people, keys, groups = _voting(make_session, facilitator, team)
    client = signed_in_client(people[1])
    client.cookies[f"ll_writer_{session.pk}"] = keys[people[1].pk]
    url = f"/sessions/{session.pk}/votes/"
    assert "Vote cast." in client.post(url, {"group": groups[2].pk, "op": "add"}, follow=True).content.decode()
    assert Participant.objects.get(session=session, person=people[1]).votes_used == 1
    assert "Vote withdrawn." in client.post(url, {"group": groups[2].pk, "op": "withdraw"},
                                            follow=True).content.decode()
    assert "op=add or op=withdraw" in client.post(url, {"group": groups[2].pk, "op": "steal"},
                                                  follow=True).content.decode()
    assert Participant.objects.get(session=session, person=people[1]).votes_used == 0


# --- weak anonymity ------------------------------------------------------------------------------------------


def test_small_hidden_sessions_warn_that_anonymity_is_weak(make_session, facilitator, writer, team, api_as, settings):
    session = move_to(make_session(anonymity="alias"), "reflect", by=facilitator)
    join(session, writer)
    base = f"/api/v1/reflection/sessions/{session.pk}"
    assert api_as(facilitator).get(base).json()["anonymity_weak"] is True
    board = signed_in_client(facilitator).get(f"/sessions/{session.pk}/").content.decode()
    assert "Anonymity is weak" in board and "Reveal cards (anonymity is weak)" in board
    assert "Anonymity is weak" not in signed_in_client(writer).get(f"/sessions/{session.pk}/").content.decode()
    join(session, *_crew(team, 1))
    assert api_as(facilitator).get(base).json()["anonymity_weak"] is False
    settings.ANONYMITY_MIN_PARTICIPANTS = 5
    assert api_as(facilitator).get(base).json()["anonymity_weak"] is True
    session = move_to(session, "closed", by=facilitator)
    summary = signed_in_client(writer).get(f"/sessions/{session.pk}/").content.decode()
    assert "Anonymity is weak" in summary and "fewer than 5" in summary


def test_named_sessions_are_never_called_weakly_anonymous(make_session, facilitator, api_as):
    session = make_session()
    assert api_as(facilitator).get(f"/api/v1/reflection/sessions/{session.pk}").json()["anonymity_weak"] is False


@pytest.mark.skipif(not SQLITE, reason="SQLite's own setting")
def test_sqlite_overwrites_deleted_rows(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
