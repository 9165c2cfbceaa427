"""The knowledge pages in German: a German team's lessons, a decision record and a question with
answers; the search page, an entry, the entry form, the questions, the unanswered queue, the review
queue and the notifications show no English."""

import pytest
from django.urls import reverse

from learnloop.knowledge import services
from tests import factories
from tests.conftest import signed_in_client
from tests.german_pages import assert_german, german_get


@pytest.fixture
def hafen(db, settings):
    # A German site: notifications are stored in the recipient's language, which without a
    # choice of their own is the site's.
    settings.LANGUAGE_CODE = "de"
    factories.organization()
    team = factories.team(name="Hafenbetrieb")
    jana = factories.person(email="jana.mueller@example.org", full_name="Jana Müller")
    lukas = factories.person(email="lukas.schaefer@example.org", full_name="Lukas Schäfer")
    factories.membership(jana, team, role="facilitator")
    factories.membership(lukas, team)
    lesson = services.create_entry(
        by=jana, kind="lesson", title="Kräne vor dem Sturm sichern",
        body="Ab Windstärke 7 die Kräne **verriegeln** und die Schicht informieren.", tags=["Sicherheit", "Kräne"],
    )
    decision = services.create_entry(
        by=jana, kind="decision", title="Wartungsfenster am Dienstag",
        context="Die Schiffe laufen dienstags selten ein.", options="Montag, Dienstag", decision="Dienstag.",
        consequences="Die Frühschicht plant um.",
    )
    question = services.create_entry(by=lukas, kind="question", title="Wer hat den Schlüssel zum Lager 4?",
                                     body="Ich brauche ihn für die Inventur.")
    open_question = services.create_entry(by=lukas, kind="question", title="Wie melde ich einen Schaden am Kai?",
                                          body="Gibt es dafür ein Formular?")
    answer = services.add_answer(by=jana, question=question, body="Frau Weber in der Leitstelle.")
    services.vote_on_answer(by=lukas, answer=answer, value=1)
    services.give_feedback(by=lukas, entry=lesson, helpful=True, comment="Sehr hilfreich beim letzten Sturm.")
    services.follow_entry(by=lukas, entry=lesson)
    services.update_entry(by=jana, entry=lesson, body="Ab Windstärke 7 die Kräne verriegeln.")
    return {"jana": jana, "lukas": lukas, "lesson": lesson, "decision": decision, "question": question,
            "open_question": open_question}


def test_the_search_page_and_the_questions_are_german(hafen):
    client = signed_in_client(hafen["jana"])
    search = reverse("knowledge:search")
    assert_german(german_get(client, search))
    assert_german(german_get(client, search + "?q=Kräne"))
    assert_german(german_get(client, search + "?kind=question"))
    assert_german(german_get(client, search + "?q=gibtesnicht"))


def test_entry_pages_are_german(hafen):
    for person in ("jana", "lukas"):
        client = signed_in_client(hafen[person])
        for entry in ("lesson", "decision", "question", "open_question"):
            assert_german(german_get(client, reverse("knowledge:entry", args=[hafen[entry].pk])))
    client = signed_in_client(hafen["jana"])
    assert_german(german_get(client, reverse("knowledge:history", args=[hafen["lesson"].pk])))


def test_the_entry_form_is_german(hafen):
    client = signed_in_client(hafen["jana"])
    assert_german(german_get(client, reverse("knowledge:create")))
    for kind in ("lesson", "playbook", "decision", "question"):
        assert_german(german_get(client, reverse("knowledge:create") + f"?kind={kind}"))
    assert_german(german_get(client, reverse("knowledge:edit", args=[hafen["lesson"].pk])))


def test_the_queues_and_notifications_are_german(hafen):
    for person in ("jana", "lukas"):
        client = signed_in_client(hafen[person])
        assert_german(german_get(client, reverse("knowledge:unanswered")))
        assert_german(german_get(client, reverse("knowledge:reviews")))
        assert_german(german_get(client, reverse("knowledge:notifications")))


def test_notifications_are_stored_in_the_sites_language_for_people_without_a_choice(hafen):
    from learnloop.knowledge.models import Notification

    texts = list(Notification.objects.values_list("text", flat=True))
    assert texts and all("„" in text for text in texts), texts


def test_the_english_pages_are_unchanged(hafen):
    page = signed_in_client(hafen["jana"]).get(reverse("knowledge:search"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Knowledge" in page and "Unanswered questions" in page
