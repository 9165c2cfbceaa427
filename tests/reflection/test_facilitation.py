"""Facilitation (issue 21, item 1): the phase timer with optional auto-advance, discussion notes
and decisions per group, and the summary (page, Markdown, PDF, API, email, share link) that never
names an anonymous writer."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnloop.reflection import cards, facilitation, services, summary
from learnloop.reflection.models import Group, Session
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _discussed(make_session, facilitator, writer, colleague, keys, *, anonymity="named"):
    session = join(make_session(anonymity=anonymity), facilitator, writer, colleague)
    session = move_to(session, "reflect", by=facilitator)
    key = None if anonymity == "named" else keys["writer"]
    cards.write_card(by=writer, session=session, column="stop", text="Long planning meetings", writer_key=key)
    cards.write_card(by=colleague, session=session, column="start", text="Demo on Fridays",
                     writer_key=None if anonymity == "named" else keys["colleague"])
    session = move_to(session, "discuss", by=facilitator)
    return session


# --- timer -------------------------------------------------------------------------------------------------


def test_the_facilitator_starts_a_timer_everyone_sees(session, facilitator, writer):
    session = move_to(join(session, facilitator, writer), "reflect", by=facilitator)
    now = timezone.now()
    session = facilitation.start_timer(by=facilitator, session=session, minutes=5, now=now)
    timer = facilitation.timer_of(session, now=now + timedelta(seconds=61))
    assert (timer.seconds_left, timer.left, timer.auto_advance) == (239, "3:59", False)
    page = signed_in_client(writer).get(f"/sessions/{session.pk}/status/?phase=reflect&revealed=0").content.decode()
    assert 'data-testid="timer"' in page and "left" in page
    # Without auto-advance nothing moves when time is up; the board says so.
    later = now + timedelta(minutes=6)
    assert services.advance_if_due(Session.objects.get(pk=session.pk), now=later).phase == "reflect"
    assert facilitation.timer_of(session, now=later).left == "0:00"


def test_an_auto_advancing_timer_moves_the_phase_on_and_is_cleared(session, facilitator, writer):
    session = move_to(join(session, facilitator, writer), "reflect", by=facilitator)
    started = timezone.now() - timedelta(minutes=3)
    facilitation.start_timer(by=facilitator, session=session, minutes=2, auto_advance=True, now=started)
    moved = services.advance_due_sessions()
    assert [found.pk for found in moved] == [session.pk]
    session.refresh_from_db()
    assert session.phase == "group" and session.revealed
    assert (session.timer_phase, session.timer_ends_at, session.timer_auto_advance) == ("", None, False)
    assert facilitation.timer_of(session) is None


def test_a_running_timer_does_not_move_the_phase(session, facilitator):
    session = move_to(session, "reflect", by=facilitator)
    facilitation.start_timer(by=facilitator, session=session, minutes=10, auto_advance=True)
    assert services.advance_due_sessions() == []


def test_timer_refusals(session, facilitator, writer, make_session):
    session = move_to(join(session, facilitator, writer), "reflect", by=facilitator)
    with pytest.raises(PermissionDenied):
        facilitation.start_timer(by=writer, session=session, minutes=5)
    for minutes in (0, 121, -1):
        with pytest.raises(ValidationError, match="from 1 to 120"):
            facilitation.start_timer(by=facilitator, session=session, minutes=minutes)
    discussing = move_to(session, "discuss", by=facilitator)
    with pytest.raises(ValidationError, match="the discussion ends when the facilitator says so"):
        facilitation.start_timer(by=facilitator, session=discussing, minutes=5, auto_advance=True)
    async_session = make_session(mode="async", title="Async retro",
                                 phase_deadlines={"reflect": timezone.now() + timedelta(days=2)})
    with pytest.raises(ValidationError, match="live sessions"):
        facilitation.start_timer(by=facilitator, session=async_session, minutes=5)


def test_timer_through_the_page_and_the_api(session, facilitator, writer, api_as):
    session = move_to(join(session, facilitator, writer), "reflect", by=facilitator)
    client = signed_in_client(facilitator)
    response = client.post(f"/sessions/{session.pk}/timer/", {"minutes": "abc"}, follow=True)
    assert "whole number from 1 to 120" in response.content.decode()
    client.post(f"/sessions/{session.pk}/timer/", {"minutes": "7", "auto_advance": "on"})
    session.refresh_from_db()
    assert session.timer_phase == "reflect" and session.timer_auto_advance

    answer = api_as(facilitator).post(f"/api/v1/reflection/sessions/{session.pk}/timer",
                                      {"minutes": 3, "auto_advance": False}, content_type=JSON)
    assert answer.status_code == 200 and 170 <= answer.json()["timer_seconds_left"] <= 180
    timer_url = f"/api/v1/reflection/sessions/{session.pk}/timer"
    assert api_as(writer).post(timer_url, {"minutes": 3}, content_type=JSON).status_code == 403
    assert api_as(facilitator).post(f"/api/v1/reflection/sessions/{session.pk}/timer",
                                    {"minutes": 500}, content_type=JSON).status_code == 400
    stopped = api_as(facilitator).delete(f"/api/v1/reflection/sessions/{session.pk}/timer")
    assert stopped.json()["timer_seconds_left"] is None


# --- notes ---------------------------------------------------------------------------------------------


def test_the_facilitator_writes_notes_and_a_decision_per_group(make_session, facilitator, writer, colleague, keys,
                                                                api_as):
    session = _discussed(make_session, facilitator, writer, colleague, keys)
    group = Group.objects.filter(session=session).order_by("title").first()
    facilitation.write_notes(by=facilitator, session=session, group=group, notes=" Meetings run 2 h. ",
                             decision="Cap planning at 45 minutes")
    group.refresh_from_db()
    assert (group.discussion_notes, group.decision) == ("Meetings run 2 h.", "Cap planning at 45 minutes")
    with pytest.raises(PermissionDenied):
        facilitation.write_notes(by=writer, session=session, group=group, notes="mine", decision="")
    answer = api_as(facilitator).post(f"/api/v1/reflection/sessions/{session.pk}/groups/notes",
                                      {"group_id": str(group.pk), "notes": "n", "decision": "d"},
                                      content_type=JSON)
    assert answer.status_code == 200 and answer.json()["decision"] == "d"
    other = _discussed(make_session, facilitator, writer, colleague, keys)
    stranger = Group.objects.filter(session=other).first()
    assert api_as(facilitator).post(f"/api/v1/reflection/sessions/{session.pk}/groups/notes",
                                    {"group_id": str(stranger.pk), "notes": "x"},
                                    content_type=JSON).status_code == 404


def test_notes_wait_for_the_discussion(session, facilitator, writer):
    session = move_to(join(session, facilitator, writer), "reflect", by=facilitator)
    cards.write_card(by=writer, session=session, column="stop", text="Slow reviews", writer_key=None)
    session = move_to(session, "vote", by=facilitator)
    group = Group.objects.filter(session=session).first()
    with pytest.raises(ValidationError, match="discusses"):
        facilitation.write_notes(by=facilitator, session=session, group=group, notes="early", decision="")


# --- summary -------------------------------------------------------------------------------------------


def test_an_anonymous_sessions_summary_names_no_writer_in_any_format(make_session, facilitator, writer, colleague,
                                                                       keys, api_as):
    session = _discussed(make_session, facilitator, writer, colleague, keys, anonymity="anonymous")
    group = Group.objects.filter(session=session).order_by("title").first()
    facilitation.write_notes(by=facilitator, session=session, group=group, notes="", decision="Shorter planning")
    for viewer in (facilitator, writer):
        markdown = summary.as_markdown(summary.summary_for(viewer, session))
        assert "Long planning meetings" in markdown and "Decision:** Shorter planning" in markdown
        assert "Wren" not in markdown and "Cal" not in markdown
        page = signed_in_client(viewer).get(f"/sessions/{session.pk}/summary/").content.decode()
        assert "Long planning meetings" in page and "Wren Writer" not in page and "Cal Colleague" not in page
    payload = api_as(facilitator).get(f"/api/v1/reflection/sessions/{session.pk}/summary").json()
    assert {card["byline"] for group in payload["groups"] for card in group["cards"]} == {""}
    assert payload["participants"] == 3 and "Wren" not in payload["markdown"]


def test_a_named_sessions_summary_names_its_writers_and_exports(make_session, facilitator, writer, colleague, keys):
    session = _discussed(make_session, facilitator, writer, colleague, keys)
    client = signed_in_client(colleague)
    markdown = client.get(f"/sessions/{session.pk}/summary/?format=md")
    assert markdown["Content-Type"].startswith("text/markdown")
    text = markdown.content.decode()
    assert text.startswith("# Sprint 14 retro") and "Long planning meetings — Wren Writer" in text
    pdf = client.get(f"/sessions/{session.pk}/summary/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"/sessions/{session.pk}/summary/?format=docx").status_code == 400


def test_no_summary_before_the_discussion(session, facilitator, api_as):
    session = move_to(session, "reflect", by=facilitator)
    response = signed_in_client(facilitator).get(f"/sessions/{session.pk}/summary/")
    assert response.status_code == 302
    assert api_as(facilitator).get(f"/api/v1/reflection/sessions/{session.pk}/summary").status_code == 400


def test_a_share_link_opens_the_summary_to_the_organization_until_it_is_stopped(
        make_session, facilitator, writer, colleague, keys, outsider):
    session = _discussed(make_session, facilitator, writer, colleague, keys)
    assert signed_in_client(outsider).get(f"/sessions/{session.pk}/summary/").status_code == 404
    with pytest.raises(PermissionDenied):
        summary.share(by=writer, session=session)
    token = summary.share(by=facilitator, session=session)
    stored = Session.objects.get(pk=session.pk).summary_token_hash
    assert token not in stored and len(stored) == 64  # only its SHA-256 is kept
    page = signed_in_client(outsider).get(f"/sessions/summary/{token}/")
    assert page.status_code == 200 and "Long planning meetings" in page.content.decode()
    assert signed_in_client(outsider).get("/sessions/summary/not-a-token/").status_code == 404
    newer = summary.share(by=facilitator, session=session)
    assert signed_in_client(outsider).get(f"/sessions/summary/{token}/").status_code == 404  # replaced
    summary.unshare(by=facilitator, session=session)
    assert signed_in_client(outsider).get(f"/sessions/summary/{newer}/").status_code == 404
    assert signed_in_client(outsider).get("/sessions/summary/x/").status_code == 404


def test_the_summary_is_emailed_once_to_everyone_who_took_part(make_session, facilitator, writer, colleague, keys):
    session = _discussed(make_session, facilitator, writer, colleague, keys)
    mail.outbox.clear()
    client = signed_in_client(facilitator)
    response = client.post(f"/sessions/{session.pk}/summary/email/", follow=True)
    assert "Summary sent to 3 participants" in response.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [facilitator.email, writer.email, colleague.email])
    assert all("Long planning meetings" in message.body for message in mail.outbox)
    client.post(f"/sessions/{session.pk}/summary/email/")
    assert len(mail.outbox) == 3  # nothing changed, nothing sent again
    assert signed_in_client(writer).post(f"/sessions/{session.pk}/summary/email/").status_code == 302
    assert len(mail.outbox) == 3


def test_the_share_link_is_a_secret_for_people_signed_in(make_session, facilitator, writer, colleague, keys, client):
    session = _discussed(make_session, facilitator, writer, colleague, keys)
    token = summary.share(by=facilitator, session=session)
    response = client.get(f"/sessions/summary/{token}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_summary_page_reads_a_fixed_number_of_queries(make_session, facilitator, writer, colleague, keys):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learnloop.reflection import follow_up

    def discussed_with(count: int):
        session = join(make_session(title=f"Retro of {count}"), facilitator, writer, colleague)
        session = move_to(session, "reflect", by=facilitator)
        for number in range(count):
            cards.write_card(by=writer if number % 2 else colleague, session=session, column="stop",
                             text=f"Problem number {number} with topic {number * 7919 % 101}", writer_key=None)
        session = move_to(session, "discuss", by=facilitator)
        for number in range(count):
            follow_up.create_session_action(by=facilitator, session=session, title=f"Fix {number}", owner=writer)
        return session

    client = signed_in_client(facilitator)
    counts = []
    for size in (2, 20):
        session = discussed_with(size)
        client.get(f"/sessions/{session.pk}/summary/")  # warm caches (templates, access)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/sessions/{session.pk}/summary/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- reactions -----------------------------------------------------------------------------------------


def _revealed(make_session, facilitator, writer, colleague, keys, anonymity="anonymous"):
    session = join(make_session(anonymity=anonymity), facilitator, writer, colleague)
    session = move_to(session, "reflect", by=facilitator)
    cards.write_card(by=writer, session=session, column="stop", text="Long planning meetings",
                     writer_key=keys["writer"])
    cards.write_card(by=colleague, session=session, column="start", text="Demo on Fridays",
                     writer_key=keys["colleague"])
    return services.reveal(by=facilitator, session=session)


def test_reactions_count_and_toggle_but_store_no_person(make_session, facilitator, writer, colleague, keys):
    from learnloop.reflection.models import Card, Reaction
    from learnloop.reflection.selectors import cards_for

    session = _revealed(make_session, facilitator, writer, colleague, keys)
    card = Card.objects.get(session=session, text="Long planning meetings")
    assert cards.toggle_reaction(by=colleague, session=session, card=card, emoji="👍", writer_key=keys["colleague"])
    assert cards.toggle_reaction(by=facilitator, session=session, card=card, emoji="👍",
                                 writer_key=keys["facilitator"])
    assert cards.toggle_reaction(by=colleague, session=session, card=card, emoji="🎉", writer_key=keys["colleague"])
    mine = next(view for view in cards_for(colleague, session, keys["colleague"]) if view.id == str(card.pk))
    assert mine.reactions == {"👍": 2, "🎉": 1} and mine.my_reactions == ["👍", "🎉"]
    theirs = next(view for view in cards_for(writer, session, keys["writer"]) if view.id == str(card.pk))
    assert theirs.reactions == {"👍": 2, "🎉": 1} and theirs.my_reactions == []
    # Sending it again takes it back.
    assert not cards.toggle_reaction(by=colleague, session=session, card=card, emoji="👍",
                                     writer_key=keys["colleague"])
    assert Reaction.objects.filter(card=card, emoji="👍").count() == 1
    # What is stored: a card, an emoji and a per-card-per-emoji hash; no person, time or shared hash.
    columns = {field.name for field in Reaction._meta.get_fields()}
    assert columns == {"id", "card", "emoji", "reactor_hash"}
    hashes = list(Reaction.objects.values_list("reactor_hash", flat=True))
    assert len(set(hashes)) == len(hashes)
    assert all(keys[name] not in stored for name in ("colleague", "facilitator") for stored in hashes)


def test_reactions_survive_the_cards_being_rewritten(make_session, facilitator, writer, colleague, keys):
    from learnloop.reflection.models import Card, Reaction

    session = join(make_session(anonymity="anonymous"), facilitator, writer, colleague)
    session = move_to(session, "reflect", by=facilitator)
    cards.write_card(by=writer, session=session, column="stop", text="Slow reviews", writer_key=keys["writer"])
    session = services.reveal(by=facilitator, session=session)
    card = Card.objects.get(session=session)
    cards.toggle_reaction(by=colleague, session=session, card=card, emoji="❤️", writer_key=keys["colleague"])
    # A new card rewrites every card of an anonymous session in random order (shuffle.py).
    cards.write_card(by=colleague, session=session, column="start", text="Pairing", writer_key=keys["colleague"])
    assert list(Reaction.objects.filter(card__session=session).values_list("card__text", "emoji")) == [
        ("Slow reviews", "❤️")]


def test_reaction_refusals(make_session, facilitator, writer, colleague, keys, outsider, api_as):
    from learnloop.reflection.models import Card

    session = join(make_session(anonymity="anonymous"), facilitator, writer, colleague)
    session = move_to(session, "reflect", by=facilitator)
    cards.write_card(by=writer, session=session, column="stop", text="Slow reviews", writer_key=keys["writer"])
    card = Card.objects.get(session=session)
    with pytest.raises(ValidationError, match="once they are revealed"):
        cards.toggle_reaction(by=colleague, session=session, card=card, emoji="👍", writer_key=keys["colleague"])
    session = services.reveal(by=facilitator, session=session)
    with pytest.raises(ValidationError, match="Choose one of"):
        cards.toggle_reaction(by=colleague, session=session, card=card, emoji="💩", writer_key=keys["colleague"])
    with pytest.raises(ValidationError, match="writer key"):
        cards.toggle_reaction(by=colleague, session=session, card=card, emoji="👍", writer_key=None)
    with pytest.raises(PermissionDenied):
        cards.toggle_reaction(by=outsider, session=session, card=card, emoji="👍", writer_key=keys["outsider"])
    answer = api_as(colleague).post(f"/api/v1/reflection/sessions/{session.pk}/cards/react",
                                    {"card_id": str(card.pk), "emoji": "👍"}, content_type=JSON,
                                    headers={"X-Writer-Key": keys["colleague"]})
    assert answer.status_code == 200 and answer.json()["reactions"] == {"👍": 1}
    assert answer.json()["my_reactions"] == ["👍"] and answer.json()["byline"] == ""


def test_reacting_from_the_board(make_session, facilitator, writer, colleague, keys):
    from learnloop.reflection.models import Card

    session = _revealed(make_session, facilitator, writer, colleague, keys, anonymity="named")
    card = Card.objects.get(session=session, text="Demo on Fridays")
    client = signed_in_client(writer)
    board = client.get(f"/sessions/{session.pk}/").content.decode()
    assert 'aria-label="React 🎉"' in board
    client.post(f"/sessions/{session.pk}/cards/react/", {"card": str(card.pk), "emoji": "🎉"})
    board = client.get(f"/sessions/{session.pk}/").content.decode()
    assert 'aria-label="React 🎉, 1 so far"' in board and 'aria-pressed="true"' in board


def test_the_pdf_draws_text_outside_latin_1(make_session, facilitator, writer, colleague, keys):
    # DejaVu Sans ships with the front-end libraries, so a Polish or Greek card prints as written
    # (the PDF core font would print "?"): the font is embedded and maps its glyphs back to Ł and Ω.
    import re
    import zlib

    session = join(make_session(anonymity="named"), facilitator, writer, colleague)
    session = move_to(session, "reflect", by=facilitator)
    cards.write_card(by=writer, session=session, column="stop", text="Łódź handover Ω", writer_key=None)
    session = move_to(session, "discuss", by=facilitator)
    pdf = signed_in_client(writer).get(f"/sessions/{session.pk}/summary/?format=pdf").content
    assert b"DejaVuSans" in pdf
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    to_unicode = b"".join(stream for stream in streams if b"beginbfchar" in stream or b"beginbfrange" in stream)
    assert b"<0141>" in to_unicode.upper() and b"<03A9>" in to_unicode.upper()
