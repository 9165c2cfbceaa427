"""Every survey write: instruments, campaigns, responding, focus areas.

Responding is deliberately silent: no activity event, no audit event, no time stored, and the
answers row is never linked to the invitation (see models.py and docs/surveys.md).
"""

import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from learnloop.activity.services import record_activity
from learnloop.input_rules import text_problem
from learnloop.org.models import Membership, Organization, Person, Team, TeamKind, TeamRole
from learnloop.org.selectors import attribute_values_by_person
from learnloop.surveys import attributes, permissions, release
from learnloop.surveys.attributes import ROLES, TENURE_BANDS  # noqa: F401 (re-exported for callers)
from learnloop.surveys.instrument_files import InstrumentError, built_in_files, parse_instrument
from learnloop.surveys.models import (
    Campaign,
    CampaignStatus,
    Comment,
    Dimension,
    FocusArea,
    Instrument,
    Invitation,
    Item,
    ItemKind,
    Response,
)
from learnloop.surveys.tokens import hash_token, token_for

OUTCOME_RANGE = (0, 10)
MAX_COMMENT = 4000


# --- instruments -----------------------------------------------------------------------------------


def install_built_in_instruments() -> list[Instrument]:
    """Create the built-in instruments that are missing (never overwrites an edited one)."""
    created = []
    for path in built_in_files():
        spec = parse_instrument(path.read_text(encoding="utf-8"))
        if not Instrument.objects.filter(slug=spec.slug).exists():
            with transaction.atomic():
                created.append(_save_instrument(spec, Instrument(slug=spec.slug)))
    return created


def import_instrument(*, by, text: str, replace: bool = False) -> Instrument:
    """Create an instrument from YAML, or with replace=True rewrite one no campaign has launched with."""
    permissions.require_manage_surveys(by)
    try:
        spec = parse_instrument(text)
    except InstrumentError as error:
        raise ValidationError({"source": str(error)}) from error
    with transaction.atomic():
        existing = Instrument.objects.select_for_update().filter(slug=spec.slug).first()
        if existing is not None and not replace:
            raise ValidationError(
                {"source": f"An instrument with slug {spec.slug} exists; edit it or pick another slug."}
            )
        if existing is not None and existing.campaigns.exclude(status=CampaignStatus.DRAFT).exists():
            raise ValidationError({"source": (
                f"{existing.name} has been used by a launched campaign, so its items can't change "
                "(results would no longer compare). Import it under a new slug instead."
            )})
        instrument = _save_instrument(spec, existing or Instrument(slug=spec.slug))
        record_activity(verb="survey_instrument_saved", subject=instrument, actor=by, data={"slug": instrument.slug})
    return instrument


def update_instrument(*, by, instrument: Instrument, text: str) -> Instrument:
    """Edit an instrument's YAML in place (the slug must stay the same)."""
    permissions.require_manage_surveys(by)
    try:
        spec = parse_instrument(text)
    except InstrumentError as error:
        raise ValidationError({"source": str(error)}) from error
    if spec.slug != instrument.slug:
        raise ValidationError({"source": f"Keep the slug {instrument.slug}; import a copy to use another."})
    return import_instrument(by=by, text=text, replace=True)


def _save_instrument(spec, instrument: Instrument) -> Instrument:
    instrument.name, instrument.description = spec.name, spec.description
    instrument.scale_min, instrument.scale_max, instrument.labels = spec.scale_min, spec.scale_max, spec.labels
    instrument.source = spec.source
    instrument.save()
    instrument.items.all().delete()
    instrument.dimensions.all().delete()
    position = 0
    for dimension_position, dimension_spec in enumerate(spec.dimensions):
        dimension = Dimension.objects.create(
            instrument=instrument, key=dimension_spec.key, name=dimension_spec.name,
            barrier=dimension_spec.barrier, position=dimension_position,
        )
        for item_spec in dimension_spec.items:
            Item.objects.create(
                instrument=instrument, dimension=dimension, key=item_spec.key, text=item_spec.text,
                reverse_keyed=item_spec.reverse, position=position, kind=ItemKind.LIKERT,
            )
            position += 1
    extras = [(ItemKind.OUTCOME, spec.outcome), (ItemKind.COMMENT, spec.comment),
              *((ItemKind.ADVICE, item) for item in spec.advice)]
    for kind, extra in extras:
        if extra is not None:
            Item.objects.create(instrument=instrument, key=extra.key, text=extra.text, kind=kind, position=position)
            position += 1
    return instrument


