"""The check-in round (issue 21, item 1): asked while the session prepares, one answer per person,
shown to everyone at once from Reflect on, anonymous like cards, and gone when the session closes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnloop.reflection import checkin, services
from learnloop.reflection.models import CheckIn
from tests.conftest import signed_in_client
from tests.reflection.conftest import join, move_to

pytestmark = pytest.mark.django_db
JSON = "application/json"
QUESTION = "One word for how you arrive today?"


def _asked(make_session, facilitator, writer, colleague, *, anonymity="named"):
    session = join(make_session(anonymity=anonymity), facilitator, writer, colleague)
    return checkin.set_question(by=facilitator, session=session, question=QUESTION)


def _key(keys, name, session):
    return None if session.anonymity == "named" else keys[name]


def test_answers_are_hidden_while_preparing_and_shown_together_from_reflect(
        make_session, facilitator, writer, colleague, keys):
    session = _asked(make_session, facilitator, writer, colleague)
    checkin.answer(by=writer, session=session, text="Sleepy", writer_key=None)
    checkin.answer(by=colleague, session=session, text="Curious", writer_key=None)
    preparing = checkin.round_for(writer, session, None)
    assert (preparing.question, preparing.open, preparing.shown, preparing.count, preparing.mine) == (
        QUESTION, True, False, 2, "Sleepy")
    assert preparing.answers == []  # nobody sees the others' while they arrive one by one
    reflecting = checkin.round_for(facilitator, move_to(session, "reflect", by=facilitator), None)
    assert (reflecting.open, reflecting.shown, reflecting.mine) == (False, True, "")
    assert reflecting.answers == [{"text": "Curious", "by": colleague.full_name},
                                  {"text": "Sleepy", "by": writer.full_name}]


@pytest.mark.parametrize("anonymity", ["named", "alias", "anonymous"])
def test_one_answer_per_person_which_they_can_change(make_session, facilitator, writer, colleague, keys, anonymity):
    session = _asked(make_session, facilitator, writer, colleague, anonymity=anonymity)
    checkin.answer(by=writer, session=session, text="Tired", writer_key=_key(keys, "writer", session))
    checkin.answer(by=writer, session=session, text="Awake after all", writer_key=_key(keys, "writer", session))
    assert list(CheckIn.objects.filter(session=session).values_list("text", flat=True)) == ["Awake after all"]
    assert checkin.round_for(writer, session, _key(keys, "writer", session)).mine == "Awake after all"
    assert checkin.round_for(colleague, session, _key(keys, "colleague", session)).mine == ""


def test_anonymous_answers_store_no_person_and_show_no_name(make_session, facilitator, writer, colleague, keys):
    session = _asked(make_session, facilitator, writer, colleague, anonymity="anonymous")
    checkin.answer(by=writer, session=session, text="Hopeful", writer_key=keys["writer"])
    checkin.answer(by=colleague, session=session, text="Busy", writer_key=keys["colleague"])
    rows = list(CheckIn.objects.filter(session=session).values("author_id", "alias", "writer_hash"))
    assert all(row["author_id"] is None and row["alias"] == "" for row in rows)
    assert all(keys[name] not in row["writer_hash"] for name in ("writer", "colleague") for row in rows)
    # Nothing about when: the model has no time field, and ids are random UUIDs.
    assert {field.get_internal_type() for field in CheckIn._meta.concrete_fields} >= {"UUIDField"}
    assert not {"DateTimeField", "DateField"} & {field.get_internal_type() for field in CheckIn._meta.concrete_fields}
    shown = checkin.round_for(facilitator, move_to(session, "reflect", by=facilitator), keys["facilitator"])
    assert [answer["by"] for answer in shown.answers] == ["", ""]


def test_raising_the_anonymity_takes_the_names_off_answers(make_session, facilitator, writer, colleague, keys):
    session = _asked(make_session, facilitator, writer, colleague)
    checkin.answer(by=writer, session=session, text="Ready", writer_key=None)
    session = services.raise_anonymity(by=facilitator, session=session, anonymity="alias")
    row = CheckIn.objects.get(session=session)
    assert row.author_id is None and row.alias
    services.raise_anonymity(by=facilitator, session=session, anonymity="anonymous")
    row = CheckIn.objects.get(session=session)
    assert (row.author_id, row.alias) == (None, "")


def test_answers_are_deleted_when_the_session_closes(make_session, facilitator, writer, colleague, keys, api_as):
    session = _asked(make_session, facilitator, writer, colleague, anonymity="anonymous")
    checkin.answer(by=writer, session=session, text="Fine", writer_key=keys["writer"])
    session = move_to(session, "closed", by=facilitator)
    assert not CheckIn.objects.filter(session=session).exists()
    assert checkin.round_for(writer, session, keys["writer"]) is None
    answer = api_as(writer).get(f"/api/v1/reflection/sessions/{session.pk}/checkins")
    assert answer.status_code == 200 and answer.json()["question"] == "" and answer.json()["answers"] == []


def test_check_in_refusals(make_session, facilitator, writer, colleague, keys, outsider):
    session = join(make_session(anonymity="anonymous"), facilitator, writer, colleague)
    with pytest.raises(ValidationError, match="no check-in question"):
        checkin.answer(by=writer, session=session, text="Hi", writer_key=keys["writer"])
    with pytest.raises(PermissionDenied):
        checkin.set_question(by=writer, session=session, question=QUESTION)
    with pytest.raises(ValidationError, match="under 200"):
        checkin.set_question(by=facilitator, session=session, question="x" * 201)
    session = checkin.set_question(by=facilitator, session=session, question=QUESTION)
    with pytest.raises(ValidationError, match="Write an answer"):
        checkin.answer(by=writer, session=session, text="   ", writer_key=keys["writer"])
    with pytest.raises(ValidationError, match="under 280"):
        checkin.answer(by=writer, session=session, text="x" * 281, writer_key=keys["writer"])
    with pytest.raises(ValidationError, match="writer key"):
        checkin.answer(by=writer, session=session, text="Hi", writer_key=None)
    with pytest.raises(PermissionDenied):
        checkin.answer(by=outsider, session=session, text="Hi", writer_key=keys["outsider"])
    reflecting = move_to(session, "reflect", by=facilitator)
    with pytest.raises(ValidationError, match="while the session prepares"):
        checkin.answer(by=writer, session=reflecting, text="Late", writer_key=keys["writer"])
    with pytest.raises(ValidationError, match="only while the session prepares"):
        checkin.set_question(by=facilitator, session=reflecting, question="Another?")
    assert not CheckIn.objects.exists()


def test_check_in_through_the_api(facilitator, writer, colleague, api_as, team):
    created = api_as(facilitator).post("/api/v1/reflection/sessions", {
        "team_id": team.pk, "template_id": services.builtin_template("start-stop-continue").pk,
        "title": "Sprint 9 retro", "anonymity": "alias",
        "checkin_question": QUESTION}, content_type=JSON)
    assert created.status_code == 201 and created.json()["checkin_question"] == QUESTION
    session_id = created.json()["id"]
    writer_api = api_as(writer)
    key = writer_api.post(f"/api/v1/reflection/sessions/{session_id}/join").json()["writer_key"]
    url = f"/api/v1/reflection/sessions/{session_id}/checkins"
    answered = writer_api.post(url, {"text": "Caffeinated"}, content_type=JSON, headers={"X-Writer-Key": key})
    assert answered.status_code == 200
    assert {k: answered.json()[k] for k in ("open", "shown", "count", "mine", "answers")} == {
        "open": True, "shown": False, "count": 1, "mine": "Caffeinated", "answers": []}
    refused = writer_api.post(url, {"text": "x" * 300}, content_type=JSON, headers={"X-Writer-Key": key})
    assert refused.status_code == 400 and "280" in refused.content.decode()
    assert writer_api.post(f"/api/v1/reflection/sessions/{session_id}/checkin/question", {"question": "?"},
                           content_type=JSON).status_code == 403
    changed = api_as(facilitator).post(f"/api/v1/reflection/sessions/{session_id}/checkin/question",
                                       {"question": "What would make today worth it?"}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["checkin_question"] == "What would make today worth it?"
    api_as(facilitator).post(f"/api/v1/reflection/sessions/{session_id}/phase", {"phase": "reflect"},
                             content_type=JSON)
    shown = api_as(colleague).get(url).json()
    assert shown["shown"] and [a["text"] for a in shown["answers"]] == ["Caffeinated"]
    assert shown["answers"][0]["by"] not in {writer.full_name, ""}  # an alias


def test_check_in_from_the_board(make_session, facilitator, writer, colleague):
    session = join(make_session(anonymity="anonymous"), facilitator, writer, colleague)
    host = signed_in_client(facilitator)
    board = host.get(f"/sessions/{session.pk}/").content.decode()
    assert "Ask a check-in question" in board
    host.post(f"/sessions/{session.pk}/checkin/question/", {"question": QUESTION})
    client = signed_in_client(writer)
    board = client.get(f"/sessions/{session.pk}/").content.decode()  # sets the writer key cookie
    assert QUESTION in board and "Check in" in board
    client.post(f"/sessions/{session.pk}/checkin/", {"text": "Rested"})
    board = client.get(f"/sessions/{session.pk}/").content.decode()
    assert 'value="Rested"' in board and "1 answer so far" in board
    other = signed_in_client(colleague).get(f"/sessions/{session.pk}/").content.decode()
    assert "Rested" not in other  # not before Reflect
    move_to(session, "reflect", by=facilitator)
    other = signed_in_client(colleague).get(f"/sessions/{session.pk}/").content.decode()
    assert "Rested" in other and writer.full_name not in other.split('data-testid="checkin"')[1].split("</section>")[0]
