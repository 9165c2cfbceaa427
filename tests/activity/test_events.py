from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.activity.models import ActivityEvent, AnonymousActivity, AppendOnlyError
from learnloop.activity.selectors import events_for_subject
from learnloop.activity.services import record_activity

pytestmark = pytest.mark.django_db


def test_events_name_their_subject_generically(member, team):
    event = record_activity(verb="viewed", subject=team, actor=member, data={"via": "search"})
    assert (event.subject_type, event.subject_id) == ("org.team", str(team.pk))
    assert list(events_for_subject(team)) == [event]


def test_an_anonymous_act_appends_no_event_only_a_day_count(member, team):
    assert record_activity(verb="written", subject=team, actor=member, anonymous=True, data={"card": "x"}) is None
    record_activity(verb="written", subject=team, actor=member, anonymous=True)
    assert not ActivityEvent.objects.exists()
    counter = AnonymousActivity.objects.get()
    assert (counter.verb, counter.subject_type, counter.subject_id, counter.count) == (
        "written", "org.team", str(team.pk), 2)
    assert counter.day == timezone.localdate()


def test_anonymous_counts_are_per_verb_and_day(member, team):
    day = timezone.now()
    record_activity(verb="written", subject=team, anonymous=True, at=day)
    record_activity(verb="voted", subject=team, anonymous=True, at=day)
    record_activity(verb="written", subject=team, anonymous=True, at=day - timedelta(days=1))
    assert sorted(AnonymousActivity.objects.values_list("verb", "count")) == [("voted", 1), ("written", 1),
                                                                              ("written", 1)]


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