# --- campaigns -------------------------------------------------------------------------------------


def create_campaign(
    *, by, name: str, instrument: Instrument, opens_on: date, closes_on: date,
    teams=(), whole_organization: bool = True,
) -> Campaign:
    permissions.require_manage_surveys(by)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the campaign a name."
    elif len(name) > 200:
        errors["name"] = "Keep the name under 200 characters."
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = "The campaign must close on or after the day it opens."
    teams = list(teams)
    if not whole_organization and not teams:
        errors["teams"] = "Choose at least one team, or the whole organization."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name, instrument=instrument, opens_on=opens_on, closes_on=closes_on,
            whole_organization=whole_organization, created_by=by,
        )
        if not whole_organization:
            campaign.teams.set(teams)
        record_activity(verb="survey_campaign_created", subject=campaign, actor=by, data={"name": name})
    return campaign


def _team_path(team: Team, by_id: dict) -> list[str]:
    path = []
    seen = set()
    while team is not None and team.pk not in seen:
        seen.add(team.pk)
        path.append(team.name)
        team = by_id.get(team.parent_id)
    return list(reversed(path))


def _audience_teams(campaign: Campaign, all_teams: dict) -> list[Team]:
    live = [team for team in all_teams.values() if not team.is_archived]
    if campaign.whole_organization:
        return live
    chosen = {team.pk for team in campaign.teams.all()}
    # A chosen department brings its teams with it.
    return [team for team in live if any(ancestor in chosen for ancestor in _ancestor_ids(team, all_teams))]


def _ancestor_ids(team: Team, all_teams: dict) -> list[int]:
    ids, seen = [], set()
    while team is not None and team.pk not in seen:
        seen.add(team.pk)
        ids.append(team.pk)
        team = all_teams.get(team.parent_id)
    return ids


def tenure_band(joined: datetime, at: datetime) -> str:
    years = (at - joined).days / 365.25
    return TENURE_BANDS[0] if years < 1 else TENURE_BANDS[1] if years < 3 else TENURE_BANDS[2]


MAX_RECORDED_ATTRIBUTES = 8


def _chosen_attributes(keys) -> list[attributes.RecordedAttribute]:
    """The attributes a launch records, in the order given (earlier ones are kept longer when
    generalizing); None means tenure and role, as before attributes could be chosen."""
    if keys is None:
        return list(attributes.DEFAULT_ATTRIBUTES)
    available = {attribute.key: attribute for attribute in attributes.available_attributes()}
    chosen, unknown = [], []
    for key in keys:
        key = str(key).strip()
        if key not in available:
            unknown.append(key[:40])
        elif available[key] not in chosen:
            chosen.append(available[key])
    if unknown:
        raise ValidationError({"attributes": f"Unknown attribute: {', '.join(unknown)}. "
                                             f"Choose from {', '.join(available)}."})
    if len(chosen) > MAX_RECORDED_ATTRIBUTES:
        raise ValidationError({"attributes": f"Record at most {MAX_RECORDED_ATTRIBUTES} attributes."})
    return chosen


