"""Every write about workshops and peer-learning sessions: planning and changing them, signing up
and cancelling (with a waiting list), recording attendance, and anonymous feedback.

Rules of time (`at` stands for "now", so the demo can replay the past):
- a workshop is planned for the future; its times, capacity and details change until it starts;
- people sign up and cancel until it starts: a place while there is one, else the waiting list;
  a place given back goes to the first person waiting; raising the capacity lets the queue in;
  lowering it takes no place away;
- its hosts (learning leads and admins too) record attendance from its start;
- attendees give feedback from its end until feedback closes: FEEDBACK_DAYS after the end, when a
  host closes it, or when every attendee has answered, whichever comes first.

Feedback is released to the hosts only once it is closed and at least the organization's
anonymity threshold of attendees answered: showing it while answers still arrive would let a
host who sees the summary before and after one person answers read that person's answer.
"""

import secrets
import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnloop.activity.services import count_anonymous_activity, record_activity
from learnloop.growth import workshop_permissions as rules
from learnloop.growth.models import SkillStatus
from learnloop.growth.workshop_keys import receipt_hash
from learnloop.growth.workshop_models import (
    FeedbackReceipt,
    SignupStatus,
    Workshop,
    WorkshopFeedback,
    WorkshopFormat,
    WorkshopSignup,
    WorkshopStatus,
)
from learnloop.org.membership import is_active_person

FEEDBACK_DAYS = 14
MAX_CAPACITY = 10_000
MAX_HOSTS = 10
MAX_LENGTH = timedelta(days=14)
COMMENT_MAX = 2000
EDITABLE = {"title", "description", "format", "starts_at", "ends_at", "place", "link", "capacity", "team",
            "skills", "hosts", "materials"}

_random = secrets.SystemRandom()


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _actor(by) -> None:
    if not is_active_person(by):
        raise PermissionDenied("Sign in as an active person to do this.")


