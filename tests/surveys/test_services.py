import io
import random
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from learnloop.actions.models import Action
from learnloop.surveys import services
from learnloop.surveys.instrument_files import built_in_files, parse_instrument
from learnloop.surveys.models import Campaign, CampaignStatus, Instrument, Invitation, Response
from learnloop.surveys.tokens import token_for
from tests.surveys.conftest import answer_all, run_campaign, today


def test_built_in_instruments_cover_the_issue():
    specs = {spec.slug: spec for spec in (parse_instrument(path.read_text()) for path in built_in_files())}
    diagnostic = specs["learning-organization"]
    assert len(diagnostic.dimensions) == 11
    assert all(3 <= len(dimension.items) <= 5 for dimension in diagnostic.dimensions)
    assert diagnostic.outcome is not None and diagnostic.comment is not None
    safety = specs["psychological-safety"]
    items = [item for dimension in safety.dimensions for item in dimension.items]
    assert len(items) == 7 and any(item.reverse for item in items)
    assert sum(len(dimension.items) for dimension in specs["pulse"].dimensions) == 5


def test_import_refuses_bad_yaml_with_a_message(survey_org):
    with pytest.raises(ValidationError) as error:
        services.import_instrument(by=survey_org.admin, text="slug: x\nname: X\nscale: {minimum: 1, maximum: 5}\n")
    assert "label" in str(error.value)


def test_import_and_edit_an_instrument(survey_org):
    text = (Instrument.objects.get(slug="pulse").source.replace("slug: pulse", "slug: my-pulse")
            .replace("This month I felt", "Lately I felt"))
    instrument = services.import_instrument(by=survey_org.admin, text=text)
    assert instrument.items.filter(text__startswith="Lately I felt").exists()
    edited = services.update_instrument(
        by=survey_org.admin, instrument=instrument, text=text.replace("Lately", "Recently"),
    )
    assert edited.items.filter(text__startswith="Recently I felt").exists()


def test_members_cannot_manage_surveys(survey_org):
    with pytest.raises(PermissionDenied):
        services.import_instrument(by=survey_org.lead, text="x")


def test_instrument_used_by_a_launched_campaign_cannot_change(survey_org):
    run_campaign(survey_org)
    pulse = Instrument.objects.get(slug="pulse")
    with pytest.raises(ValidationError):
        services.update_instrument(
            by=survey_org.admin, instrument=pulse, text=pulse.source.replace("This month", "Now"),
        )