def launch_campaign(
    *, by, campaign: Campaign, at: datetime | None = None, send_now: bool = False, notify: bool = True,
    attributes_to_record=None,
) -> int:
    """Fix the audience, the team hierarchy and everyone's coarse attributes, then invite them.

    `attributes_to_record`: keys of the attributes stored with answers, most wanted first (tenure,
    role and the organization's own, see `attributes.available_attributes`); None records tenure
    and role. Returns the number of people invited. Emails go through the task queue (or at once
    with send_now); notify=False sends none (the demo's past campaigns).
    """
    permissions.require_manage_surveys(by)
    now = at or timezone.now()
    recorded = _chosen_attributes(attributes_to_record)
    extra_keys = [attribute.key for attribute in recorded if attribute.key not in attributes.BUILT_IN]
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise ValidationError({"status": "This campaign has already been launched."})
        all_teams = {team.pk: team for team in Team.objects.all()}
        audience = _audience_teams(campaign, all_teams)
        audience_ids = {team.pk for team in audience}
        people = _people_and_teams(audience_ids, whole=campaign.whole_organization)
        k = Organization.current().anonymity_threshold
        campaign.status, campaign.threshold, campaign.launched_at = CampaignStatus.OPEN, k, now
        campaign.hierarchy = {str(team.pk): _team_path(team, all_teams) for team in audience}
        # Each person's own values of the organization's attributes the campaign records.
        own_values = attribute_values_by_person([person.pk for person, _, _ in people]) if extra_keys else {}
        invitations = [
            Invitation(
                campaign=campaign, person=person, team=team, tenure=tenure_band(person.date_joined, now),
                role="lead" if is_lead else "member", invited_on=now.date(),
                attributes={key: own_values.get(person.pk, {}).get(key, attributes.NOT_RECORDED) for key in extra_keys},
                # A placeholder, replaced by the hash of the derived token below (it needs the id).
                token_hash=secrets.token_hex(32),
            )
            for person, team, is_lead in people
        ]
        # Before any answer exists, fix how invitees' attributes are stored with answers so that
        # no stored combination is shared by fewer than k invitees.
        parents = {
            str(team.pk): str(team.parent_id) if team.parent_id in audience_ids else attributes.ROOT
            for team in audience
        }
        layout = {"attributes": [[attribute.key, attribute.label] for attribute in recorded]}
        campaign.generalization = attributes.generalize_invitees(
            [attributes.invitee_record(layout, i.team.pk if i.team else None, i.tenure, i.role, i.attributes)
             for i in invitations],
            hierarchy_parents=parents, k=k, attributes=recorded,
        )
        campaign.save()
        Invitation.objects.bulk_create(invitations)
        created = list(Invitation.objects.filter(campaign=campaign))
        for invitation in created:
            invitation.token_hash = hash_token(token_for(invitation))
        Invitation.objects.bulk_update(created, ["token_hash"])
        record_activity(verb="survey_campaign_launched", subject=campaign, actor=by, data={"invited": len(created)})
        if notify:
            _queue_emails(created, reminder=False, send_now=send_now)
    return len(created)


def _people_and_teams(audience_ids: set[int], *, whole: bool):
    """(person, team at launch, leads that team) for everyone in the audience; one team each.

    Someone in several teams is counted in one: a team (not a department) first, then by name,
    so each respondent sits in exactly one cell of the hierarchy.
    """
    memberships = (
        Membership.objects.filter(person__is_active=True, team_id__in=audience_ids)
        .select_related("person", "team")
        .order_by("person_id")
    )
    chosen: dict[int, Membership] = {}
    for membership in memberships:
        current = chosen.get(membership.person_id)
        if current is None or _membership_rank(membership) < _membership_rank(current):
            chosen[membership.person_id] = membership
    result = [(m.person, m.team, m.role == TeamRole.FACILITATOR) for m in chosen.values()]
    if whole:
        for person in Person.objects.filter(is_active=True).exclude(pk__in=chosen.keys()):
            result.append((person, None, False))
    return result


def _membership_rank(membership: Membership):
    return (membership.team.kind != TeamKind.TEAM, membership.team.name.lower())


def send_reminders(*, by, campaign: Campaign, send_now: bool = False) -> int:
    """Remind everyone invited who has not answered yet; returns how many."""
    permissions.require_manage_surveys(by)
    campaign = Campaign.objects.get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError({"status": "Only an open campaign can send reminders."})
    with transaction.atomic():
        pending = list(Invitation.objects.filter(campaign=campaign, responded=False, person__is_active=True))
        for invitation in pending:
            invitation.reminders_sent += 1
        Invitation.objects.bulk_update(pending, ["reminders_sent"])
        _queue_emails(pending, reminder=True, send_now=send_now)
    return len(pending)


# The automatic reminder (`learnloop survey remind`, daily from cron): once, in an open
# campaign's last days, to everyone who hasn't answered and hasn't been reminded yet.
AUTOMATIC_REMINDER_DAYS_BEFORE_CLOSE = 3


def send_due_reminders(*, today=None, send_now: bool = False, dry_run: bool = False) -> dict:
    """{campaign: number reminded} for the open campaigns in their reminder window. Safe to run
    as often as you like: an invitation already reminded (by hand or by an earlier run) is left
    alone. An operator's job, so no person's permission is asked."""
    today = today or timezone.localdate()
    window_end = today + timedelta(days=AUTOMATIC_REMINDER_DAYS_BEFORE_CLOSE)
    reminded = {}
    campaigns = Campaign.objects.filter(status=CampaignStatus.OPEN, opens_on__lte=today, closes_on__gte=today,
                                        closes_on__lte=window_end).order_by("closes_on", "pk")
    for campaign in campaigns:
        with transaction.atomic():
            pending = list(Invitation.objects.select_for_update().filter(
                campaign=campaign, responded=False, reminders_sent=0, person__is_active=True))
            if not dry_run and pending:
                for invitation in pending:
                    invitation.reminders_sent += 1
                Invitation.objects.bulk_update(pending, ["reminders_sent"])
                _queue_emails(pending, reminder=True, send_now=send_now)
        reminded[campaign] = len(pending)
    return reminded


