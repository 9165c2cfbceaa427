"""API for workshops at /api/v1/growth/workshops: the same services and selectors as the pages
(and so the same rules). Feedback answers carry no id back, and the summary lists comments by
their text."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Pagination, Shown, errors, person_ref, request_fields, team_ref
from learnloop.growth import workshop_selectors as selectors
from learnloop.growth import workshops as services
from learnloop.growth.models import Skill
from learnloop.knowledge.models import Entry
from learnloop.knowledge.permissions import can_view as can_view_entry

router = Router(tags=["growth"])


class GrowthWorkshopIn(InputSchema):
    title: str
    description: str = ""
    format: Literal["workshop", "peer"] = "workshop"
    starts_at: datetime = Field(description="With its time zone, e.g. 2027-03-01T14:00:00+01:00.")
    ends_at: datetime
    place: str = ""
    link: str = ""
    capacity: int = Field(ge=1, le=services.MAX_CAPACITY)
    team_id: Id | None = Field(None, description="A team's workshop (its members and leads join); null for "
                                                 "the whole organization.")
    skill_ids: list[Id] = Field(default_factory=list, max_length=20)
    host_ids: list[Id] = Field(default_factory=list, max_length=services.MAX_HOSTS,
                               description="Empty: you host it.")
    material_ids: list[Id] = Field(default_factory=list, max_length=20, description="Knowledge entries.")


class GrowthWorkshopPatch(InputSchema):
    title: str | None = None
    description: str | None = None
    format: Literal["workshop", "peer"] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    link: str | None = None
    capacity: int | None = Field(None, ge=1, le=services.MAX_CAPACITY)
    team_id: Id | None = None
    skill_ids: list[Id] | None = Field(None, max_length=20)
    host_ids: list[Id] | None = Field(None, max_length=services.MAX_HOSTS)
    material_ids: list[Id] | None = Field(None, max_length=20)


class GrowthWorkshopOut(Schema):
    id: int
    title: str
    description: str
    format: Literal["workshop", "peer"]
    status: Literal["scheduled", "cancelled"]
    starts_at: datetime
    ends_at: datetime
    place: str
    link: str
    capacity: int
    team_id: int | None
    host_ids: list[int]
    skill_ids: list[int]
    places_taken: int
    waiting: int
    my_status: Literal["confirmed", "waitlisted", "cancelled"] | None
    attended: bool
    url: str


class GrowthWorkshopDetailOut(GrowthWorkshopOut):
    material_ids: list[int]
    waiting_position: int | None
    can_give_feedback: bool
    answered: bool


class GrowthSignupOut(Schema):
    person_id: int
    full_name: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    signed_up_at: datetime
    attended: bool


class GrowthAttendanceIn(InputSchema):
    person_ids: list[Id] = Field(max_length=10_000, description="Exactly the people who attended.")


class GrowthAttendanceOut(Schema):
    attended: int


class GrowthFeedbackIn(InputSchema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=services.COMMENT_MAX)


class GrowthFeedbackGivenOut(Schema):
    given: bool = Field(description="Always true: the answer is stored with no id that could be handed back.")


class GrowthFeedbackSummaryOut(Schema):
    count: int
    mean: float
    distribution: list[int] = Field(description="Answers rating 1, 2, 3, 4 and 5.")
    comments: list[str] = Field(description="In alphabetical order.")


class GrowthFeedbackStateOut(Schema):
    answers: int
    attendees: int
    threshold: int
    closes_at: datetime
    closed: bool
    released: bool
    withheld_reason: str
    summary: GrowthFeedbackSummaryOut | None = Field(description="The hosts only, once released.")


def _skills(ids) -> list:
    found = {s.pk: s for s in Skill.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"skill_ids": f"No skill with id {', '.join(map(str, missing))}."})
    return [found[i] for i in ids]


def _materials(viewer, ids) -> list:
    found = {e.pk: e for e in Entry.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found or not can_view_entry(viewer, found[i])]
    if missing:
        raise ValidationError({"material_ids": f"No knowledge entry with id {', '.join(map(str, missing))}."})
    return [found[i] for i in ids]


def _fields(viewer, data: dict) -> dict:
    fields = {k: v for k, v in data.items() if k not in {"team_id", "skill_ids", "host_ids", "material_ids"}}
    if "team_id" in data:
        fields["team"] = team_ref(data["team_id"], field="team_id", current=True) if data["team_id"] else None
    if data.get("skill_ids") is not None:
        fields["skills"] = _skills(data["skill_ids"])
    if data.get("host_ids") is not None:  # planning with [] means "me"; changing to [] is refused
        fields["hosts"] = [person_ref(i, field="host_ids") for i in data["host_ids"]]
    if data.get("material_ids") is not None:
        fields["materials"] = _materials(viewer, data["material_ids"])
    return fields


def _out(w) -> dict:
    return {"id": w.pk, "title": w.title, "description": w.description, "format": w.format, "status": w.status,
            "starts_at": w.starts_at, "ends_at": w.ends_at, "place": w.place, "link": w.link,
            "capacity": w.capacity, "team_id": w.team_id, "host_ids": sorted(h.pk for h in w.hosts.all()),
            "skill_ids": [s.pk for s in w.skills.all()], "places_taken": w.confirmed_count,
            "waiting": w.waiting_count, "my_status": w.my_status, "attended": bool(w.my_attended),
            "url": reverse("growth:workshop", args=[w.pk])}


def _detail(viewer, workshop_id: int) -> dict:
    page = selectors.workshop_page(viewer=viewer, workshop_id=workshop_id)
    return {**_out(page.workshop), "material_ids": [e.pk for e in page.materials],
            "waiting_position": page.waiting_position, "can_give_feedback": page.can_give_feedback,
            "answered": page.answered}


_RENAMES = {"team": "team_id", "skills": "skill_ids", "hosts": "host_ids", "materials": "material_ids"}


@router.get("", response=list[GrowthWorkshopOut],
            summary="Workshops you may see: upcoming soonest first, or past latest first (when=past)")
@paginate(Pagination)
def list_workshops(request, when: Literal["upcoming", "past", "all"] = "upcoming"):
    return Shown(selectors.workshops(viewer=request.user, when=when), _out)


@router.post("", response={201: GrowthWorkshopDetailOut, **errors(403)}, summary="Plan a workshop")
def create_workshop(request, payload: GrowthWorkshopIn):
    with request_fields(**_RENAMES):
        workshop = services.create_workshop(by=request.user, **_fields(request.user, payload.dict()))
    return Status(201, _detail(request.user, workshop.pk))


@router.get("/{workshop_id}", response=GrowthWorkshopDetailOut, summary="A workshop, with your place in it")
def get_workshop(request, workshop_id: Id):
    return _detail(request.user, workshop_id)


@router.patch("/{workshop_id}", response={200: GrowthWorkshopDetailOut, **errors(403)},
              summary="Change a workshop before it starts (hosts, learning leads, admins)")
def update_workshop(request, workshop_id: Id, payload: GrowthWorkshopPatch):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    data = payload.dict(exclude_unset=True)
    nulls = [name for name, value in data.items() if value is None and name != "team_id"]
    if nulls:
        raise ValidationError({name: "Leave it out to keep it; it can't be null." for name in nulls})
    with request_fields(**_RENAMES):
        services.update_workshop(by=request.user, workshop=workshop, **_fields(request.user, data))
    return _detail(request.user, workshop_id)


@router.post("/{workshop_id}/cancel", response={200: GrowthWorkshopDetailOut, **errors(403)},
             summary="Cancel a workshop that has not started")
def cancel_workshop(request, workshop_id: Id):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    services.cancel_workshop(by=request.user, workshop=workshop)
    return _detail(request.user, workshop_id)


@router.post("/{workshop_id}/signup", response={200: GrowthWorkshopDetailOut, **errors(403)},
             summary="Take a place, or join the waiting list when it is full")
def sign_up(request, workshop_id: Id):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    services.sign_up(by=request.user, workshop=workshop)
    return _detail(request.user, workshop_id)


@router.post("/{workshop_id}/leave", response={200: GrowthWorkshopDetailOut},
             summary="Give up your place or leave the waiting list (the first person waiting takes the place)")
def leave(request, workshop_id: Id):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    services.cancel_signup(by=request.user, workshop=workshop)
    return _detail(request.user, workshop_id)


@router.get("/{workshop_id}/signups", response=list[GrowthSignupOut],
            summary="Who signed up, in order (hosts, learning leads, admins)")
@paginate(Pagination)
def list_signups(request, workshop_id: Id):
    found = selectors.host_view(viewer=request.user, workshop_id=workshop_id)
    return [{"person_id": s.person_id, "full_name": s.person.full_name, "status": s.status,
             "signed_up_at": s.signed_up_at, "attended": s.attended}
            for s in [*found.confirmed, *found.waiting, *found.cancelled]]


@router.put("/{workshop_id}/attendance", response={200: GrowthAttendanceOut, **errors(403)},
            summary="Record who attended, among the people signed up")
def record_attendance(request, workshop_id: Id, payload: GrowthAttendanceIn):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    with request_fields(attended="person_ids"):
        count = services.record_attendance(by=request.user, workshop=workshop, attended_ids=payload.person_ids)
    return {"attended": count}


@router.post("/{workshop_id}/feedback", response={201: GrowthFeedbackGivenOut, **errors(403)},
             summary="Give anonymous feedback on a workshop you attended (once)")
def give_feedback(request, workshop_id: Id, payload: GrowthFeedbackIn):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    services.give_feedback(by=request.user, workshop=workshop, rating=payload.rating, comment=payload.comment)
    return Status(201, {"given": True})


@router.get("/{workshop_id}/feedback", response=GrowthFeedbackStateOut,
            summary="How many answered and, for the hosts once released, the summary")
def get_feedback(request, workshop_id: Id):
    return _feedback_out(request.user, workshop_id)


def _feedback_out(viewer, workshop_id: int) -> dict:
    state = selectors.host_view(viewer=viewer, workshop_id=workshop_id).feedback
    return {"answers": state.answers, "attendees": state.attendees, "threshold": state.threshold,
            "closes_at": state.closes_at, "closed": state.closed, "released": state.released,
            "withheld_reason": state.withheld_reason, "summary": state.summary}


@router.post("/{workshop_id}/feedback/close", response={200: GrowthFeedbackStateOut, **errors(403)},
             summary="Stop taking feedback now (it is released if enough attendees answered)")
def close_feedback(request, workshop_id: Id):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    services.close_feedback(by=request.user, workshop=workshop)
    return _feedback_out(request.user, workshop_id)
