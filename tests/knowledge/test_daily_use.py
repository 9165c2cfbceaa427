"""Knowledge in daily use: notifications (in the app and by email through a real SMTP server),
following, answer votes and ranking, the unanswered queue."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.integrations import notifications as preferences
from learnloop.knowledge import selectors, services
from learnloop.knowledge.models import Notification, NotificationKind
from learnloop.knowledge.notification_mail import deliver_notification
from learnloop.knowledge.review_reminders import run_review_reminders
from tests import factories
from tests.conftest import signed_in_client
from tests.integrations.test_email import smtp  # noqa: F401  (the real SMTP server fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def asker(db):
    return factories.person(email="ana.asker@example.org", full_name="Ana Asker")


@pytest.fixture
def question(asker):
    return services.create_entry(by=asker, kind="question", title="How do we rotate the signing keys?",
                                 body="The runbook is silent on it.")


def _notes(person, kind=None):
    found = Notification.objects.filter(recipient=person)
    return list(found.filter(kind=kind) if kind else found)


def test_an_answer_notifies_the_asker_in_the_app_and_by_email(smtp, asker, member, question):  # noqa: F811
    answer = services.add_answer(by=member, question=question, body="Use `keys rotate`, then restart.")
    (note,) = _notes(asker)
    assert note.kind == NotificationKind.ANSWER and note.actor == member and note.entry == question
    assert "Mo Member answered your question" in note.text
    assert _notes(member) == []  # the one who answered is not told about their own answer

    assert deliver_notification(note.pk) is True
    assert deliver_notification(note.pk) is False  # a retried job sends nothing twice
    (_sender, recipients, message), = smtp.messages
    assert recipients == [asker.email]
    assert "How do we rotate the signing keys?" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert f"/knowledge/{question.pk}/" in text and "answered your question" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert answer.pk


def test_a_kind_turned_off_is_not_emailed_but_still_listed(smtp, asker, member, question):  # noqa: F811
    preferences.set_preferences(by=asker, choices={NotificationKind.ANSWER: False})
    services.add_answer(by=member, question=question, body="An answer.")
    (note,) = _notes(asker)
    assert deliver_notification(note.pk) is False
    assert smtp.messages == []
    assert list(selectors.notifications_of(viewer=asker)) == [note]
    # The other kinds stay on.
    assert preferences.preferences_of(asker)[NotificationKind.FOLLOWED] is True


def test_the_preferences_page_lists_the_knowledge_kinds(member_client, member):
    page = member_client.get("/integrations/notifications/").content.decode()
    assert "An answer to your question" in page and "A change to an entry you follow" in page
    member_client.post("/integrations/notifications/", {"reminder": "on", "entry_answer": "on"})
    chosen = preferences.preferences_of(member)
    assert chosen["entry_answer"] is True and chosen["entry_comment"] is False


def test_a_comment_notifies_the_owner_and_plain_feedback_does_not(asker, member, question):
    services.give_feedback(by=member, entry=question, helpful=True)
    assert _notes(asker) == []
    services.give_feedback(by=member, entry=question, helpful=False, comment="Step 3 moved to the vault.")
    (note,) = _notes(asker, NotificationKind.COMMENT)
    assert "Step 3 moved to the vault." in note.text
    services.give_feedback(by=member, entry=question, helpful=False, comment="Step 3 moved to the vault.")
    assert len(_notes(asker, NotificationKind.COMMENT)) == 1  # the same comment again: no second notice


def test_a_team_owned_entry_tells_its_facilitators(member, team):
    lead = factories.person(full_name="Lee Lead")
    factories.membership(lead, team, role="facilitator")
    factories.membership(member, team)
    lesson = services.create_entry(by=member, kind="lesson", title="Pin images", body="By digest.", owner_team=team)
    outsider = factories.person()
    services.give_feedback(by=outsider, entry=lesson, helpful=True, comment="Saved us a day.")
    assert [note.recipient for note in Notification.objects.all()] == [lead]


def test_followers_hear_of_changes_but_not_of_their_own_or_of_what_they_cannot_see(asker, member, team):
    lesson = services.create_entry(by=asker, kind="lesson", title="Pin images", body="By digest.")
    follower = factories.person()
    services.follow_entry(by=follower, entry=lesson)
    services.follow_entry(by=follower, entry=lesson)  # following twice is following
    services.follow_entry(by=member, entry=lesson)
    services.follow_entry(by=asker, entry=lesson)
    services.update_entry(by=asker, entry=lesson, body="By digest, always.", change_note="Stronger")
    assert [note.recipient for note in _notes(follower, NotificationKind.FOLLOWED)] == [follower]
    assert "edited it (version 2)" in _notes(member)[0].text
    assert _notes(asker) == []  # the editor is not told of their own edit
    services.update_entry(by=asker, entry=lesson, tags=["docker"])  # tags are content too
    assert len(_notes(member)) == 2
    # Made team-only: a follower outside the team hears nothing more, and loses the old notices.
    factories.membership(asker, team)
    factories.membership(member, team)
    services.update_entry(by=asker, entry=lesson, visibility="team", teams=[team])
    services.update_entry(by=asker, entry=lesson, body="By digest, always, in CI.")
    assert len(_notes(follower, NotificationKind.FOLLOWED)) == 2
    assert list(selectors.notifications_of(viewer=follower)) == []
    assert len(_notes(member)) == 3
    services.unfollow_entry(by=member, entry=lesson)
    services.mark_obsolete(by=asker, entry=lesson, reason="We build from source now.")
    assert len(_notes(member)) == 3


def test_review_reminders_go_once_per_review_date(smtp, member):  # noqa: F811
    lesson = services.create_entry(by=member, kind="lesson", title="Pin images", body="By digest.",
                                   review_interval_days=30, at=timezone.now() - timedelta(days=40))
    services.create_entry(by=member, kind="lesson", title="Fresh", body="Still fresh.")
    assert [item.entry for item in run_review_reminders(dry_run=True)] == [lesson]
    assert Notification.objects.count() == 0
    handled = run_review_reminders(send_now=True)
    assert [item.recipient for item in handled] == [member]
    assert run_review_reminders(send_now=True) == []
    assert len(smtp.messages) == 1 and "due for review" in smtp.messages[0][2].get_body(("plain",)).get_content()
    services.verify_entry(by=member, entry=lesson)
    assert run_review_reminders() == []
    # Due again one review interval later: its owner hears again.
    later = timezone.localdate() + timedelta(days=31)
    assert len(run_review_reminders(today=later)) == 1


def test_the_remind_command(member, capsys):
    services.create_entry(by=member, kind="lesson", title="Pin images", body="By digest.",
                          review_interval_days=1, at=timezone.now() - timedelta(days=3))
    call_command("knowledge", "remind", "--dry-run")
    assert "1 review reminder would be sent." in capsys.readouterr().out
    call_command("knowledge", "remind")
    assert "1 review reminder queued." in capsys.readouterr().out
    call_command("knowledge", "remind")
    assert "0 review reminders queued." in capsys.readouterr().out


def test_notifications_page_and_marking_read(asker, member, question):
    services.add_answer(by=member, question=question, body="First.")
    services.add_answer(by=member, question=question, body="Second.")
    first, second = sorted(_notes(asker), key=lambda note: note.pk)
    client = signed_in_client(asker)
    page = client.get("/knowledge/notifications/").content.decode()
    assert "2 unread" in page and "answered your question" in page
    # Someone else's id changes nothing.
    other = signed_in_client(member).post("/knowledge/notifications/read/", {"notification": first.pk})
    assert other.status_code == 302
    first.refresh_from_db()
    assert first.read_at is None
    client.post("/knowledge/notifications/read/", {"notification": first.pk})
    assert selectors.unread_notification_count(viewer=asker) == 1
    assert client.post("/knowledge/notifications/read/", {"notification": "x"}).status_code == 400
    client.post("/knowledge/notifications/read/")
    assert selectors.unread_notification_count(viewer=asker) == 0
    assert second.pk


def test_follow_button(member_client, asker, question, member):
    assert "Follow" in member_client.get(f"/knowledge/{question.pk}/").content.decode()
    assert member_client.post(f"/knowledge/{question.pk}/follow/", {"action": "follow"}).status_code == 302
    assert selectors.is_following(viewer=member, entry=question)
    assert member_client.post(f"/knowledge/{question.pk}/follow/", {"action": "maybe"}).status_code == 400
    member_client.post(f"/knowledge/{question.pk}/follow/", {"action": "unfollow"})
    assert not selectors.is_following(viewer=member, entry=question)


# --- votes and ranking --------------------------------------------------------------------------------


def test_votes_and_acceptance_rank_the_answers(asker, member, question):
    early = services.add_answer(by=member, question=question, body="Early.")
    voters = [factories.person() for _ in range(3)]
    late = services.add_answer(by=voters[0], question=question, body="Late but good.")
    assert [a.pk for a in selectors.answers_of(viewer=asker, question=question)] == [early.pk, late.pk]
    services.vote_on_answer(by=voters[1], answer=late, value=1)
    services.vote_on_answer(by=voters[2], answer=late, value=1)
    services.vote_on_answer(by=voters[2], answer=late, value=1)  # one vote per person
    services.vote_on_answer(by=voters[1], answer=early, value=-1)
    ranked = selectors.answers_of(viewer=voters[1], question=question)
    assert [(a.pk, a.score, a.my_vote) for a in ranked] == [(late.pk, 2, 1), (early.pk, -1, -1)]
    services.accept_answer(by=asker, question=question, answer=early)
    question.refresh_from_db()
    assert [a.pk for a in selectors.answers_of(viewer=asker, question=question)] == [early.pk, late.pk]
    assert services.vote_on_answer(by=voters[1], answer=early, value=0) == 0  # withdrawn


def test_bad_votes_are_refused(asker, member, question, member_client):
    answer = services.add_answer(by=member, question=question, body="Mine.")
    with pytest.raises(Exception, match="own answer"):
        services.vote_on_answer(by=member, answer=answer, value=1)
    with pytest.raises(Exception, match="Vote 1"):
        services.vote_on_answer(by=asker, answer=answer, value=5)
    url = f"/knowledge/{question.pk}/answers/{answer.pk}/vote/"
    assert member_client.post(url, {"value": "1"}).status_code == 400
    assert member_client.post(url, {"value": "2"}).status_code == 400
    asker_client = signed_in_client(asker)
    assert asker_client.post(url, {"value": "1"}).status_code == 302
    assert "1 vote" in asker_client.get(f"/knowledge/{question.pk}/").content.decode()


def test_votes_through_the_api(api_as, asker, member, question):
    answer = services.add_answer(by=member, question=question, body="Via the API.")
    client = api_as(asker)
    response = client.post(f"/api/v1/knowledge/answers/{answer.pk}/vote", {"value": 1}, content_type="application/json")
    assert response.status_code == 200 and response.json()["score"] == 1 and response.json()["my_vote"] == 1
    assert client.post(f"/api/v1/knowledge/answers/{answer.pk}/vote", {"value": 3},
                       content_type="application/json").status_code in (400, 422)
    own = api_as(member).post(f"/api/v1/knowledge/answers/{answer.pk}/vote", {"value": 1},
                              content_type="application/json")
    assert own.status_code == 400
    detail = client.get(f"/api/v1/knowledge/entries/{question.pk}").json()
    assert detail["answers"][0]["score"] == 1


def test_notifications_and_follow_through_the_api(api_as, asker, member, question):
    services.add_answer(by=member, question=question, body="An answer.")
    client = api_as(asker)
    listed = client.get("/api/v1/knowledge/notifications?unread=true").json()
    assert listed["count"] == 1 and listed["items"][0]["kind"] == "entry_answer"
    assert listed["items"][0]["entry"]["id"] == question.pk and listed["items"][0]["read"] is False
    read = client.post("/api/v1/knowledge/notifications/read", {}, content_type="application/json")
    assert read.json() == {"count": 1}
    assert client.post("/api/v1/knowledge/notifications/read", {"idz": []},
                       content_type="application/json").status_code == 400
    assert api_as(member).post(f"/api/v1/knowledge/entries/{question.pk}/follow").json() == {"following": True}
    assert api_as(member).delete(f"/api/v1/knowledge/entries/{question.pk}/follow").json() == {"following": False}


# --- the unanswered queue --------------------------------------------------------------------------------


def test_the_unanswered_queue_of_a_team(asker, member, team, api_as):
    other = factories.team(name="Search")
    factories.membership(asker, team)
    old = services.create_entry(by=asker, kind="question", title="Old", body="?", owner_team=team,
                                at=timezone.now() - timedelta(days=9))
    new = services.create_entry(by=asker, kind="question", title="New", body="?", teams=[team])
    answered = services.create_entry(by=asker, kind="question", title="Answered", body="?", owner_team=team)
    services.add_answer(by=member, question=answered, body="Yes.")
    hidden_only = services.create_entry(by=asker, kind="question", title="Hidden only", body="?", owner_team=team)
    hidden = services.add_answer(by=member, question=hidden_only, body="Spam.")
    services.hide_answer(by=asker, answer=hidden, reason="Spam")
    services.create_entry(by=asker, kind="question", title="Elsewhere", body="?", owner_team=other)
    secret = services.create_entry(by=asker, kind="question", title="Secret", body="?", owner_team=team,
                                   visibility="team")
    assert [q.title for q in selectors.unanswered_questions(viewer=asker, team=team)] == [
        "Old", "New", "Hidden only", "Secret"]
    assert [q.title for q in selectors.unanswered_questions(viewer=member, team=team)] == ["Old", "New", "Hidden only"]
    page = signed_in_client(member).get(f"/knowledge/unanswered/?team={team.pk}").content.decode()
    assert "Old" in page and "Secret" not in page and "Elsewhere" not in page
    assert signed_in_client(member).get("/knowledge/unanswered/?team=abc").status_code == 200
    listed = api_as(member).get(f"/api/v1/knowledge/unanswered?team={team.pk}").json()
    assert [item["id"] for item in listed["items"]] == [old.pk, new.pk, hidden_only.pk]
    assert api_as(member).get("/api/v1/knowledge/unanswered?team=999999").status_code == 400
    assert secret.pk


def _build(team, people, scale):
    for number in range(scale):
        asker = people[number % len(people)]
        question = services.create_entry(by=asker, kind="question", title=f"Question {number}", body="?",
                                         owner_team=team)
        services.create_entry(by=asker, kind="question", title=f"Team only {number}", body="?", teams=[team],
                              visibility="team")
        services.add_answer(by=people[(number + 1) % len(people)], question=question, body="An answer.")
        services.follow_entry(by=people[0], entry=question)
        services.update_entry(by=asker, entry=question, body=f"? ({number})")


@pytest.mark.parametrize("path", ["/knowledge/unanswered/?team={team}", "/knowledge/unanswered/",
                                  "/knowledge/notifications/", "/api/v1/knowledge/unanswered?team={team}",
                                  "/api/v1/knowledge/notifications"])
def test_query_counts_stay_flat_from_1x_to_10x(path, team, api_as):
    people = [factories.person() for _ in range(3)]
    for person in people:
        factories.membership(person, team)
    viewer = people[0]
    client = api_as(viewer) if path.startswith("/api/") else signed_in_client(viewer)
    url = path.format(team=team.pk)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _build(team, people, 1)
    client.get(url)  # warm the per-request caches of the session and the token
    small = count()
    _build(team, people, 9)
    assert Notification.objects.filter(recipient=viewer).count() >= 10
    assert count() == small