def _queue_emails(invitations: list[Invitation], *, reminder: bool, send_now: bool) -> None:
    from learnloop.surveys import mailing, tasks  # tasks.py imports mailing, which imports models

    for invitation in invitations:
        # A reminder carries its ordinal, so "the 2nd reminder" is one logical email, sent once.
        number = invitation.reminders_sent if reminder else 0
        if send_now:
            transaction.on_commit(
                lambda pk=invitation.pk, n=number: mailing.deliver_invitation(pk, reminder=reminder, number=n)
            )
        else:
            tasks.send_survey_invitation.enqueue(invitation.pk, reminder, number)


def begin_closing_campaign(
    *, by, campaign: Campaign, at: datetime | None = None, operator: bool = False, queue: bool = True,
) -> Campaign:
    """Stop accepting answers now and queue the disclosure decision (see release.py).

    One short transaction: the campaign becomes CLOSING and unused links stop working; the
    decision runs on the task queue, so the request holding this returns at once (with
    queue=False the caller runs release.decide_and_publish itself). `operator` is for
    `learnloop survey close` run without --as (shell access is the permission).
    """
    if not operator:
        permissions.require_manage_surveys(by)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.OPEN:
            if campaign.status in (CampaignStatus.CLOSING, CampaignStatus.CLOSED):
                state = campaign.get_status_display().lower()
                raise ValidationError({"status": f"{campaign.name} is already {state}."})
            raise ValidationError({"status": "Only an open campaign can be closed."})
        campaign.status, campaign.closed_at = CampaignStatus.CLOSING, at or timezone.now()
        # Unused links stop working.
        Invitation.objects.filter(campaign=campaign, responded=False).update(token_hash=None)
        _queue_release(campaign, queue=queue)
        campaign.save(update_fields=["status", "closed_at", "release_task_id", "release_progress"])
        record_activity(verb="survey_campaign_closed", subject=campaign, actor=None if operator else by)
    return campaign


def _queue_release(campaign: Campaign, *, queue: bool = True) -> None:
    """Queue the decision for a campaign the caller is setting CLOSING (in the same transaction:
    the task row commits with the status, so no worker sees a task for a campaign still open).
    With queue=False the caller makes the decision itself, right after."""
    from learnloop.surveys import tasks  # tasks.py imports mailing, which imports models

    campaign.release_task_id = str(tasks.decide_release.enqueue(campaign.pk).id) if queue else ""
    campaign.release_progress = {"step": release.QUEUED if queue else release.DECIDING}


def close_campaign(*, by, campaign: Campaign, at: datetime | None = None, operator: bool = False) -> Campaign:
    """Close and make the disclosure decision inline, returning the CLOSED campaign. For the demo
    builder, `survey close --wait` and tests: pages and the API use begin_closing_campaign."""
    campaign = begin_closing_campaign(by=by, campaign=campaign, at=at, operator=operator, queue=False)
    release.decide_and_publish(campaign.pk)
    return Campaign.objects.get(pk=campaign.pk)


# --- responding ------------------------------------------------------------------------------------


def invitation_for_token(token: str) -> Invitation:
    """The open invitation a link belongs to, or ValidationError saying why it no longer works."""
    invitation = (
        Invitation.objects.select_related("campaign", "campaign__instrument")
        .filter(token_hash=hash_token(token or "")).first()
    )
    if invitation is None:
        raise ValidationError("This link has already been used, or the survey has closed.")
    if invitation.campaign.status != CampaignStatus.OPEN:
        raise ValidationError("This survey is not open.")
    return invitation


def questions_of(instrument: Instrument) -> list[Item]:
    """The questions of the anonymous form: every item but the named advice questions, which are
    answered apart (surveys/advice.py)."""
    return list(instrument.items.exclude(kind=ItemKind.ADVICE).select_related("dimension").order_by("position"))


