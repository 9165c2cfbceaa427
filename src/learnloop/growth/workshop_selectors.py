"""Every read about workshops, scoped to the viewer, with a fixed number of queries per page.

Feedback is read in one place, `feedback_state`: the count of answers for the hosts, learning
leads and admins; the summary (ratings and comments) for the hosts only, once released (closed,
and answered by at least the organization's anonymity threshold of attendees). Comments are
listed by their text, never in the order rows are stored.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from learnloop.growth import workshop_permissions as rules
from learnloop.growth.models import Skill
from learnloop.growth.workshop_models import SignupStatus, Workshop, WorkshopFeedback, WorkshopSignup, WorkshopStatus
from learnloop.growth.workshops import feedback_closes_at, has_answered
from learnloop.knowledge.permissions import can_view as can_view_entry
from learnloop.org.membership import is_active_person
from learnloop.org.models import Organization

WHEN = ("upcoming", "past", "all")


def _signed_in(viewer) -> None:
    if not is_active_person(viewer):
        raise Http404("Sign in to see workshops.")


def _with_people(qs, viewer):
    mine = WorkshopSignup.objects.filter(workshop=OuterRef("pk"), person_id=viewer.pk)
    return (qs.select_related("team")
            .prefetch_related("hosts", Prefetch("skills", queryset=Skill.objects.order_by("name", "id")))
            .annotate(confirmed_count=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
                      waiting_count=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
                      my_status=Subquery(mine.values("status")[:1]),
                      my_attended=Subquery(mine.values("attended")[:1])))


def workshops(*, viewer, when: str = "upcoming", now: datetime | None = None):
    """Workshops the viewer may see: upcoming (not yet ended) soonest first, past latest first."""
    _signed_in(viewer)
    now = now or timezone.now()
    qs = Workshop.objects.filter(rules.visible_q(viewer))
    if when == "upcoming":
        qs = qs.filter(ends_at__gt=now).order_by("starts_at", "id")
    elif when == "past":
        qs = qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        qs = qs.order_by("-starts_at", "-id")
    return _with_people(qs, viewer)


def _workshop(viewer, workshop_id: int) -> Workshop:
    _signed_in(viewer)
    found = (_with_people(Workshop.objects.filter(pk=workshop_id), viewer)
             .select_related("created_by").prefetch_related("materials").first())
    if found is None or not rules.can_see(viewer, found, signed_up=found.my_status is not None):
        raise Http404("No such workshop.")
    return found


@dataclass
class FeedbackState:
    answers: int
    attendees: int
    threshold: int
    closes_at: datetime
    closed: bool
    released: bool  # closed and at least `threshold` answered
    withheld_reason: str = ""
    summary: dict | None = None  # hosts only, once released


def feedback_state(*, viewer, workshop: Workshop, now: datetime | None = None) -> FeedbackState:
    now = now or timezone.now()
    closes = feedback_closes_at(workshop)
    closed = now >= closes
    answers = WorkshopFeedback.objects.filter(workshop=workshop).count()
    attendees = WorkshopSignup.objects.filter(workshop=workshop, attended=True).count()
    k = Organization.current().anonymity_threshold
    released = closed and answers >= k
    state = FeedbackState(answers=answers, attendees=attendees, threshold=k, closes_at=closes, closed=closed,
                          released=released)
    if closed and not released:
        state.withheld_reason = (f"Fewer than {k} attendees answered, so the feedback stays hidden "
                                 "(the organization's anonymity threshold).")
    elif not closed:
        state.withheld_reason = (f"Feedback is shown when it closes ({timezone.localtime(closes):%-d %b %Y %H:%M}, "
                                 f"or earlier if every attendee answers or a host closes it) and if at least {k} "
                                 "attendees answered.")
    if released and rules.sees_feedback(viewer, workshop):
        rows = list(WorkshopFeedback.objects.filter(workshop=workshop).values_list("rating", "comment"))
        ratings = Counter(rating for rating, _ in rows)
        state.summary = {
            "count": len(rows),
            "mean": round(sum(r for r, _ in rows) / len(rows), 2),
            "distribution": [ratings.get(value, 0) for value in range(1, 6)],
            # By their text: the order rows are stored in must never reach the page.
            "comments": sorted(comment for _, comment in rows if comment),
        }
    return state


@dataclass
class WorkshopPage:
    workshop: Workshop
    hosts: list
    skills: list
    materials: list
    my_signup: WorkshopSignup | None
    waiting_position: int | None
    is_host: bool
    can_manage: bool
    may_join: bool
    started: bool
    ended: bool
    can_give_feedback: bool
    answered: bool
    feedback: FeedbackState | None = None


def workshop_page(*, viewer, workshop_id: int, now: datetime | None = None) -> WorkshopPage:
    now = now or timezone.now()
    workshop = _workshop(viewer, workshop_id)
    my_signup = WorkshopSignup.objects.filter(workshop=workshop, person_id=viewer.pk).first()
    position = None
    if my_signup is not None and my_signup.status == SignupStatus.WAITLISTED:
        position = 1 + WorkshopSignup.objects.filter(workshop=workshop, status=SignupStatus.WAITLISTED).filter(
            Q(signed_up_at__lt=my_signup.signed_up_at)
            | Q(signed_up_at=my_signup.signed_up_at, pk__lt=my_signup.pk)).count()
    ended = workshop.ends_at <= now
    attended = my_signup is not None and my_signup.attended
    answered = attended and ended and has_answered(viewer, workshop)
    is_host = rules.is_host(viewer, workshop)
    can_manage = rules.can_manage(viewer, workshop)
    return WorkshopPage(
        workshop=workshop, hosts=sorted(workshop.hosts.all(), key=lambda p: (p.full_name, p.pk)),
        skills=list(workshop.skills.all()),
        materials=[e for e in workshop.materials.all() if can_view_entry(viewer, e)],
        my_signup=my_signup if my_signup is not None and my_signup.status != SignupStatus.CANCELLED else None,
        waiting_position=position, is_host=is_host, can_manage=can_manage,
        may_join=rules.may_join(viewer, workshop) and workshop.status == WorkshopStatus.SCHEDULED
        and workshop.starts_at > now,
        started=workshop.starts_at <= now, ended=ended,
        can_give_feedback=attended and ended and not answered and now < feedback_closes_at(workshop),
        answered=answered,
        feedback=feedback_state(viewer=viewer, workshop=workshop, now=now) if can_manage and ended else None,
    )


def workshop_for_change(*, viewer, workshop_id: int) -> Workshop:
    """The workshop to act on: 404 when the viewer may not see it (the service checks the rest)."""
    return _workshop(viewer, workshop_id)


@dataclass
class HostView:
    workshop: Workshop
    confirmed: list
    waiting: list
    cancelled: list
    feedback: FeedbackState
    started: bool
    ended: bool


def host_view(*, viewer, workshop_id: int, now: datetime | None = None) -> HostView:
    """Who signed up (places, then the waiting list in order), attendance and feedback: for the
    hosts, learning leads and admins; 404 for anyone else."""
    now = now or timezone.now()
    workshop = _workshop(viewer, workshop_id)
    if not rules.can_manage(viewer, workshop):
        raise Http404("No such workshop.")
    signups = list(WorkshopSignup.objects.filter(workshop=workshop).select_related("person")
                   .order_by("signed_up_at", "id"))
    return HostView(
        workshop=workshop,
        confirmed=[s for s in signups if s.status == SignupStatus.CONFIRMED],
        waiting=[s for s in signups if s.status == SignupStatus.WAITLISTED],
        cancelled=[s for s in signups if s.status == SignupStatus.CANCELLED],
        feedback=feedback_state(viewer=viewer, workshop=workshop, now=now), started=workshop.starts_at <= now,
        ended=workshop.ends_at <= now,
    )


# --- for other pages: evidence on profiles and calendar feeds -----------------------------------------


def evidence(person, *, own: bool, now: datetime | None = None) -> list[tuple[int, str, str, str]]:
    """(skill id, kind, title, url) for workshops the person attended or hosted that took place,
    on the skills they develop. Others than the person see only org-wide workshops. Two queries."""
    now = now or timezone.now()
    held = Q(workshop__status=WorkshopStatus.SCHEDULED, workshop__skills__isnull=False)
    if not own:
        held &= Q(workshop__team__isnull=True)
    attended = (WorkshopSignup.objects.filter(held, person=person, attended=True)
                .values_list("workshop__skills", "workshop_id", "workshop__title").order_by("workshop_id"))
    hosted = (Workshop.hosts.through.objects.filter(held, person=person, workshop__ends_at__lte=now)
              .values_list("workshop__skills", "workshop_id", "workshop__title").order_by("workshop_id"))
    found = []
    for kind, rows in (("workshop attended", attended), ("workshop hosted", hosted)):
        for skill_id, workshop_id, title in rows:
            found.append((skill_id, kind, title, reverse("growth:workshop", args=[workshop_id])))
    return found


def calendar_workshops(person, *, team=None, history_days: int = 180) -> list[Workshop]:
    """For a person's feed: workshops they have a place at, wait for, or host. For a team's feed:
    the team's workshops. Cancelled ones and those that ended more than `history_days` ago are
    left out."""
    since = timezone.now() - timedelta(days=history_days)
    qs = Workshop.objects.filter(status=WorkshopStatus.SCHEDULED, ends_at__gte=since)
    if team is not None:
        return list(qs.filter(team=team).order_by("pk"))
    mine = WorkshopSignup.objects.filter(person=person).exclude(status=SignupStatus.CANCELLED)
    waiting = set(mine.filter(status=SignupStatus.WAITLISTED).values_list("workshop_id", flat=True))
    hosted = Workshop.hosts.through.objects.filter(person_id=person.pk).values("workshop_id")
    found = list(qs.filter(Q(pk__in=mine.values("workshop_id")) | Q(pk__in=hosted)).order_by("pk"))
    for workshop in found:
        workshop.waiting_for_place = workshop.pk in waiting
    return found
