"""The retrospective pages in German: a German team holds a retro with a German template, and the
session list, the board in each phase and the summary (page and Markdown) show no English.

Column titles, card texts and names are content, so they are German here; everything around
them is the page's own text."""

import pytest

from learnloop.reflection import cards, follow_up, services, summary
from learnloop.reflection.models import Card, TemplateScope
from tests import factories
from tests.conftest import signed_in_client
from tests.german_pages import assert_german, german_get
from tests.i18n_check import assert_no_english
from tests.reflection.conftest import join, move_to

COLUMNS = [
    {"title": "Was lief gut?", "prompt": "Worauf sind wir stolz?"},
    {"title": "Was bremst uns?", "prompt": "Wo hakte es im Hafenbetrieb?"},
]


@pytest.fixture
def hafen(db):
    factories.organization()
    team = factories.team(name="Hafenbetrieb")
    jana = factories.person(email="jana.mueller@example.org", full_name="Jana Müller")
    lukas = factories.person(email="lukas.schaefer@example.org", full_name="Lukas Schäfer")
    sophie = factories.person(email="sophie.krause@example.org", full_name="Sophie Krause")
    factories.membership(jana, team, role="facilitator")
    factories.membership(lukas, team)
    factories.membership(sophie, team)
    template = services.create_template(by=jana, name="Hafen-Retro", columns=COLUMNS, scope=TemplateScope.TEAM,
                                        team=team)
    session = services.create_session(by=jana, team=team, template=template, title="Retro Kranwartung März",
                                      goal="Weniger Stillstand an Kran 3")
    return {"team": team, "jana": jana, "lukas": lukas, "sophie": sophie, "session": session}


def board(client, session):
    return german_get(client, f"/sessions/{session.pk}/")


def test_the_session_list_and_an_unstarted_board_are_german(hafen):
    client = signed_in_client(hafen["jana"])
    assert_german(german_get(client, "/sessions/"))
    assert_german(board(client, hafen["session"]))


def test_the_board_is_german_in_every_phase_and_the_summary_too(hafen):
    jana, lukas, sophie = hafen["jana"], hafen["lukas"], hafen["sophie"]
    facilitator, writer = signed_in_client(jana), signed_in_client(lukas)
    session = move_to(hafen["session"], "reflect", by=jana)
    join(session, lukas, sophie)
    first = cards.write_card(by=lukas, session=session, column="was_lief_gut", text="Übergaben pünktlich",
                             writer_key="a" * 64)
    cards.write_card(by=sophie, session=session, column="was_bremst_uns", text="Ersatzteile fehlen",
                     writer_key="b" * 64)
    assert_german(board(writer, session))
    assert_german(board(facilitator, session))
    services.reveal(by=jana, session=session)
    assert_german(board(writer, session))

    session = move_to(session, "group", by=jana)
    cards.group_cards(by=lukas, session=session, cards=[first], title="Übergaben")
    assert_german(board(writer, session))
    assert_german(board(facilitator, session))

    session = move_to(session, "vote", by=jana)
    assert_german(board(writer, session))

    session = move_to(session, "discuss", by=jana)
    follow_up.create_session_action(by=jana, session=session, title="Ersatzteillager prüfen", owner=sophie)
    assert_german(board(facilitator, session))
    assert_german(german_get(facilitator, f"/sessions/{session.pk}/summary/"))

    session = move_to(session, "closed", by=jana)
    assert_german(board(facilitator, session))
    assert_german(german_get(writer, f"/sessions/{session.pk}/summary/"))
    assert Card.objects.filter(session=session).count() == 2


def test_the_summary_markdown_has_german_headings(hafen):
    jana, lukas = hafen["jana"], hafen["lukas"]
    session = move_to(hafen["session"], "reflect", by=jana)
    join(session, lukas)
    cards.write_card(by=lukas, session=session, column="was_lief_gut", text="Übergaben pünktlich",
                     writer_key="c" * 64)
    session = move_to(session, "discuss", by=jana)
    from django.utils import translation

    with translation.override("de"):
        markdown = summary.as_markdown(summary.summary_for(jana, session))
    assert "## Themen" in markdown and "## Maßnahmen" in markdown and "## Erkenntnisse" in markdown
    assert_no_english("<p>" + markdown.replace(hafen["session"].template.name, "") + "</p>")


def test_the_template_pages_are_german(hafen):
    client = signed_in_client(hafen["jana"])
    assert_german(german_get(client, "/sessions/templates/"))


def test_the_english_board_is_unchanged(hafen):
    page = signed_in_client(hafen["jana"]).get(f"/sessions/{hafen['session'].pk}/").content.decode()
    assert "Open actions from earlier sessions" in page and "Facilitate" in page
