"""Themes from the organization's own texts: grouping across teams, corrections kept, placing new texts."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnloop.actions import services as actions
from learnloop.insights import themes_services as services
from learnloop.insights.themes_models import Source, Theme, ThemeItem
from tests.insights.conftest import DEPLOY, ONCALL, OTHER, retro

pytestmark = pytest.mark.django_db


def theme_of(text: str) -> Theme:
    return ThemeItem.objects.select_related("theme").get(text=text).theme


def build(crews):
    retro(crews["Platform"], [DEPLOY[0], ONCALL[0], OTHER[0]], held_on=date(2026, 3, 2))
    retro(crews["Payments"], [DEPLOY[1], ONCALL[1], OTHER[1]], held_on=date(2026, 4, 6))
    retro(crews["Platform"], [DEPLOY[2], ONCALL[2]], held_on=date(2026, 5, 4))
    return services.rebuild()


def test_the_same_problem_in_two_teams_words_is_one_theme(crews):
    run = build(crews)
    assert run.texts == 8
    deploy = theme_of(DEPLOY[0])
    assert {theme_of(text).pk for text in DEPLOY} == {deploy.pk}
    assert {theme_of(text).pk for text in ONCALL} == {theme_of(ONCALL[0]).pk}
    assert theme_of(ONCALL[0]).pk != deploy.pk
    items = ThemeItem.objects.filter(theme=deploy)
    assert {item.team.name for item in items} == {"Platform", "Payments"}
    assert {item.source for item in items} == {Source.RETRO_CARD}
    assert sorted(item.on for item in items) == [date(2026, 3, 2), date(2026, 4, 6), date(2026, 5, 4)]


def test_a_card_item_keeps_no_writer(crews):
    build(crews)
    item = ThemeItem.objects.get(text=DEPLOY[0])
    stored = {field.name for field in ThemeItem._meta.get_fields()}
    assert not stored & {"author", "writer_hash", "alias", "created_at", "created_by"}
    assert item.on == item.session.held_on


def test_rename_merge_and_split_survive_a_regrouping(crews):
    build(crews)
    lead = crews["learning"]
    deploy, oncall = theme_of(DEPLOY[0]), theme_of(ONCALL[0])
    services.rename_theme(by=lead, theme=deploy, name="Friday deploys")
    services.merge_themes(by=lead, theme=deploy, other=oncall)
    assert theme_of(ONCALL[1]).pk == deploy.pk
    split = services.split_theme(by=lead, theme=deploy, keys=[ThemeItem.objects.get(text=DEPLOY[2]).key],
                                 name="Late-week releases")
    services.rebuild()
    assert theme_of(DEPLOY[0]).pk == deploy.pk
    assert Theme.objects.get(pk=deploy.pk).name == "Friday deploys"
    assert theme_of(ONCALL[0]).pk == deploy.pk  # the merge wins over the algorithm, which keeps them apart
    assert theme_of(DEPLOY[2]).pk == split.pk  # so does the split
    assert Theme.objects.get(pk=split.pk).title == "Late-week releases"
    assert Theme.objects.get(pk=oncall.pk).merged_into_id == deploy.pk


def test_only_learning_leads_correct_and_bad_names_are_refused(crews):
    build(crews)
    deploy = theme_of(DEPLOY[0])
    with pytest.raises(PermissionDenied):
        services.rename_theme(by=crews["Platform"]["lead"], theme=deploy, name="Mine")
    with pytest.raises(ValidationError) as error:
        services.rename_theme(by=crews["learning"], theme=deploy, name="   ")
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.merge_themes(by=crews["learning"], theme=deploy, other=deploy)
    assert "other" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.split_theme(by=crews["learning"], theme=deploy, keys=["retro_card:nothing"], name="X")
    assert "items" in error.value.message_dict


def test_a_new_card_joins_its_theme_without_a_regrouping(crews, django_capture_on_commit_callbacks):
    from unittest import mock

    from learnloop.insights import themes_tasks

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        build(crews)
        deploy = theme_of(DEPLOY[0])
        runs = list(services.ThemeRun.objects.values_list("pk", flat=True))
        session = retro(crews["Payments"], ["Production broke after the Friday deploy"])
    # Other modules hook commits too (strategy's key-result refresh): count the themes' own.
    callbacks = [callback for callback in callbacks if callback.__module__ == "learnloop.insights.themes_signals"]
    assert len(callbacks) == 1, "one task per transaction, whatever it wrote"
    with mock.patch.object(themes_tasks, "place_theme_sources") as task:
        callbacks[0]()
    refs = task.enqueue.call_args.args[0]
    assert f"session:{session.pk}" in refs and len(refs) == len(set(refs))
    services.place(refs)
    assert theme_of("Production broke after the Friday deploy").pk == deploy.pk
    assert list(services.ThemeRun.objects.values_list("pk", flat=True)) == runs  # no regrouping


def test_texts_placed_since_the_regrouping_attract_later_ones(crews):
    build(crews)
    runs = list(services.ThemeRun.objects.values_list("pk", flat=True))
    first = retro(crews["Payments"], ["Kafka consumer lag alarms"])
    services.place([f"session:{first.pk}"])  # words no regrouping knew: a theme of its own
    kafka = theme_of("Kafka consumer lag alarms")
    assert ThemeItem.objects.filter(theme=kafka).count() == 1
    later = retro(crews["Platform"], ["Kafka consumer lag", "The lag of the Kafka consumer"])
    services.place([f"session:{later.pk}"])  # another task: it reads what was placed since the run
    assert {theme_of(text).pk for text in ("Kafka consumer lag", "The lag of the Kafka consumer")} == {kafka.pk}
    assert list(services.ThemeRun.objects.values_list("pk", flat=True)) == runs  # no regrouping


def test_an_action_title_and_an_edit_are_placed(crews):
    build(crews)
    action = actions.create_action(by=crews["Platform"]["lead"], title="Stop deploys on Friday afternoon",
                                   team=crews["Platform"]["team"])
    services.place_action(action.pk)
    assert theme_of(action.title).pk == theme_of(DEPLOY[0]).pk
    actions.update_action(by=crews["Platform"]["lead"], action=action,
                          title="Write the night pager runbook for on-call")
    services.place_action(action.pk)
    assert ThemeItem.objects.get(action=action).theme_id == theme_of(ONCALL[0]).pk


def test_a_deleted_card_leaves_its_theme(crews):
    from learnloop.reflection import cards
    from learnloop.reflection.models import Card

    session = retro(crews["Payments"], ["Friday deploy broke production", *DEPLOY])
    services.rebuild()
    card = Card.objects.get(session=session, text=DEPLOY[0])
    cards.delete_card(by=card.author, session=session, card=card, writer_key=None)
    services.place_session(session.pk)
    assert not ThemeItem.objects.filter(text=DEPLOY[0]).exists()


def test_an_anonymous_sessions_items_are_rewritten_in_random_order(crews):
    session = retro(crews["Payments"], [*DEPLOY, *ONCALL], anonymity="anonymous")
    services.rebuild()
    orders = set()
    for _ in range(6):
        services.place_session(session.pk)
        orders.add(tuple(ThemeItem.objects.filter(session=session).order_by("pk").values_list("text", flat=True)))
    assert len(orders) > 1  # six texts in the same order six times running: 1 in 720**5


def test_an_effective_action_then_the_theme_again_in_its_team_raises_an_alert(crews):
    from learnloop.insights import themes_selectors as selectors

    build(crews)
    lead = crews["Platform"]["lead"]
    action = actions.create_action(by=lead, title="Stop Friday deploys to production", team=crews["Platform"]["team"])
    actions.complete_action(by=lead, action=action, effect="worked", evidence="No Friday incidents",
                            at=timezone.make_aware(timezone.datetime(2026, 5, 20, 12)))
    services.place_action(action.pk)
    deploy = theme_of(DEPLOY[0])
    assert ThemeItem.objects.get(action=action).theme_id == deploy.pk
    today = date(2026, 7, 1)
    assert selectors.theme_detail(crews["learning"], deploy, today=today).alerts == []

    def alerts():
        summary = selectors.theme_detail(crews["learning"], deploy, today=today)
        return [(alert.action.pk, alert.since, alert.latest) for alert in summary.alerts]

    # Not yet a comeback: another team raising it, a card on what goes well, one session alone.
    written = [
        retro(crews["Payments"], ["Friday deploy broke production once more"], held_on=date(2026, 6, 1)),
        retro(crews["Platform"], ["Friday deploys broke production again, keep the deploy freeze"],
              held_on=date(2026, 6, 3), column="continue"),
        retro(crews["Platform"], ["Friday deploy broke production once more"], held_on=date(2026, 6, 8)),
    ]
    for session in written:
        services.place_session(session.pk)
    assert {item.theme_id for session in written for item in ThemeItem.objects.filter(session=session)} == {
        deploy.pk}
    assert alerts() == []
    again = retro(crews["Platform"], ["Deploys on Friday broke production yet again"], held_on=date(2026, 6, 15))
    services.place_session(again.pk)
    assert alerts() == [(action.pk, 2, date(2026, 6, 15))]
    digest = selectors.week_themes(crews["learning"], today=date(2026, 6, 16))
    assert [summary.theme.pk for summary in digest] == [deploy.pk]
    assert digest[0].alerts and digest[0].this_week == 1
    assert selectors.week_themes(crews["learning"], today=date(2026, 6, 16) + timedelta(days=14)) == []


def test_the_sentence_counts_sessions_not_cards(crews):
    from learnloop.insights import themes_selectors as selectors

    build(crews)
    summary = selectors.theme_detail(crews["learning"], theme_of(DEPLOY[0]), today=date(2026, 6, 1))
    assert summary.sentence == "This came up in 3 retros across 2 teams."
    assert summary.first_seen == date(2026, 3, 2) and summary.last_seen == date(2026, 5, 4)
    assert summary.by_team == {"Platform": 2, "Payments": 1}


def test_theme_items_stored_after_each_card_carry_no_write_order(crews):
    """The worker placing each card as it comes (the worst case) still leaves the session's items
    in a random physical order (SQLite rowid, PostgreSQL ctid), never the order cards were written."""
    from django.db import connection

    from learnloop.reflection import cards
    from learnloop.reflection.writer_keys import new_key

    retro(crews["Platform"], [*DEPLOY, *ONCALL])
    services.rebuild()
    session = retro(crews["Payments"], [], anonymity="anonymous")
    writers = [crews["Payments"]["lead"], *crews["Payments"]["members"]]
    keys = {person.pk: new_key() for person in writers}
    written = []
    for number in range(12):
        writer = writers[number % len(writers)]
        text = f"Friday deploy broke production, note {number:02d}"
        cards.write_card(by=writer, session=session, column="stop", text=text, writer_key=keys[writer.pk])
        services.place_session(session.pk)
        written.append(text)
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM insights_themeitem WHERE session_id = %s ORDER BY {order}",  # noqa: S608
                       [session.pk])
        stored = [row[0] for row in cursor.fetchall()]
    assert sorted(stored) == sorted(written)
    assert stored != written  # 12 items: a random order equals the write order once in 479 million


def test_the_regroup_command_runs_now_or_queues(crews):
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    retro(crews["Platform"], [*DEPLOY, *ONCALL])
    out = StringIO()
    call_command("insights", "regroup", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("Grouped 6 texts into ")
    call_command("insights", "regroup", "--queue", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path__endswith="rebuild_themes").count() == 1
