"""Harbourline's recurring themes: several cross-team themes, few that came back after an action on
them was marked effective (the designed one among them), and the learning lead's names kept by a
regrouping; no theme made of the words of a text template.

The parts themes need are built once for the module (org, knowledge, actions, reflection and
insights; survey comments are covered by tests/insights/test_themes_sources.py)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from learnloop.demo import build_demo
from learnloop.insights import themes_selectors as selectors
from learnloop.insights import themes_services
from learnloop.insights.demo import NAMES
from learnloop.insights.themes_models import Theme
from learnloop.org.models import OrgRole, Person

pytestmark = pytest.mark.django_db

THEME_PARTS = ("org", "knowledge", "actions", "reflection", "insights")


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_demo(seed=42, only=THEME_PARTS)
        lead = Person.objects.filter(role=OrgRole.LEARNING_LEAD).order_by("pk").first()
        today = timezone.localdate()
        themes = selectors.themes_for(lead, today=today)
        named = {theme.pk: theme.name for theme in Theme.objects.exclude(name="")}
        themes_services.rebuild()
        facts = {
            "themes": [(len([team for team in summary.by_team if team]), len(summary.alerts), summary.sentence)
                       for summary in themes],
            "alerted": {alert.action.title for summary in themes for alert in summary.alerts},
            "labels": [summary.theme.label for summary in themes],
            "named": named,
            "named_after": {theme.pk: theme.name for theme in Theme.objects.exclude(name="")},
        }
        call_command("flush", interactive=False, verbosity=0)
    return facts


def test_several_themes_cross_teams(story):
    across = [sentence for teams, _, sentence in story["themes"] if teams >= 3]
    assert len(across) >= 8, across
    assert all("across" in sentence for sentence in across)


HANDOVER = "Hold a 15-minute on-call handover every Monday"


def test_few_themes_came_back_after_an_action_was_marked_effective(story):
    """A topic whose fix held stops hurting in its team (reflection/demo.py, settle_topics), so the
    alerts are the designed one (each of the handover's agreements) and at most a couple more, where
    the grouping put another of the team's topics in the action's theme. Measured on seed 42: 5 alerts
    on 2 themes, 4 of them the handover's; 87 alerts on 40 themes before topics settled and the alert
    kept to the action's own team raising the theme again in two sessions."""
    alerting = [alerts for _, alerts, _ in story["themes"] if alerts]
    assert 1 <= len(alerting) <= 3, story["alerted"]
    assert len(story["alerted"] - {HANDOVER}) <= 2, story["alerted"]


def test_the_learning_leads_names_survive_a_regrouping(story):
    assert len(story["named"]) == len(NAMES)
    assert story["named_after"] == story["named"]


def test_the_monday_handover_came_back_after_it_was_found_to_work(story):
    """Payments' handover call was marked effective each time, yet the handover kept coming up
    (reflection/demo_data/repeats.yaml): the demo's designed recurrence alert. Topics whose action
    worked elsewhere stop hurting in that team (reflection/demo.py, RECURRING_DESPITE_FIX)."""
    assert HANDOVER in story["alerted"]


# Words a theme's label is made of when it groups texts by a template or by filler rather than by
# what they are about (measured on seed 42: "takeaways · kick · pilot" held 137 lesson titles of
# the form "<project>: takeaways from the <phase>" before knowledge/demo.py titled them by their first
# takeaway).
TEMPLATE_WORDS = {"takeaways", "kick", "rollout", "pilot", "retro notes", "notes", "first month", "looking back"}
FILLER_WORDS = {"can", "two", "after", "off", "first", "before", "days", "day", "week", "time", "get", "make",
                "one", "new", "not", "more", "us", "rest", "back", "again", "each", "now", "next"}


def test_the_theme_count_is_what_a_year_of_twelve_teams_talks_about(story):
    """Each team keeps about five topics of its own over the year, several of which other teams share,
    plus a handful of organization-wide gripes (meetings, shifting priorities, decisions in DMs):
    between 30 and 70 themes, not one per text nor a few catch-alls (46 measured on seed 42)."""
    assert 30 <= len(story["themes"]) <= 70


def _terms(story):
    return [[term.strip() for term in label.split("·")] for label in story["labels"]]


def test_no_label_is_made_of_a_templates_words(story):
    assert not [label for label in _terms(story) if sum(term in TEMPLATE_WORDS for term in label) >= 2]


def test_few_labels_are_filler_words(story):
    assert len([label for label in _terms(story) if sum(term in FILLER_WORDS for term in label) >= 2]) <= 3
