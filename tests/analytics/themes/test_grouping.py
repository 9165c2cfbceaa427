"""Theme grouping: what a learning lead relies on when the same problem comes back in other words."""

import random

import pytest

from learnloop.analytics.themes import ThemeSettings, group_themes
from learnloop.analytics.themes.grouping import FOLD_AFTER

TOPICS = {
    "deploy": ["Friday deploys broke production again", "the deploy pipeline failed on Friday",
               "rollback of the production deploy took an hour", "deploy pipeline flaky, production rollback",
               "production deploy failed and rollback was slow", "Friday deploy rollback again"],
    "review": ["code reviews wait days for a reviewer", "nobody reviews pull requests quickly",
               "pull requests wait for code review", "review queue: pull requests wait a week",
               "slow code review blocks the pull requests", "reviewers missing, code review waits"],
    "onboarding": ["new hires lack an onboarding buddy", "onboarding docs are out of date for new hires",
                   "new hire onboarding took three weeks", "onboarding buddy helped the new hires",
                   "new hires asked for onboarding docs", "no onboarding plan for new hires"],
}


def _collection(seed: int = 0):
    rng = random.Random(seed)
    pairs = [(topic, text) for topic, texts in TOPICS.items() for text in texts]
    rng.shuffle(pairs)
    return [topic for topic, _ in pairs], [text for _, text in pairs]


def test_texts_about_the_same_problem_share_a_theme_and_other_problems_do_not():
    topics, texts = _collection()
    model = group_themes(texts)
    by_topic = {}
    for topic, theme in zip(topics, model.membership, strict=True):
        by_topic.setdefault(topic, set()).add(theme)
    assert all(len(themes) == 1 for themes in by_topic.values()), by_topic
    assert len({next(iter(themes)) for themes in by_topic.values()}) == 3


def test_labels_use_the_words_people_wrote():
    _, texts = _collection()
    labels = {theme.label for theme in group_themes(texts).themes(min_size=2)}
    assert any("deploy" in label for label in labels)
    assert any("review" in label for label in labels)
    assert any("onboarding" in label for label in labels)


def test_the_same_texts_give_the_same_themes_whatever_else_runs():
    _, texts = _collection()
    first = group_themes(texts).membership
    random.seed(123)
    assert group_themes(texts).membership == first


def test_a_text_alike_to_nothing_stays_on_its_own():
    _, texts = _collection()
    model = group_themes([*texts, "the espresso machine is broken"])
    assert len(model.themes(min_size=1)) == len(model.themes(min_size=2)) + 1


def test_a_new_text_joins_the_theme_its_neighbours_are_in_without_regrouping():
    topics, texts = _collection()
    model = group_themes(texts)
    review_theme = model.membership[topics.index("review")]
    assert model.add("pull requests wait for review again") == review_theme
    new = model.add("quarterly budget spreadsheet formulas")
    assert new not in set(model.membership[:-1])
    assert model.size == len(texts) + 2


def test_texts_placed_since_the_grouping_attract_later_ones_through_new_words():
    _, texts = _collection()
    model = group_themes(texts)
    grouped_themes = set(model.membership)
    first = model.add("Kafka consumer lag alarms at night")  # no word the grouping knew: a theme of its own
    assert first not in grouped_themes
    assert model.add("Kafka consumer lag") == first  # joins it through the new words
    assert model.add("lag of the Kafka consumer") == first
    assert model.add("quarterly budget spreadsheet formulas") not in grouped_themes | {first}
    # Across the fold into the column index too.
    for number in range(FOLD_AFTER):
        model.add(f"filler text number {number} about nothing")
    assert model.add("Kafka lag alarms") == first


def test_a_text_recorded_with_its_theme_votes_for_it_later():
    _, texts = _collection()
    model = group_themes(texts)
    model.reserve_numbers_below(100)
    assert model.add("Kafka consumer lag alarms", theme=42) == 42  # placed elsewhere, recorded here
    assert model.add("Kafka consumer lag") == 42
    assert model.add("quarterly budget spreadsheet formulas") >= 100


def test_placing_many_texts_one_by_one_keeps_them_placed():
    topics, texts = _collection()
    model = group_themes(texts)
    deploy_theme = model.membership[topics.index("deploy")]
    for _ in range(FOLD_AFTER + 5):
        assert model.add("the Friday deploy failed in production") == deploy_theme
    assert sum(theme == deploy_theme for theme in model.membership) == 6 + FOLD_AFTER + 5


@pytest.mark.parametrize("texts", [[], ["one lonely card"], ["", "   "]])
def test_empty_and_tiny_collections(texts):
    model = group_themes(texts)
    assert len(model.membership) == len(texts)
    assert model.themes(min_size=2) == []


def test_higher_resolution_gives_more_smaller_themes():
    _, texts = _collection()
    few = len(group_themes(texts, ThemeSettings(resolution=0.3)).themes())
    many = len(group_themes(texts, ThemeSettings(resolution=3.0)).themes())
    assert many >= few