def submit_response(*, token: str, answers: dict, comment: str = "", today: date | None = None) -> None:
    """Store one response and mark the invitation used, in one transaction, leaving no trace of when."""
    today = today or timezone.localdate()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("campaign", "campaign__instrument")
            .filter(token_hash=hash_token(token or "")).first()
        )
        if invitation is None:
            raise ValidationError("This link has already been used, or the survey has closed.")
        campaign = invitation.campaign
        if campaign.status != CampaignStatus.OPEN or not campaign.opens_on <= today <= campaign.closes_on:
            raise ValidationError("This survey is not open today.")
        clean = clean_answers(campaign.instrument, answers)
        comment = (comment or "").strip()
        if problem := text_problem(comment):  # stored by bulk insert, which skips the save-time check
            raise ValidationError({"comment": f"The comment {problem}"})
        if len(comment) > MAX_COMMENT:
            raise ValidationError({"comment": f"Keep the comment under {MAX_COMMENT} characters."})
        has_comment_item = campaign.instrument.items.filter(kind=ItemKind.COMMENT).exists()
        if comment and not has_comment_item:
            # Inapplicable, not ignored: the text would be thrown away while the sender thinks it counted.
            raise ValidationError({"comment": "This survey has no comment question, so it takes no comment."})
        generalization = campaign.generalization
        stored = attributes.stored_record(generalization, *attributes.invitee_record(
            generalization, invitation.team_id, invitation.tenure, invitation.role, invitation.attributes))
        snapshot = attributes.response_fields(generalization, stored)
        team_key = snapshot["team_key"]
        _store_shuffled(Response, campaign, Response(campaign=campaign, answers=clean, **snapshot),
                        fields=("team_key", "tenure", "role", "attributes", "answers"))
        new_comment = None
        if comment:
            new_comment = Comment(campaign=campaign, team_key=team_key, text=comment)
        # Comments are rewritten on every submission, with or without a new one, so that which
        # transaction last touched them says nothing about who commented.
        _store_shuffled(Comment, campaign, new_comment, fields=("team_key", "text"))
        invitation.responded, invitation.token_hash = True, None
        invitation.save(update_fields=["responded", "token_hash"])


def clean_answers(instrument: Instrument, answers: dict) -> dict:
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "Send the answers as {item key: value}."})
    clean, errors = {}, {}
    for item in instrument.items.exclude(kind__in=(ItemKind.COMMENT, ItemKind.ADVICE)):
        low, high = (instrument.scale_min, instrument.scale_max) if item.kind == ItemKind.LIKERT else OUTCOME_RANGE
        value = answers.get(item.key)
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors[item.key] = "Choose an answer."
            continue
        if str(value).strip() != str(number) or not low <= number <= high:
            errors[item.key] = f"Choose a whole number from {low} to {high}."
            continue
        clean[item.key] = number
    kinds = dict(instrument.items.values_list("key", "kind"))
    unknown = sorted(str(key) for key in answers if key not in kinds)
    comment_keys = sorted(str(key) for key in answers if kinds.get(key) == ItemKind.COMMENT)
    advice_keys = sorted(str(key) for key in answers if kinds.get(key) == ItemKind.ADVICE)
    if unknown:
        errors["answers"] = f"Unknown items: {', '.join(unknown)}."
    elif advice_keys:
        # Refused, not ignored: a named answer must never travel with the anonymous ones.
        errors["answers"] = (f"{', '.join(advice_keys)} is a named advice question: it is answered apart, "
                             "signed in, not among the anonymous answers.")
    elif comment_keys:
        errors["answers"] = (f"{', '.join(comment_keys)} is the comment question: send its text as `comment`, "
                             "not among the answers.")
    if errors:
        raise ValidationError(errors)
    return clean


# Every submission mixes its row with this many earlier ones (all of them in smaller campaigns).
# It bounds the work per submission (a 50,000-person campaign would otherwise rewrite every row on
# every answer: quadratic in all) while every answer still hides among at least this many others.
SHUFFLE_MIX_SIZE = 500


