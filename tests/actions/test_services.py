from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnloop.actions import selectors, services
from learnloop.actions.models import Action, Status
from learnloop.activity.models import ActivityEvent
from tests import factories


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def action(teammate, team):
    return services.create_action(by=teammate, title="Add a rollback step to the runbook", team=team,
                                  owner=teammate, due_on=timezone.localdate() + timedelta(days=7))


def verbs_for(action) -> list[str]:
    return list(
        ActivityEvent.objects.filter(subject_type="actions.action", subject_id=str(action.pk))
        .order_by("created_at", "id").values_list("verb", flat=True)
    )


# --- creating ----------------------------------------------------------------------------------


def test_member_creates_a_team_action_with_a_source(teammate, team):
    from learnloop.knowledge import services as knowledge

    source = knowledge.create_entry(by=teammate, kind="lesson", title="Pair on scripts", body="x")
    action = services.create_action(
        by=teammate, title="  Pair on   the deploy script ", team=team, priority="high",
        source_type="knowledge.entry", source_id=source.pk, source_label="Retro 3 Mar", source_url="/sessions/42/",
    )
    assert action.title == "Pair on the deploy script"
    assert action.status == Status.OPEN and action.owner is None and action.created_by == teammate
    assert list(selectors.actions_for_source("knowledge.entry", str(source.pk))) == [action]
    assert verbs_for(action) == ["created"]


def test_an_action_without_team_or_owner_belongs_to_its_creator(member):
    action = services.create_action(by=member, title="Read the incident guide")
    assert action.owner == member


@pytest.mark.parametrize("title", ["", "   "])
def test_an_action_needs_a_title(member, title):
    with pytest.raises(ValidationError) as error:
        services.create_action(by=member, title=title)
    assert "title" in error.value.message_dict


