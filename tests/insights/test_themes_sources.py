"""Survey comments reach themes only as the disclosure engine shows them, and never tied to a
stored comment or a respondent."""

import pytest

from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import Source, ThemeItem
from learnloop.insights.themes_sources import campaign_texts
from learnloop.surveys.disclosure_gate import comment_groups
from learnloop.surveys.models import Comment
from tests.surveys.conftest import run_campaign, survey_org  # noqa: F401 (survey_org is a fixture)

pytestmark = pytest.mark.django_db


def test_only_released_comments_are_themed_and_none_by_its_stored_row(survey_org, settings):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    comments = {}
    for name, people in survey_org.people.items():
        for number, person in enumerate(people):
            comments[person.pk] = f"Friday deploys break production ({name} {number})"
    campaign = run_campaign(survey_org, slug="learning-organization", comments=comments)
    campaign.refresh_from_db()
    shown = comment_groups(campaign)
    texts = campaign_texts(campaign)
    assert texts, "the campaign shows some comments"
    assert sorted(text.text for text in texts) == sorted(text for group in shown.values() for text in group)
    assert len(texts) <= Comment.objects.filter(campaign=campaign).count()
    services.rebuild()
    items = ThemeItem.objects.filter(source=Source.SURVEY_COMMENT)
    assert items.count() == len(texts)
    stored_ids = {str(pk) for pk in Comment.objects.values_list("pk", flat=True)}
    assert not any(item.ref.split(":")[-1] in stored_ids or any(pk in item.key for pk in stored_ids)
                   for item in items)
    assert {item.on for item in items} == {campaign.closes_on}
