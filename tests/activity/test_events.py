from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.activity.models import ActivityEvent, AnonymousActivity, AppendOnlyError
from learnloop.activity.selectors import events_for_subject
from learnloop.activity.services import count_anonymous_activity, record_activity

pytestmark = pytest.mark.django_db


def test_events_name_their_subject_generically(member, team):
    event = record_activity(verb="viewed", subject=team, actor=member, data={"via": "search"})
    assert (event.subject_type, event.subject_id) == ("org.team", str(team.pk))
    assert list(events_for_subject(team)) == [event]


def test_an_anonymous_event_carries_no_actor_even_if_one_is_passed(member, team):
    event = record_activity(verb="created", subject=team, actor=member, anonymous=True)
    event.refresh_from_db()
    assert event.actor is None


def test_an_anonymous_event_keeps_only_the_day(member, team):
    event = record_activity(verb="created", subject=team, actor=member, anonymous=True)
    assert (event.created_at.hour, event.created_at.minute, event.created_at.second, event.created_at.microsecond) == (
        0,
        0,
        0,
        0,
    )


def test_a_secret_act_appends_no_event_only_a_day_count(team):
    count_anonymous_activity(verb="written", subject=team, team=team)
    count_anonymous_activity(verb="written", subject=team, team=team)
    assert not ActivityEvent.objects.exists()
    counter = AnonymousActivity.objects.get()
    assert (counter.verb, counter.subject_type, counter.subject_id, counter.count, counter.day) == (
        "written", "org.team", str(team.pk), 2, timezone.localdate())


def test_secret_act_counts_are_per_verb_and_day(team):
    today = timezone.localdate()
    count_anonymous_activity(verb="written", subject=team)
    count_anonymous_activity(verb="voted", subject=team)
    count_anonymous_activity(verb="written", subject=team, day=today - timedelta(days=1))
    assert sorted(AnonymousActivity.objects.values_list("verb", "day", "count")) == [
        ("voted", today, 1), ("written", today - timedelta(days=1), 1), ("written", today, 1)]


def test_events_cannot_be_changed(member, team):
    event = record_activity(verb="viewed", subject=team, actor=member)
    event.verb = "applied"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        ActivityEvent.objects.filter(pk=event.pk).update(verb="applied")
    assert ActivityEvent.objects.get(pk=event.pk).verb == "viewed"


def test_events_cannot_be_deleted(member, team):
    event = record_activity(verb="viewed", subject=team, actor=member)
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ActivityEvent.objects.all().delete()
    assert ActivityEvent.objects.count() == 1
