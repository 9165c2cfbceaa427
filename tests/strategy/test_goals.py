"""Goals: a key result bound to a metric reads the metrics catalogue's one definition, keeps a
dated history and moves when a real action is closed."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnloop.actions import services as action_services
from learnloop.analytics import key_results
from learnloop.insights import metrics as insight_metrics
from learnloop.strategy import selectors, services
from learnloop.strategy.models import KeyResultValue


def _objective(org, team=None, **fields):
    return services.create_objective(by=org.lead, title=fields.pop("title", "Close the loop"), team=team,
                                     starts_on=org.today - timedelta(days=30), ends_on=org.today + timedelta(days=60),
                                     **fields)


def test_a_bound_key_result_is_the_catalogue_value_and_moves_when_an_action_is_closed(org):
    objective = _objective(org, org.crew)
    kr = services.add_key_result(by=org.lead, objective=objective, title="Finish what we agree", target=0.9,
                                 baseline=0.5, metric_key="completion_rate", window_days=90,
                                 today=org.today - timedelta(days=1))
    first = KeyResultValue.objects.get(key_result=kr)
    # By hand: done 2 / (done 2 + not doing 1) in the crew's last 90 days (the open action is not due).
    assert (first.value, first.numerator, first.denominator) == (pytest.approx(2 / 3), 2, 3)
    # The same number the dashboards compute for that scope and period.
    since = org.today - timedelta(days=1) - timedelta(days=89)
    report = insight_metrics.metrics_report(viewer=org.lead, scope=insight_metrics.scope_for(org.crew),
                                            since=since, until=org.today - timedelta(days=1),
                                            today=org.today - timedelta(days=1))
    assert first.value == next(m for m in report["metrics"] if m["key"] == "completion_rate")["value"]
    # The 95% Wilson interval of 2 of 3, by the textbook formula (z = 1.96): 0.2077 to 0.9385.
    assert (first.low, first.high) == (pytest.approx(0.2077, abs=1e-4), pytest.approx(0.9385, abs=1e-4))

    action_services.complete_action(by=org.facilitator, action=org.open_action, effect="worked",
                                    evidence="Checked")
    services.refresh(kr, today=org.today)
    values = list(KeyResultValue.objects.filter(key_result=kr).order_by("on"))
    assert [row.on for row in values] == [org.today - timedelta(days=1), org.today]
    assert (values[-1].value, values[-1].numerator, values[-1].denominator) == (0.75, 3, 4)

    view = selectors.key_result_detail(org.lead, kr.pk, today=org.today)
    assert view.latest.value == 0.75
    assert view.outlook.progress == pytest.approx((0.75 - 0.5) / (0.9 - 0.5))
    assert view.outlook.direction == "up"


def test_a_department_key_result_merges_its_teams(org):
    objective = _objective(org, org.department)
    kr = services.add_key_result(by=org.lead, objective=objective, title="Department", target=1,
                                 metric_key="completion_rate", today=org.today)
    row = kr.values.get()
    assert (row.numerator, row.denominator) == (2, 4)  # the crew's 2 of 3 plus Other's not-doing


def test_refreshing_twice_a_day_keeps_one_value(org):
    kr = services.add_key_result(by=org.lead, objective=_objective(org, org.crew), title="x", target=1,
                                 metric_key="completion_rate", today=org.today)
    services.refresh_all(today=org.today)
    assert kr.values.count() == 1


def test_participation_and_reuse_count_come_from_the_rows(org):
    from learnloop.knowledge.models import Application, Entry
    from learnloop.reflection import services as reflection
    from learnloop.reflection.models import Participant, Session

    template = reflection.builtin_template("start-stop-continue")
    session = Session.objects.create(team=org.crew, template=template, title="Retro", facilitator=org.facilitator,
                                     held_on=org.today - timedelta(days=3))
    for person in (org.facilitator, org.members[0], org.outsider):
        Participant.objects.create(session=session, person=person)
    lesson = Entry.objects.create(kind="lesson", title="Pair on releases", body="b", author=org.facilitator,
                                  owner_team=org.crew)
    for person in (org.members[1], org.outsider):
        Application.objects.create(entry=lesson, person=person)
    objective = _objective(org, org.crew)
    participation = services.add_key_result(by=org.lead, objective=objective, title="Join", target=0.8,
                                            metric_key="participation_rate", today=org.today)
    reuse = services.add_key_result(by=org.lead, objective=objective, title="Reuse", target=10,
                                    metric_key="lesson_reuse_count", today=org.today)
    # Crew: 5 active members (Fay and four); Fay and member 0 joined (Otto is no member): 2 of 5.
    assert (participation.values.get().numerator, participation.values.get().denominator) == (2, 5)
    assert reuse.values.get().value == 2


def test_binding_a_manual_key_result_and_refusing_manual_values_after(org):
    objective = _objective(org, org.crew)
    kr = services.add_key_result(by=org.lead, objective=objective, title="Manual first", target=10)
    services.record_value(by=org.facilitator, key_result=kr, on=org.today, value=3, note="counted")
    services.bind_key_result(by=org.facilitator, key_result=kr, metric_key="completion_rate", today=org.today)
    kr.refresh_from_db()
    assert kr.kind == "metric" and kr.values.get(on=org.today).value == pytest.approx(2 / 3)
    with pytest.raises(ValidationError):
        services.record_value(by=org.facilitator, key_result=kr, on=org.today, value=5)


@pytest.mark.parametrize("metric, window", [("no_such_metric", 90), ("completion_rate", 3),
                                            ("survey_scale_scores", 90)])
def test_bad_bindings_are_refused(org, metric, window):
    with pytest.raises(ValidationError):
        services.add_key_result(by=org.lead, objective=_objective(org, org.crew), title="x", target=1,
                                metric_key=metric, window_days=window)


def test_a_missing_value_is_missing_not_zero(org):
    kr = services.add_key_result(by=org.lead, objective=_objective(org, org.crew), title="x", target=1,
                                 metric_key="win_rate", today=org.today)
    row = kr.values.get()
    assert row.value is None and row.note
    assert selectors.key_result_detail(org.lead, kr.pk).outlook.confidence == "no data"


def test_who_may_set_goals(org):
    with pytest.raises(PermissionDenied):
        _objective(org, None) if False else services.create_objective(
            by=org.members[0], title="x", team=org.crew, starts_on=org.today, ends_on=org.today)
    with pytest.raises(PermissionDenied):  # a team facilitator doesn't set organization goals
        services.create_objective(by=org.facilitator, title="x", team=None, starts_on=org.today, ends_on=org.today)
    assert services.create_objective(by=org.facilitator, title="x", team=org.crew, starts_on=org.today,
                                     ends_on=org.today).level == "team"


def test_goals_align_in_a_tree_from_organization_to_team(org):
    top = _objective(org, None, title="Organization")
    middle = _objective(org, org.department, title="Department", parent=top)
    leaf = _objective(org, org.crew, title="Crew", parent=middle)
    with pytest.raises(ValidationError):  # another team's objective is no parent of the crew's
        _objective(org, org.crew, title="Wrong", parent=_objective(org, org.other, title="Other"))
    with pytest.raises(ValidationError):
        services.update_objective(by=org.lead, objective=top, parent=leaf)
    roots = selectors.goal_tree(org.lead, team=org.crew)
    assert [node.objective.title for node in roots] == ["Organization"]
    assert [node.objective.title for node in roots[0].children] == ["Department"]
    assert [node.objective.title for node in roots[0].children[0].children] == ["Crew"]


def test_outlook_rules():
    from datetime import date

    start, end = date(2026, 1, 1), date(2026, 12, 31)
    half = date(2026, 7, 2)
    on_track = key_results.outlook(0.7, baseline=0.5, target=0.9, points=[], starts_on=start, ends_on=end,
                                   today=half)
    assert on_track.progress == pytest.approx(0.5) and on_track.confidence == "on track"
    behind = key_results.outlook(0.52, baseline=0.5, target=0.9, points=[(start, 0.55), (half, 0.52)],
                                 starts_on=start, ends_on=end, today=half)
    assert behind.confidence == "off track" and behind.direction == "down"
    falling_target = key_results.progress(0.3, baseline=0.5, target=0.1)
    assert falling_target == pytest.approx(0.5)
    assert key_results.wilson_interval(0, 0) is None
