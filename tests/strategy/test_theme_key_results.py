"""A theme-recurrence key result counts only the theme items every reader may open, so the
goals page can't tell a reader about a team's retro cards or actions their own theme
permissions hide — whoever owns the objective."""

from datetime import timedelta

from django.test import Client

from learnloop.insights.themes_metrics import recurrence_rate
from learnloop.insights.themes_models import Theme, ThemeItem
from learnloop.strategy import services


def _action_item(theme, team, on, number):
    return ThemeItem.objects.create(theme=theme, source="action", ref=str(number), key=f"action:k{number}",
                                    text="Deploys wait for a reviewer", team=team, on=on)


def test_a_reader_cannot_learn_a_teams_themes_through_a_key_result(org):
    theme = Theme.objects.create(label="Slow reviews")
    _action_item(theme, org.crew, org.today - timedelta(days=200), 1)  # before the window
    _action_item(theme, org.crew, org.today - timedelta(days=3), 2)  # in the window: recurring
    window = (org.today - timedelta(days=89), org.today)
    assert recurrence_rate(org.crew, window, viewer=org.facilitator) == 1.0  # what the owner sees
    assert recurrence_rate(org.crew, window, viewer=org.outsider) is None  # what the reader sees

    objective = services.create_objective(by=org.facilitator, title="Fewer repeated problems", team=org.crew,
                                          starts_on=org.today, ends_on=org.today + timedelta(days=90))
    key_result = services.add_key_result(by=org.facilitator, objective=objective, title="Recurrence", target=0.2,
                                         metric_key="theme_recurrence_rate", scope_team=org.crew)
    value = key_result.values.get()
    assert value.value is None and not value.numerator and not value.denominator

    client = Client()
    client.force_login(org.outsider)
    rows = client.get("/api/v1/strategy/key-results").json()["items"]
    assert [row["latest"]["value"] for row in rows if row["id"] == key_result.pk] == [None]
