"""Themes pages: what each viewer sees, corrections through the forms, and what is never shown."""

from datetime import date

import pytest

from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import Theme, ThemeItem
from tests.conftest import signed_in_client
from tests.insights.conftest import DEPLOY, ONCALL, retro

pytestmark = pytest.mark.django_db


@pytest.fixture
def themed(crews):
    retro(crews["Platform"], [DEPLOY[0], ONCALL[0]], held_on=date(2026, 3, 2), title="Platform March retro")
    retro(crews["Payments"], [DEPLOY[1], ONCALL[1]], held_on=date(2026, 4, 6), anonymity="anonymous",
          title="Payments April retro")
    retro(crews["Payments"], [DEPLOY[2], ONCALL[2]], held_on=date(2026, 5, 4), title="Payments May retro")
    services.rebuild()
    return crews


def deploy_theme() -> Theme:
    return ThemeItem.objects.get(text=DEPLOY[0]).theme


def test_learning_lead_sees_every_theme_with_its_story(themed):
    client = signed_in_client(themed["learning"])
    page = client.get("/insights/themes/").content.decode()
    assert "This came up in 3 retros across 2 teams." in page
    detail = client.get(f"/insights/themes/{deploy_theme().pk}/").content.decode()
    for text in DEPLOY:
        assert text in detail
    assert "Payments April retro" in detail and "Platform March retro" in detail


def test_a_member_counts_and_sees_only_their_teams_items(themed):
    client = signed_in_client(themed["Platform"]["members"][0])
    page = client.get("/insights/themes/").content.decode()
    assert "This came up in 3 retros" not in page  # Payments' retros are not theirs to count
    detail = client.get(f"/insights/themes/{deploy_theme().pk}/").content.decode()
    assert DEPLOY[0] in detail
    assert DEPLOY[1] not in detail and DEPLOY[2] not in detail and "Payments" not in detail


def test_someone_in_no_team_sees_no_theme_of_team_sessions(themed):
    client = signed_in_client(themed["outsider"])
    assert "No recurring themes yet" in client.get("/insights/themes/").content.decode()
    assert client.get(f"/insights/themes/{deploy_theme().pk}/").status_code == 404


def test_the_theme_page_never_names_a_cards_writer(themed):
    client = signed_in_client(themed["learning"])
    detail = client.get(f"/insights/themes/{deploy_theme().pk}/").content.decode()
    for crew in ("Platform", "Payments"):
        for person in [themed[crew]["lead"], *themed[crew]["members"]]:
            assert person.full_name not in detail


def test_items_are_listed_by_date_and_text_not_by_when_they_were_written(themed):
    theme = deploy_theme()
    retro(themed["Payments"], ["Zebra: Friday deploys broke production", "Aardvark: Friday deploys broke production"],
          held_on=date(2026, 5, 4), anonymity="anonymous")
    services.rebuild()
    detail = signed_in_client(themed["learning"]).get(f"/insights/themes/{theme.pk}/").content.decode()
    assert detail.index("Aardvark") < detail.index("Zebra")


def test_filters_by_team_source_and_month(themed):
    client = signed_in_client(themed["learning"])
    payments = themed["Payments"]["team"].pk
    assert DEPLOY[0][:10] not in client.get("/insights/themes/?month=2026-01").content.decode()
    assert "No recurring themes match" in client.get("/insights/themes/?month=2026-01").content.decode()
    assert "across 2 teams" in client.get(f"/insights/themes/?team={payments}&source=retro_card").content.decode()
    assert "No recurring themes match" in client.get("/insights/themes/?source=lesson").content.decode()


def test_a_bad_month_is_a_form_error_not_a_500(themed):
    response = signed_in_client(themed["learning"]).get("/insights/themes/?month=2026-13")
    assert response.status_code == 200
    assert "Give a month as YYYY-MM" in response.content.decode()


def test_learning_lead_renames_merges_and_splits_through_the_forms(themed):
    client = signed_in_client(themed["learning"])
    theme = deploy_theme()
    oncall = ThemeItem.objects.get(text=ONCALL[0]).theme
    response = client.post(f"/insights/themes/{theme.pk}/rename/", {"name": "Friday deploys"})
    assert response.status_code == 302
    assert client.post(f"/insights/themes/{theme.pk}/rename/", {"name": ""}).status_code == 400
    assert client.post(f"/insights/themes/{theme.pk}/merge/", {"other": oncall.pk}).status_code == 302
    assert client.get(f"/insights/themes/{oncall.pk}/").status_code == 302  # merged: sends you on
    bad = client.post(f"/insights/themes/{theme.pk}/merge/", {"other": "nonsense"})
    assert bad.status_code == 400
    key = ThemeItem.objects.get(text=ONCALL[0]).key
    response = client.post(f"/insights/themes/{theme.pk}/split/", {"items": [key], "name": "Night pages"})
    assert response.status_code == 302
    assert Theme.objects.get(name="Night pages").items.get().text == ONCALL[0]
    services.rebuild()
    assert Theme.objects.get(pk=theme.pk).title == "Friday deploys"
    assert ThemeItem.objects.get(text=ONCALL[1]).theme_id == theme.pk
    assert ThemeItem.objects.get(text=ONCALL[0]).theme.name == "Night pages"


def test_a_team_lead_may_not_correct(themed):
    client = signed_in_client(themed["Platform"]["lead"])
    theme = deploy_theme()
    assert client.post(f"/insights/themes/{theme.pk}/rename/", {"name": "Mine"}).status_code == 403
    assert client.post(f"/insights/themes/{theme.pk}/merge/", {"other": theme.pk}).status_code == 403
    assert "Correct this theme" not in client.get(f"/insights/themes/{theme.pk}/").content.decode()


def test_an_effective_action_of_another_team_is_not_named_to_a_member(themed):
    from django.utils import timezone

    from learnloop.actions import services as actions

    lead = themed["Payments"]["lead"]
    action = actions.create_action(by=lead, title="Stop Friday deploys to production", team=themed["Payments"]["team"])
    actions.complete_action(by=lead, action=action, effect="worked", evidence="Quiet",
                            at=timezone.make_aware(timezone.datetime(2026, 2, 1, 12)))
    services.rebuild()
    assert ThemeItem.objects.get(action=action).theme_id == deploy_theme().pk
    retro(themed["Platform"], ["Friday deploy broke production yet again"], held_on=date(2026, 6, 1))
    services.rebuild()
    member = signed_in_client(themed["Platform"]["members"][0])
    assert "Stop Friday deploys" not in member.get("/insights/themes/").content.decode()
    assert "Back after an action marked effective" not in member.get("/insights/themes/").content.decode()
    assert "Stop Friday deploys" not in member.get(f"/insights/themes/{deploy_theme().pk}/").content.decode()
    learning = signed_in_client(themed["learning"])
    assert "Back after an action marked effective" in learning.get("/insights/themes/").content.decode()