def test_deactivated_people_cannot_own_new_actions(facilitator, team):
    gone = factories.person(is_active=False, deactivated_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        services.create_action(by=facilitator, title="Fix alerts", team=team, owner=gone)
    assert "deactivated" in error.value.message_dict["owner"][0]


def test_outsider_cannot_create_actions_for_a_team(outsider, team):
    with pytest.raises(PermissionDenied):
        services.create_action(by=outsider, title="Do their work", team=team)


def test_member_cannot_give_a_team_action_to_someone_else(teammate, facilitator, team):
    with pytest.raises(PermissionDenied):
        services.create_action(by=teammate, title="Your job now", team=team, owner=facilitator)


def test_facilitator_assigns_team_actions_to_anyone(facilitator, teammate, team):
    action = services.create_action(by=facilitator, title="Write the postmortem", team=team, owner=teammate)
    assert action.owner == teammate


def test_nobody_creates_an_unteamed_action_for_someone_else_except_leads(member, teammate, learning_lead):
    with pytest.raises(PermissionDenied):
        services.create_action(by=member, title="Yours", owner=teammate)
    assert services.create_action(by=learning_lead, title="Yours", owner=teammate).owner == teammate


def test_source_type_and_id_come_together(member):
    with pytest.raises(ValidationError):
        services.create_action(by=member, title="Half a source", source_type="reflection.session")


def test_a_source_must_name_something_the_creator_may_see(member):
    with pytest.raises(ValidationError) as unknown:
        services.create_action(by=member, title="X", source_type="no.such", source_id="1")
    assert set(unknown.value.message_dict) == {"source_type"}
    with pytest.raises(ValidationError) as missing:
        services.create_action(by=member, title="X", source_type="reflection.session", source_id="424242")
    assert set(missing.value.message_dict) == {"source_id"}


# --- editing -----------------------------------------------------------------------------------


def test_owner_edits_and_the_change_is_recorded(action, teammate):
    services.update_action(by=teammate, action=action, title="Add rollback and verify steps", priority="urgent")
    action.refresh_from_db()
    assert (action.title, action.priority) == ("Add rollback and verify steps", "urgent")
    assert verbs_for(action) == ["created", "updated"]


def test_outsider_and_other_teammates_cannot_edit(action, outsider, team):
    other = factories.person()
    factories.membership(other, team)
    for person in (outsider, other):
        with pytest.raises(PermissionDenied):
            services.update_action(by=person, action=action, title="Hijacked")
    action.refresh_from_db()
    assert action.title == "Add a rollback step to the runbook"


def test_unknown_fields_are_refused(action, teammate):
    with pytest.raises(ValidationError):
        services.update_action(by=teammate, action=action, status="done")


def test_bad_priority_is_refused(action, teammate):
    with pytest.raises(ValidationError) as error:
        services.update_action(by=teammate, action=action, priority="whenever")
    assert "priority" in error.value.message_dict


# --- transitions -------------------------------------------------------------------------------


def test_start_then_complete_with_an_answer_now(action, teammate):
    services.start_action(by=teammate, action=action)
    assert action.status == Status.IN_PROGRESS and action.started_at is not None
    services.complete_action(by=teammate, action=action, effect="worked", evidence="No failed deploys since.")
    action.refresh_from_db()
    assert action.status == Status.DONE and action.closed_at and action.checked_at
    assert (action.effect, action.evidence, action.checked_by) == ("worked", "No failed deploys since.", teammate)
    assert verbs_for(action) == ["created", "started", "closed", "checked"]


def test_starting_twice_is_refused(action, teammate):
    services.start_action(by=teammate, action=action)
    with pytest.raises(ValidationError):
        services.start_action(by=teammate, action=action)


def test_completing_asks_did_it_work_now_or_on_a_date(action, teammate):
    with pytest.raises(ValidationError) as error:
        services.complete_action(by=teammate, action=action)
    assert "Did it work?" in error.value.message_dict["effect"][0]
    with pytest.raises(ValidationError):
        services.complete_action(by=teammate, action=action, effect="worked", check_on=tomorrow())
    with pytest.raises(ValidationError):
        services.complete_action(by=teammate, action=action, check_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.complete_action(by=teammate, action=action, effect="maybe")
    action.refresh_from_db()
    assert action.status == Status.OPEN


def test_scheduled_check_then_answered(action, teammate, facilitator):
    check_on = timezone.localdate() + timedelta(days=30)
    services.complete_action(by=teammate, action=action, check_on=check_on)
    assert action.status == Status.DONE and action.check_pending and action.check_on == check_on
    assert list(selectors.checks_due(today=check_on)) == [action]
    assert list(selectors.checks_due(today=check_on - timedelta(days=1))) == []
    services.record_effectiveness(by=facilitator, action=action, effect="did_not_work", evidence="Still paging.")
    action.refresh_from_db()
    assert (action.effect, action.checked_by, action.check_pending) == ("did_not_work", facilitator, False)
    assert list(selectors.checks_due(today=check_on)) == []


def test_only_done_actions_can_be_checked(action, teammate):
    with pytest.raises(ValidationError):
        services.record_effectiveness(by=teammate, action=action, effect="worked")


def test_decline_needs_a_reason(action, teammate):
    with pytest.raises(ValidationError) as error:
        services.decline_action(by=teammate, action=action, reason="  ")
    assert "reason" in error.value.message_dict
    services.decline_action(by=teammate, action=action, reason="The service is being retired.")
    action.refresh_from_db()
    assert (action.status, action.not_doing_reason) == (Status.NOT_DOING, "The service is being retired.")
    assert action.closed_at is not None


def test_closed_actions_cannot_be_closed_again(action, teammate):
    services.decline_action(by=teammate, action=action, reason="No longer relevant.")
    with pytest.raises(ValidationError):
        services.complete_action(by=teammate, action=action, effect="worked")


def test_reopen_clears_the_close_and_the_check(action, teammate):
    services.complete_action(by=teammate, action=action, effect="unknown", evidence="Too early.")
    services.reopen_action(by=teammate, action=action)
    action.refresh_from_db()
    assert action.status == Status.OPEN
    assert (action.closed_at, action.effect, action.evidence, action.checked_at) == (None, "", "", None)
    with pytest.raises(ValidationError):
        services.reopen_action(by=teammate, action=action)
    assert verbs_for(action)[-1] == "reopened"


@pytest.mark.parametrize("who", ["facilitator", "learning_lead", "admin"])
def test_facilitators_learning_leads_and_admins_can_close_any_team_action(action, who, request):
    person = request.getfixturevalue(who)
    services.complete_action(by=person, action=action, effect="worked")
    assert action.closed_by == person


def test_facilitator_of_a_parent_department_counts_as_facilitator(action, department):
    head = factories.person()
    factories.membership(head, department, role="facilitator")
    services.start_action(by=head, action=action)
    assert action.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    "change",
    [
        lambda by, action: services.start_action(by=by, action=action),
        lambda by, action: services.complete_action(by=by, action=action, effect="worked"),
        lambda by, action: services.decline_action(by=by, action=action, reason="Nope"),
        lambda by, action: services.add_comment(by=by, action=action, body="Hello"),
    ],
)
def test_outsiders_change_nothing(action, outsider, change):
    with pytest.raises(PermissionDenied):
        change(outsider, action)
    action.refresh_from_db()
    assert action.status == Status.OPEN and not action.comments.exists()


def test_deactivated_owner_can_no_longer_change_their_action(action, teammate):
    teammate.is_active, teammate.deactivated_at = False, timezone.now()
    teammate.save()
    with pytest.raises(ValidationError):
        services.start_action(by=teammate, action=action)


# --- comments ----------------------------------------------------------------------------------


def test_any_teammate_can_comment(action, team):
    other = factories.person()
    factories.membership(other, team)
    comment = services.add_comment(by=other, action=action, body="I can help with this.")
    assert list(action.comments.all()) == [comment]
    assert verbs_for(action)[-1] == "commented"
    with pytest.raises(ValidationError):
        services.add_comment(by=other, action=action, body=" ")


# --- backfilling -------------------------------------------------------------------------------


def test_history_can_be_backfilled_with_at(facilitator, team):
    created = datetime(2025, 3, 3, 10, tzinfo=UTC)
    action = services.create_action(by=facilitator, title="Old action", team=team, at=created)
    services.complete_action(by=facilitator, action=action, check_on=date(2025, 4, 1), at=created + timedelta(days=5))
    services.record_effectiveness(by=facilitator, action=action, effect="worked", at=created + timedelta(days=30))
    action.refresh_from_db()
    assert action.created_at == created
    assert action.closed_at == created + timedelta(days=5)
    assert action.checked_at == created + timedelta(days=30)
    events = ActivityEvent.objects.filter(subject_type="actions.action", subject_id=str(action.pk))
    assert max(event.created_at for event in events) == created + timedelta(days=30)


# --- database constraints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.NOT_DOING, "closed_at": timezone.now()},  # no reason
        {"status": Status.OPEN, "not_doing_reason": "why"},  # a reason without declining
        {"status": Status.DONE},  # not closed, and neither checked nor scheduled
        {"status": Status.DONE, "closed_at": timezone.now()},  # neither checked nor scheduled
        {"status": Status.DONE, "closed_at": timezone.now(), "effect": "worked"},  # no checked_at
        {"status": Status.OPEN, "check_on": date(2030, 1, 1)},  # a check on an open action
        {"title": ""},
        {"priority": "whenever"},
        {"source_type": "reflection.session"},
    ],
)
def test_database_refuses_broken_actions(member, fields):
    values = {"title": "Broken", "created_by": member, **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(**values)


# --- team policy -------------------------------------------------------------------------------


def test_team_policy_changes_what_counts_as_overdue(action, facilitator, team, teammate):
    action.due_on = timezone.localdate() - timedelta(days=2)
    action.save()
    assert selectors.overdue_actions(team=team) == [action]
    services.set_team_policy(by=facilitator, team=team, overdue_grace_days=3, remind_days_before=1)
    assert selectors.overdue_actions(team=team) == []
    with pytest.raises(PermissionDenied):
        services.set_team_policy(by=teammate, team=team, overdue_grace_days=0, remind_days_before=1)
    with pytest.raises(ValidationError):
        services.set_team_policy(by=facilitator, team=team, overdue_grace_days=-1, remind_days_before=1)
