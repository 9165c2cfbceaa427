"""An answer shows under its author's name, so only its author changes its text; curators hide it
with a reason instead. The same inputs go through the API and the web UI, and get the same outcome."""

import pytest

from learnloop.activity.models import ActivityEvent
from learnloop.knowledge import services
from tests import factories
from tests.conftest import signed_in_client

API = "/api/v1/knowledge"
JSON = "application/json"
AUTHOR_ONLY = "Only the author can edit an answer"


@pytest.fixture
def people(db):
    asker = factories.person(full_name="Ada Asker")
    return {
        "asker": asker,
        "author": factories.person(full_name="Otto Author"),
        "admin": factories.person(full_name="Ali Admin", role="admin"),
        "lead": factories.person(full_name="Lea Lead", role="learning_lead"),
        "reader": factories.person(full_name="Rita Reader"),
    }


@pytest.fixture
def answer(people):
    question = services.create_entry(by=people["asker"], kind="question", title="How do we rotate the vault keys?")
    return services.add_answer(by=people["author"], question=question, body="Run the rotate-keys playbook.")


class Api:
    """Each action through the REST API: (status, message or None)."""

    def __init__(self, api_as):
        self.api_as = api_as

    def edit(self, person, answer, body):
        response = self.api_as(person).patch(f"{API}/answers/{answer.pk}", {"body": body}, content_type=JSON)
        return response.status_code, response.json().get("detail")

    def hide(self, person, answer, reason):
        response = self.api_as(person).post(f"{API}/answers/{answer.pk}/hide", {"reason": reason}, content_type=JSON)
        return response.status_code, response.json().get("detail")

    def restore(self, person, answer):
        response = self.api_as(person).delete(f"{API}/answers/{answer.pk}/hide")
        return response.status_code, response.json().get("detail")

    def shown(self, person, answer) -> dict:
        body = self.api_as(person).get(f"{API}/entries/{answer.question_id}").json()
        (shown,) = [item for item in body["answers"] if item["id"] == answer.pk]
        note = f"Hidden by {shown['hidden_by']['full_name']}: {shown['hidden_reason']}" if shown["hidden"] else ""
        return {"body": shown["body"], "edited": shown["edited"], "hidden": shown["hidden"], "note": note}


class Web:
    """Each action through the pages (forms posted with htmx, as the browser does)."""

    def edit(self, person, answer, body):
        return self._post(person, f"/knowledge/{answer.question_id}/answers/{answer.pk}/edit/", {"body": body})

    def hide(self, person, answer, reason):
        return self._post(person, f"/knowledge/{answer.question_id}/answers/{answer.pk}/hide/", {"reason": reason})

    def restore(self, person, answer):
        return self._post(person, f"/knowledge/{answer.question_id}/answers/{answer.pk}/restore/", {})

    def _post(self, person, path, data):
        response = signed_in_client(person).post(path, data, headers={"HX-Request": "true", "HX-Target": "answers"})
        page = response.content.decode()
        if response.status_code == 403:
            return 403, page
        # A refused input comes back as the answers section with the reason under the answer.
        return (422 if 'class="error"' in page else 200), page

    def shown(self, person, answer) -> dict:
        page = signed_in_client(person).get(f"/knowledge/{answer.question_id}/").content.decode()
        start = page.index(f'id="answer-{answer.pk}"')
        article = page[start:page.index("</article>", start)]
        note = ""
        if "answer-hidden-note" in article:
            note_html = article[article.index("answer-hidden-note"):]
            note_html = note_html[note_html.index("<strong>") + 8:note_html.index("</p>")]
            note = note_html.replace("</strong>", "").replace(":", ":", 1).strip()
        return {"body": answer.body if f"<p>{answer.body}</p>" in article else "",
                "edited": ">edited</span>" in article, "hidden": "answer-hidden-note" in article, "note": note}


@pytest.fixture(params=["api", "web"])
def path(request, api_as):
    return Api(api_as) if request.param == "api" else Web()


def test_an_admin_cannot_rewrite_someone_elses_answer(path, people, answer):
    for who in ("admin", "lead", "asker", "reader"):
        status, message = path.edit(people[who], answer, "Actually, ignore the playbook.")
        assert status == 403, who
        assert AUTHOR_ONLY in message, who
    answer.refresh_from_db()
    assert answer.body == "Run the rotate-keys playbook."
    assert answer.edited_at is None
    assert path.shown(people["reader"], answer) == {"body": "Run the rotate-keys playbook.", "edited": False,
                                                    "hidden": False, "note": ""}


def test_the_author_edits_and_the_answer_shows_edited(path, people, answer):
    status, _ = path.edit(people["author"], answer, "Run the rotate-keys playbook, then restart the workers.")
    assert status == 200
    answer.refresh_from_db()
    assert answer.body == "Run the rotate-keys playbook, then restart the workers." and answer.edited_at
    assert path.shown(people["reader"], answer)["edited"]
    status, _ = path.edit(people["author"], answer, "   ")
    assert status in (400, 422)
    answer.refresh_from_db()
    assert answer.body == "Run the rotate-keys playbook, then restart the workers."


def test_curators_hide_with_a_reason_and_readers_see_who_and_why(path, people, answer):
    # Not the answer's author (they can edit it), nor a reader: the question's owner side, learning
    # leads and admins moderate.
    for who in ("author", "reader"):
        status, _ = path.hide(people[who], answer, "Outdated")
        assert status == 403, who
    status, _ = path.hide(people["admin"], answer, "  ")
    assert status in (400, 422)  # a reason is required
    status, _ = path.hide(people["admin"], answer, "The playbook was retired in May.")
    assert status == 200
    answer.refresh_from_db()
    assert answer.body == "Run the rotate-keys playbook."  # hidden, never rewritten
    note = "Hidden by Ali Admin: The playbook was retired in May."
    assert path.shown(people["reader"], answer) == {"body": "", "edited": False, "hidden": True, "note": note}
    # The author and curators still read the text, under the same note.
    for who in ("author", "admin", "lead"):
        assert path.shown(people[who], answer) == {"body": "Run the rotate-keys playbook.", "edited": False,
                                                   "hidden": True, "note": note}, who
    assert path.restore(people["reader"], answer)[0] == 403
    assert path.restore(people["lead"], answer)[0] == 200
    assert path.shown(people["reader"], answer)["hidden"] is False
    # The person who asked owns the question, so they may hide answers to it too.
    assert path.hide(people["asker"], answer, "Answered in the runbook now.")[0] == 200
    assert path.shown(people["reader"], answer)["note"] == "Hidden by Ada Asker: Answered in the runbook now."
    verbs = list(ActivityEvent.objects.filter(verb__in=["hid_answer", "restored_answer"]).order_by("id")
                 .values_list("verb", "actor"))
    assert verbs == [("hid_answer", people["admin"].pk), ("restored_answer", people["lead"].pk),
                     ("hid_answer", people["asker"].pk)]


def test_a_hidden_answers_text_is_not_searchable(people, answer):
    from learnloop.knowledge.search.documents import documents_for

    def indexed_text():
        return documents_for([answer.question_id])[answer.question_id].text

    assert "rotate-keys playbook" in indexed_text()
    services.hide_answer(by=people["admin"], answer=answer, reason="Wrong")
    assert "rotate-keys playbook" not in indexed_text()
    services.restore_answer(by=people["admin"], answer=answer)
    assert "rotate-keys playbook" in indexed_text()
