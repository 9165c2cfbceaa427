"""Theme recurrence rate: of the themes that came up in a period, the share seen before it."""

from datetime import date

import pytest
from django.utils import timezone

from learnloop.insights.themes_metrics import recurrence, recurrence_by_period, recurrence_rate
from learnloop.insights.themes_models import Theme, ThemeItem

pytestmark = pytest.mark.django_db


def item(theme, team, on, number=[0]):  # noqa: B006 (a counter for unique keys)
    number[0] += 1
    return ThemeItem.objects.create(theme=theme, source="action", ref=str(number[0]), key=f"action:x{number[0]}",
                                    text="t", team=team, on=on)


def test_recurrence_rate_by_hand(crews):
    platform, payments = crews["Platform"]["team"], crews["Payments"]["team"]
    a, b, c, d = (Theme.objects.create(label=name) for name in "abcd")
    item(a, platform, date(2026, 1, 5))
    item(a, platform, date(2026, 3, 5))  # a: before and in the period -> recurring
    item(b, platform, date(2026, 3, 9))  # b: only in the period -> new
    item(c, payments, date(2026, 1, 9))
    item(c, platform, date(2026, 3, 20))  # c: before in Payments, in the period in Platform
    item(d, payments, date(2026, 1, 1))  # d: not in the period at all
    march = (date(2026, 3, 1), date(2026, 3, 31))
    assert recurrence(None, march).active == 3 and recurrence(None, march).recurring == 2
    assert recurrence_rate(None, march) == pytest.approx(2 / 3)  # a and c of a, b, c
    assert recurrence_rate(platform, march) == pytest.approx(1 / 3)  # only a, within Platform
    assert recurrence_rate(platform.parent, march) == pytest.approx(2 / 3)  # the department holds both teams
    assert recurrence_rate(payments, march) is None  # nothing came up: missing, not 0
    Theme.objects.filter(pk=a.pk).update(retired_at=timezone.now())
    assert recurrence_rate(None, march) == pytest.approx(1 / 2)


def test_recurrence_rate_for_a_viewer_counts_their_items_only(crews):
    platform, payments = crews["Platform"]["team"], crews["Payments"]["team"]
    theme = Theme.objects.create(label="x")
    item(theme, payments, date(2026, 1, 5))
    item(theme, platform, date(2026, 3, 5))
    march = (date(2026, 3, 1), date(2026, 3, 31))
    assert recurrence_rate(None, march) == 1.0
    assert recurrence_rate(None, march, viewer=crews["Platform"]["members"][0]) == 0.0


def test_recurrence_by_month_counts_each_month_like_the_period_figure(crews):
    platform, payments = crews["Platform"]["team"], crews["Payments"]["team"]
    a, b, c = (Theme.objects.create(label=name) for name in "abc")
    item(a, platform, date(2026, 1, 5))
    item(a, platform, date(2026, 1, 25))  # a: January only -> new in January
    item(a, platform, date(2026, 3, 5))  # ... and back in March: recurring then
    item(b, payments, date(2026, 2, 9))  # b: new in February
    item(b, payments, date(2026, 3, 9))  # recurring in March
    item(c, platform, date(2026, 3, 20))  # c: new in March
    item(c, platform, date(2026, 4, 2))  # after the last month: not counted
    months = [(date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
              (date(2026, 3, 1), date(2026, 3, 31))]
    by_month = recurrence_by_period(None, months)
    assert [(month.active, month.recurring) for month in by_month] == [(1, 0), (1, 0), (3, 2)]
    assert [(month.active, month.recurring) for month in by_month] == [
        (recurrence(None, month).active, recurrence(None, month).recurring) for month in months]
    assert [(month.active, month.recurring) for month in recurrence_by_period(platform, months)] == [
        (1, 0), (0, 0), (2, 1)]
    assert recurrence_by_period(platform, months)[1].rate is None  # no theme: missing, not 0
    viewer = crews["Payments"]["members"][0]
    assert [(month.active, month.recurring) for month in recurrence_by_period(None, months, viewer=viewer)] == [
        (0, 0), (1, 0), (1, 1)]