def test_launch_invites_everyone_with_a_working_single_use_link(survey_org, django_capture_on_commit_callbacks):
    campaign = services.create_campaign(
        by=survey_org.admin, name="Pulse", instrument=Instrument.objects.get(slug="pulse"),
        opens_on=today(), closes_on=today(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.launch_campaign(by=survey_org.admin, campaign=campaign, send_now=True)
    assert invited == 22  # 21 team members and the admin
    assert len(mail.outbox) == 22
    invitation = Invitation.objects.get(campaign=campaign, person=survey_org.lead)
    token = token_for(invitation)
    message = next(m for m in mail.outbox if m.to == [survey_org.lead.email])
    assert token in message.body
    services.submit_response(token=token, answers=answer_all(campaign.instrument, random.Random(1)))
    with pytest.raises(ValidationError):
        services.submit_response(token=token, answers=answer_all(campaign.instrument, random.Random(2)))
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_reminders_go_only_to_those_who_have_not_answered(survey_org, django_capture_on_commit_callbacks):
    campaign = run_campaign(survey_org, responders=survey_org.people["Sales"], close=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        count = services.send_reminders(by=survey_org.admin, campaign=campaign, send_now=True)
    assert count == 22 - 7
    recipients = {message.to[0] for message in mail.outbox}
    assert not recipients & {person.email for person in survey_org.people["Sales"]}


def test_the_automatic_reminder_goes_once_in_the_last_days_to_those_who_have_not_answered(
    survey_org, django_capture_on_commit_callbacks
):
    campaign = run_campaign(survey_org, responders=survey_org.people["Sales"], close=False)
    assert services.send_due_reminders(today=today()) == {}  # two weeks to go: too early
    last_days = campaign.closes_on - timedelta(days=2)
    assert services.send_due_reminders(today=last_days, dry_run=True) == {campaign: 22 - 7}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(today=last_days, send_now=True) == {campaign: 22 - 7}
    recipients = {message.to[0] for message in mail.outbox}
    assert len(recipients) == 22 - 7
    assert not recipients & {person.email for person in survey_org.people["Sales"]}
    # Run again (cron runs daily, perhaps twice): nobody is reminded twice.
    assert services.send_due_reminders(today=last_days + timedelta(days=1)) == {campaign: 0}
    services.close_campaign(by=survey_org.admin, campaign=campaign)
    assert services.send_due_reminders(today=last_days) == {}


def test_the_remind_command_reports_what_it_did(survey_org, django_capture_on_commit_callbacks):
    campaign = run_campaign(survey_org, responders=[], close=False)
    Campaign.objects.filter(pk=campaign.pk).update(closes_on=today() + timedelta(days=1))
    out = io.StringIO()
    call_command("survey", "remind", "--dry-run", stdout=out)
    assert out.getvalue() == f"{campaign.name}: would remind 22 people.\n"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("survey", "remind", "--now", stdout=io.StringIO())
    assert len(mail.outbox) == 22
    out = io.StringIO()
    call_command("survey", "remind", stdout=out)
    assert out.getvalue() == f"{campaign.name}: queued reminders for 0 people.\n"


def test_invalid_answers_are_refused_and_nothing_is_stored(survey_org):
    campaign = run_campaign(survey_org, responders=[], close=False)
    token = token_for(Invitation.objects.get(campaign=campaign, person=survey_org.lead))
    answers = answer_all(campaign.instrument, random.Random(1))
    answers["pulse_time"] = 9
    with pytest.raises(ValidationError) as error:
        services.submit_response(token=token, answers=answers)
    assert "pulse_time" in error.value.message_dict
    assert not Response.objects.exists()
    assert not Invitation.objects.get(campaign=campaign, person=survey_org.lead).responded


def test_closing_stops_the_links(survey_org):
    campaign = run_campaign(survey_org, responders=[])
    token = token_for(Invitation.objects.get(campaign=campaign, person=survey_org.lead))
    with pytest.raises(ValidationError):
        services.submit_response(token=token, answers=answer_all(campaign.instrument, random.Random(1)))


def test_k_cannot_be_lowered_once_responses_exist(survey_org):
    services.set_anonymity_threshold(by=survey_org.admin, k=6)
    services.set_anonymity_threshold(by=survey_org.admin, k=5)
    run_campaign(survey_org)
    with pytest.raises(ValidationError):
        services.set_anonymity_threshold(by=survey_org.admin, k=4)
    with pytest.raises(ValidationError):
        services.set_anonymity_threshold(by=survey_org.admin, k=2)
    assert services.set_anonymity_threshold(by=survey_org.admin, k=7).anonymity_threshold == 7


def test_campaign_keeps_the_threshold_it_launched_with(survey_org):
    campaign = run_campaign(survey_org)
    services.set_anonymity_threshold(by=survey_org.admin, k=8)
    assert Campaign.objects.get(pk=campaign.pk).threshold == 5


def test_focus_area_becomes_an_action_from_the_survey(survey_org):
    campaign = run_campaign(survey_org)
    focus = services.choose_focus_area(
        by=survey_org.lead, campaign=campaign, team=survey_org.teams["Payments"], dimension_key="time",
        owner=survey_org.lead,
    )
    action = Action.objects.get(pk=focus.action_id)
    assert action.source_type == "surveys.focus_area" and action.source_id == str(focus.pk)
    assert action.team == survey_org.teams["Payments"]
    with pytest.raises(PermissionDenied):
        services.choose_focus_area(
            by=survey_org.people["Sales"][1], campaign=campaign, team=survey_org.teams["Sales"], dimension_key="time",
            owner=survey_org.people["Sales"][1],
        )


def test_closed_campaign_is_closed(survey_org):
    campaign = run_campaign(survey_org)
    assert campaign.status == CampaignStatus.CLOSED and campaign.release