def _store_shuffled(model, campaign: Campaign, row, *, fields: tuple[str, ...]) -> None:
    """Store `row` (if any) by deleting the campaign's rows, or a random SHUFFLE_MIX_SIZE of them,
    and inserting them again together with it, in a random order, in the submission's transaction.

    Random UUIDs hide the id order, but storage order does not: SQLite keeps rows in rowid order
    (the order of insertion), and PostgreSQL writes every inserted row version at the heap's end
    (ctid) stamped with the writing transaction (xmin), the same transaction that marks the
    invitation answered. Re-inserted together in a random order, the new row is one of the mixed
    rows with equal chance: they all carry the same xmin, take one fresh block of rowids, and
    neither rowid nor ctid order says who answered when. Up to SHUFFLE_MIX_SIZE earlier rows that
    is every row; beyond, a random sample of them, so a submission costs at most SHUFFLE_MIX_SIZE
    row writes and hides among that many answers. (Delete and insert rather than updating in
    place: one statement each, where a bulk update of hundreds of rows is slow to build.)
    """
    rows = model.objects.filter(campaign=campaign)
    ids = list(rows.values_list("id", flat=True))
    if len(ids) > SHUFFLE_MIX_SIZE:
        ids = secrets.SystemRandom().sample(ids, SHUFFLE_MIX_SIZE)
    mixed = list(rows.select_for_update().filter(id__in=ids)) if ids else []
    if row is None and not mixed:
        return
    if row is not None:
        mixed.append(row)
    secrets.SystemRandom().shuffle(mixed)
    if ids:
        rows.filter(id__in=ids).delete()
    model.objects.bulk_create(mixed, batch_size=500)


# --- results to action -----------------------------------------------------------------------------


def choose_focus_area(
    *, by, campaign: Campaign, team: Team, dimension_key: str, owner: Person | None, title: str = "",
    due_on: date | None = None, at: datetime | None = None,
) -> FocusArea:
    """A team picks a dimension to work on; it becomes an action in the action engine, owned by
    the focus area's owner. The owner must be able to see the team's results (a member or lead of
    the team, or a learning lead): the next campaign's figures for the team come to them as
    evidence for the action's check (remeasure.py)."""
    from learnloop.actions import services as actions

    permissions.require_choose_focus(by, team)
    if owner is None:
        raise ValidationError({"owner": "Name who carries this focus area: they own its action."})
    if not permissions.can_own_focus(owner, team):
        raise ValidationError({"owner": f"{owner} can't see {team.name}'s results; choose a member or lead of it."})
    if campaign.status != CampaignStatus.CLOSED:
        raise ValidationError({"campaign": "Focus areas are chosen from a closed campaign's results."})
    if str(team.pk) not in (campaign.hierarchy or {}):
        raise ValidationError({"team": f"{team.name} was not part of {campaign.name}."})
    dimension = campaign.instrument.dimensions.filter(key=dimension_key).first()
    if dimension is None:
        raise ValidationError({"dimension": "Choose one of the instrument's dimensions."})
    if FocusArea.objects.filter(campaign=campaign, team=team, dimension_key=dimension.key).exists():
        raise ValidationError({"dimension": f"{team.name} already works on {dimension.name}."})
    title = (title or "").strip() or f"Improve {dimension.name.lower()} in {team.name}"
    with transaction.atomic():
        focus = FocusArea.objects.create(
            campaign=campaign, team=team, dimension_key=dimension.key, dimension_name=dimension.name, chosen_by=by,
            owner=owner, created_at=at or timezone.now(),
        )
        action = actions.create_action(
            by=by, title=title, team=team, owner=owner, due_on=due_on, at=at,
            description=f"Focus area from {campaign.name}: {dimension.name}.",
            source_type="surveys.focus_area", source_id=str(focus.pk),
            source_label=f"{campaign.name} · {dimension.name}",
            source_url=reverse("surveys:trends") + f"?team={team.pk}",
        )
        focus.action = action
        focus.save(update_fields=["action"])
    return focus


# --- the organization's k ---------------------------------------------------------------------------


def set_anonymity_threshold(*, by, k: int) -> Organization:
    """Change k. It can rise at any time but never fall once any survey has responses."""
    if not (by is not None and by.is_active and by.is_admin):
        raise PermissionDenied("Only admins can change the anonymity threshold.")
    organization = Organization.current()
    if not isinstance(k, int) or k < Organization.MINIMUM_ANONYMITY_THRESHOLD:
        minimum = Organization.MINIMUM_ANONYMITY_THRESHOLD
        raise ValidationError({"k": f"k must be a whole number of at least {minimum}."})
    if k < organization.anonymity_threshold and Response.objects.exists():
        raise ValidationError({"k": "k can't be lowered once surveys have responses."})
    organization.anonymity_threshold = k
    organization.save(update_fields=["anonymity_threshold"])
    return organization