def _text(value, *, field: str, limit: int, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ValidationError({field: "This is required."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep it under {limit} characters."})
    return value


def _event(workshop, verb: str, *, by, at, data=None) -> None:
    record_activity(verb=f"growth.{verb}", subject=workshop, actor=by, team=workshop.team, data=data, at=at)


def _lock(workshop: Workshop) -> None:
    """Sign-ups, attendance and feedback of one workshop take turns (first thing in their
    transaction), so two people can't take the last place, and feedback rewrites don't mix."""
    list(Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk", flat=True))


def feedback_closes_at(workshop: Workshop) -> datetime:
    """When feedback stops being taken: when it was closed, else FEEDBACK_DAYS after the end."""
    window = workshop.ends_at + timedelta(days=FEEDBACK_DAYS)
    return min(workshop.feedback_closed_at, window) if workshop.feedback_closed_at else window


def feedback_is_closed(workshop: Workshop, at: datetime | None = None) -> bool:
    return _now(at) >= feedback_closes_at(workshop)


# --- planning -------------------------------------------------------------------------------------


def _clean(fields: dict, *, by, workshop: Workshop | None, now: datetime) -> dict:
    """The fields of a new or changed workshop, checked. `fields` holds only what changes."""
    clean = {}
    if "title" in fields:
        clean["title"] = _text(fields["title"], field="title", limit=200, required=True)
    if "description" in fields:
        clean["description"] = _text(fields["description"], field="description", limit=10_000)
    if "format" in fields:
        if fields["format"] not in WorkshopFormat.values:
            raise ValidationError({"format": "Pick a workshop or a peer-learning session."})
        clean["format"] = fields["format"]
    if "place" in fields:
        clean["place"] = _text(fields["place"], field="place", limit=200)
    if "link" in fields:
        link = _text(fields["link"], field="link", limit=500)
        if link and not link.startswith(("https://", "http://")):
            raise ValidationError({"link": "Give a web address starting with https:// or http://."})
        clean["link"] = link
    if "capacity" in fields:
        capacity = fields["capacity"]
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
            raise ValidationError({"capacity": f"Give the number of places, from 1 to {MAX_CAPACITY}."})
        clean["capacity"] = capacity
    if "team" in fields:
        team = fields["team"]
        if team is not None and team.archived_at is not None:
            raise ValidationError({"team": f"{team.name} is archived."})
        if not rules.can_plan_for(by, team):
            raise PermissionDenied(f"Only members and leads of {team.name} plan its workshops.")
        clean["team"] = team
    if "skills" in fields:
        skills = list(dict.fromkeys(fields["skills"] or []))
        retired = [s.name for s in skills if s.status != SkillStatus.ACTIVE]
        if retired:
            raise ValidationError({"skills": f"Pick active skills ({', '.join(retired)} is not)."})
        if len(skills) > 20:
            raise ValidationError({"skills": "Link at most 20 skills."})
        clean["skills"] = skills
    if "hosts" in fields:
        hosts = list(dict.fromkeys(fields["hosts"] or []))
        if not hosts:
            raise ValidationError({"hosts": "Name at least one host."})
        if len(hosts) > MAX_HOSTS:
            raise ValidationError({"hosts": f"Name at most {MAX_HOSTS} hosts."})
        inactive = [h.full_name for h in hosts if not h.is_active]
        if inactive:
            raise ValidationError({"hosts": f"Hosts must be active people ({', '.join(inactive)} is not)."})
        if not rules.may_name_hosts(by, hosts):
            raise ValidationError({"hosts": "Include yourself among the hosts (learning leads and admins may "
                                            "plan workshops others host)."})
        clean["hosts"] = hosts
    if "materials" in fields:
        materials = list(dict.fromkeys(fields["materials"] or []))
        if len(materials) > 20:
            raise ValidationError({"materials": "Link at most 20 knowledge entries."})
        clean["materials"] = materials
    starts = clean["starts_at"] = fields.get("starts_at", workshop.starts_at if workshop else None)
    ends = clean["ends_at"] = fields.get("ends_at", workshop.ends_at if workshop else None)
    if starts is None:
        raise ValidationError({"starts_at": "Say when it starts."})
    if ends is None:
        raise ValidationError({"ends_at": "Say when it ends."})
    if timezone.is_naive(starts) or timezone.is_naive(ends):
        raise ValidationError({"starts_at": "Give the times with their time zone."})
    if ends <= starts:
        raise ValidationError({"ends_at": "It must end after it starts."})
    if ends - starts > MAX_LENGTH:
        raise ValidationError({"ends_at": "A workshop lasts at most 14 days."})
    if ("starts_at" in fields or workshop is None) and starts <= now:
        raise ValidationError({"starts_at": "Plan it ahead: the start must be in the future."})
    place = clean.get("place", workshop.place if workshop else "")
    link = clean.get("link", workshop.link if workshop else "")
    if not place and not link:
        raise ValidationError({"place": "Say where it happens: a place, a link, or both."})
    return clean


def _save_relations(workshop: Workshop, clean: dict) -> None:
    for name in ("hosts", "skills", "materials"):
        if name in clean:
            getattr(workshop, name).set(clean[name])
    workshop.__dict__.pop("_host_ids", None)


def create_workshop(*, by, title: str, starts_at: datetime, ends_at: datetime, capacity: int,
                    description: str = "", format: str = WorkshopFormat.WORKSHOP, place: str = "", link: str = "",
                    team=None, skills=(), hosts=None, materials=(), at: datetime | None = None) -> Workshop:
    """Plan a workshop. The hosts default to the person planning it."""
    _actor(by)
    now = _now(at)
    fields = {"title": title, "description": description, "format": format, "starts_at": starts_at,
              "ends_at": ends_at, "place": place, "link": link, "capacity": capacity, "team": team,
              "skills": skills, "hosts": list(hosts) if hosts else [by], "materials": materials}
    clean = _clean(fields, by=by, workshop=None, now=now)
    relations = {name: clean.pop(name) for name in ("hosts", "skills", "materials")}
    with transaction.atomic():
        workshop = Workshop.objects.create(created_by=by, created_at=now, **clean)
        _save_relations(workshop, relations)
        _event(workshop, "workshop_planned", by=by, at=now)
    return workshop


def update_workshop(*, by, workshop: Workshop, at: datetime | None = None, **fields) -> Workshop:
    """Change a workshop before it starts. A higher capacity lets the waiting list in."""
    _actor(by)
    if not rules.can_manage(by, workshop):
        raise PermissionDenied("Only the workshop's hosts, learning leads and admins change it.")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    now = _now(at)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise ValidationError("This workshop was cancelled.")
    if workshop.starts_at <= now:
        raise ValidationError("It has started: only attendance and feedback change now.")
    clean = _clean(fields, by=by, workshop=workshop, now=now)
    relations = {name: clean.pop(name) for name in ("hosts", "skills", "materials") if name in clean}
    with transaction.atomic():
        _lock(workshop)
        for name, value in clean.items():
            setattr(workshop, name, value)
        workshop.save()
        _save_relations(workshop, relations)
        if "hosts" in relations:  # a new host gives up their own place
            WorkshopSignup.objects.filter(workshop=workshop, person__in=relations["hosts"]).exclude(
                status=SignupStatus.CANCELLED).update(status=SignupStatus.CANCELLED)
        _fill_places(workshop)
        _event(workshop, "workshop_changed", by=by, at=now, data={"fields": sorted(fields)})
    return workshop


def cancel_workshop(*, by, workshop: Workshop, at: datetime | None = None) -> Workshop:
    _actor(by)
    if not rules.can_manage(by, workshop):
        raise PermissionDenied("Only the workshop's hosts, learning leads and admins cancel it.")
    now = _now(at)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise ValidationError("This workshop is already cancelled.")
    if workshop.starts_at <= now:
        raise ValidationError("It has already started.")
    workshop.status = WorkshopStatus.CANCELLED
    workshop.save(update_fields=["status"])
    _event(workshop, "workshop_cancelled", by=by, at=now)
    return workshop


# --- places -----------------------------------------------------------------------------------------


def _fill_places(workshop: Workshop) -> list[WorkshopSignup]:
    """Give free places to the waiting list, first come first served; the ones let in."""
    taken = WorkshopSignup.objects.filter(workshop=workshop, status=SignupStatus.CONFIRMED).count()
    free = workshop.capacity - taken
    if free <= 0:
        return []
    promoted = list(WorkshopSignup.objects.filter(workshop=workshop, status=SignupStatus.WAITLISTED)
                    .order_by("signed_up_at", "id")[:free])
    WorkshopSignup.objects.filter(pk__in=[s.pk for s in promoted]).update(status=SignupStatus.CONFIRMED)
    return promoted


def _open_for_places(workshop: Workshop, now: datetime) -> None:
    if workshop.status == WorkshopStatus.CANCELLED:
        raise ValidationError("This workshop was cancelled.")
    if workshop.starts_at <= now:
        raise ValidationError("It has started: sign-ups are closed.")


def sign_up(*, by, workshop: Workshop, at: datetime | None = None) -> WorkshopSignup:
    """Take a place, or join the waiting list when it is full. Signing up twice changes nothing."""
    _actor(by)
    if not rules.can_see(by, workshop):
        raise PermissionDenied("You can't see this workshop.")
    if rules.is_host(by, workshop):
        raise ValidationError("You host this workshop.")
    if not rules.may_join(by, workshop):
        raise PermissionDenied(f"This workshop is for {workshop.team.name}.")
    now = _now(at)
    _open_for_places(workshop, now)
    with transaction.atomic():
        _lock(workshop)
        signup = WorkshopSignup.objects.filter(workshop=workshop, person=by).first()
        if signup is not None and signup.status != SignupStatus.CANCELLED:
            return signup
        taken = WorkshopSignup.objects.filter(workshop=workshop, status=SignupStatus.CONFIRMED).count()
        queued = WorkshopSignup.objects.filter(workshop=workshop, status=SignupStatus.WAITLISTED).exists()
        status = SignupStatus.CONFIRMED if taken < workshop.capacity and not queued else SignupStatus.WAITLISTED
        if signup is None:
            signup = WorkshopSignup.objects.create(workshop=workshop, person=by, status=status, signed_up_at=now)
        else:
            signup.status, signup.signed_up_at = status, now
            signup.save(update_fields=["status", "signed_up_at"])
        _event(workshop, "workshop_signed_up", by=by, at=now, data={"status": status})
    return signup


def cancel_signup(*, by, workshop: Workshop, at: datetime | None = None) -> WorkshopSignup | None:
    """Give up one's place (or leave the waiting list); the first person waiting takes the place."""
    _actor(by)
    now = _now(at)
    _open_for_places(workshop, now)
    with transaction.atomic():
        _lock(workshop)
        signup = WorkshopSignup.objects.filter(workshop=workshop, person=by).first()
        if signup is None or signup.status == SignupStatus.CANCELLED:
            raise ValidationError("You are not signed up to this workshop.")
        signup.status = SignupStatus.CANCELLED
        signup.save(update_fields=["status"])
        _fill_places(workshop)
        _event(workshop, "workshop_cancelled_signup", by=by, at=now)
    return signup


def record_attendance(*, by, workshop: Workshop, attended_ids, at: datetime | None = None) -> int:
    """Who came, among the people signed up (with a place or waiting): exactly those in
    `attended_ids` are marked attended. Returns how many attended."""
    _actor(by)
    if not rules.can_manage(by, workshop):
        raise PermissionDenied("Only the workshop's hosts, learning leads and admins record attendance.")
    now = _now(at)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise ValidationError("This workshop was cancelled.")
    if workshop.starts_at > now:
        raise ValidationError("Attendance is recorded once the workshop has started.")
    wanted = {int(i) for i in attended_ids}
    with transaction.atomic():
        _lock(workshop)
        signups = {s.person_id: s for s in WorkshopSignup.objects.filter(workshop=workshop).exclude(
            status=SignupStatus.CANCELLED)}
        strangers = wanted - set(signups)
        if strangers:
            raise ValidationError({"attended": "Only people signed up can be marked as attended "
                                               f"(not person {', '.join(str(i) for i in sorted(strangers))})."})
        WorkshopSignup.objects.filter(pk__in=[s.pk for pid, s in signups.items() if pid in wanted]).update(
            attended=True)
        WorkshopSignup.objects.filter(pk__in=[s.pk for pid, s in signups.items() if pid not in wanted]).update(
            attended=False)
        workshop.attendance_recorded_at = now
        workshop.save(update_fields=["attendance_recorded_at"])
        _event(workshop, "workshop_attendance", by=by, at=now, data={"attended": len(wanted)})
    return len(wanted)


# --- feedback ---------------------------------------------------------------------------------------


def has_answered(person, workshop: Workshop) -> bool:
    return FeedbackReceipt.objects.filter(workshop=workshop, key_hash=receipt_hash(workshop.pk, person.pk)).exists()


def _reshuffle(workshop: Workshop) -> None:
    """Re-insert the workshop's feedback and receipts in a random order (as reflection's
    shuffle.py does for cards): afterwards no row order, rowid block or PostgreSQL transaction
    id tells which answer came last."""
    answers = list(WorkshopFeedback.objects.filter(workshop=workshop))
    receipts = list(FeedbackReceipt.objects.filter(workshop=workshop))
    WorkshopFeedback.objects.filter(workshop=workshop).delete()
    FeedbackReceipt.objects.filter(workshop=workshop).delete()
    for row in answers:
        row.shuffle_key = _random.randrange(2**31)
    _random.shuffle(answers)
    _random.shuffle(receipts)
    WorkshopFeedback.objects.bulk_create(answers)
    FeedbackReceipt.objects.bulk_create(receipts)


def _everyone_answered(workshop: Workshop) -> bool:
    attendees = WorkshopSignup.objects.filter(workshop=workshop, attended=True).values_list("person_id", flat=True)
    receipts = set(FeedbackReceipt.objects.filter(workshop=workshop).values_list("key_hash", flat=True))
    return all(receipt_hash(workshop.pk, person_id) in receipts for person_id in attendees)


def give_feedback(*, by, workshop: Workshop, rating: int, comment: str = "", at: datetime | None = None) -> None:
    """An attendee's anonymous answer. Returns nothing: not even the new row's id leaves here."""
    _actor(by)
    now = _now(at)
    if not WorkshopSignup.objects.filter(workshop=workshop, person=by, attended=True).exists():
        raise PermissionDenied("Only people who attended give feedback on a workshop.")
    if workshop.ends_at > now:
        raise ValidationError("Feedback opens when the workshop ends.")
    if has_answered(by, workshop):
        raise ValidationError("You have already given feedback on this workshop.")
    if feedback_is_closed(workshop, now):
        raise ValidationError("Feedback on this workshop is closed.")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Rate it from 1 to 5."})
    comment = _text(comment, field="comment", limit=COMMENT_MAX)
    try:
        with transaction.atomic():
            _lock(workshop)
            FeedbackReceipt.objects.create(id=uuid.uuid4(), workshop=workshop,
                                           key_hash=receipt_hash(workshop.pk, by.pk))
            WorkshopFeedback.objects.create(id=uuid.uuid4(), workshop=workshop, rating=rating, comment=comment,
                                            shuffle_key=_random.randrange(2**31))
            _reshuffle(workshop)
            if _everyone_answered(workshop):
                Workshop.objects.filter(pk=workshop.pk).update(feedback_closed_at=now)
                workshop.feedback_closed_at = now
            count_anonymous_activity(verb="growth.workshop_feedback", subject=workshop, team=workshop.team,
                                     day=timezone.localdate(now))
    except IntegrityError:
        raise ValidationError("You have already given feedback on this workshop.") from None


def close_feedback(*, by, workshop: Workshop, at: datetime | None = None) -> Workshop:
    """Stop taking feedback now (it is then released if enough attendees answered)."""
    _actor(by)
    if not rules.can_manage(by, workshop):
        raise PermissionDenied("Only the workshop's hosts, learning leads and admins close its feedback.")
    now = _now(at)
    if workshop.ends_at > now:
        raise ValidationError("Feedback opens when the workshop ends.")
    if feedback_is_closed(workshop, now):
        raise ValidationError("Feedback on this workshop is already closed.")
    workshop.feedback_closed_at = now
    workshop.save(update_fields=["feedback_closed_at"])
    _event(workshop, "workshop_feedback_closed", by=by, at=now)
    return workshop
