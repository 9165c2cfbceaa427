"""API for me, people, teams, memberships, invitations and CSV imports."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from learnloop.api_base import (
    BadInputOut,
    Id,
    InputSchema,
    Pagination,
    PersonRef,
    TeamRef,
    errors,
    person_ref,
    request_fields,
)
from learnloop.audit.request import client_ip
from learnloop.org import invitations as invitation_services
from learnloop.org import selectors, services
from learnloop.org.importing import import_people, import_teams
from learnloop.org.models import Invitation, Membership, Person, Team

router = Router(tags=["people and teams"])


class PersonOut(Schema):
    id: int
    email: str
    full_name: str
    title: str
    role: str
    is_active: bool
    manager: PersonRef | None
    date_joined: datetime


class MembershipOfPerson(Schema):
    id: int
    team: TeamRef
    role: str


class PersonDetailOut(PersonOut):
    deactivated_at: datetime | None
    memberships: list[MembershipOfPerson]

    @staticmethod
    def resolve_memberships(person):
        return list(person.memberships.all())


class TeamOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    parent: TeamRef | None
    description: str
    member_count: int = 0
    archived_at: datetime | None


class MembershipOut(Schema):
    id: int
    person: PersonRef
    team: TeamRef
    role: str
    created_at: datetime


class PersonIn(InputSchema):
    email: str
    full_name: str
    title: str = ""
    manager_id: Id | None = None
    role: Literal["member", "learning_lead", "admin"] = "member"


class PersonPatch(InputSchema):
    full_name: str | None = None
    title: str | None = None
    manager_id: Id | None = None
    role: Literal["member", "learning_lead", "admin"] | None = None


class MePatch(InputSchema):
    full_name: str | None = None
    title: str | None = None
    language: str | None = Field(
        None, description='A code from the offered languages ("en", "de"), or "" to follow the browser.'
    )


class OrgMeOut(PersonDetailOut):
    language: str = Field(description='The language chosen, or "" for the browser\'s.')


class TeamIn(InputSchema):
    name: str
    kind: Literal["department", "team"] = "team"
    parent_id: Id | None = None
    description: str = ""


class TeamPatch(InputSchema):
    name: str | None = None
    kind: Literal["department", "team"] | None = None
    parent_id: Id | None = None
    description: str | None = None


class MembershipIn(InputSchema):
    team_id: Id
    person_id: Id
    role: Literal["member", "facilitator"] = "member"


class MembershipPatch(InputSchema):
    role: Literal["member", "facilitator"]


class InvitationIn(InputSchema):
    email: str
    full_name: str = ""
    title: str = ""
    role: Literal["member", "learning_lead", "admin"] = "member"
    team_id: Id | None = None
    team_role: Literal["member", "facilitator"] = "member"


class InvitationOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    team: TeamRef | None
    team_role: str
    status: str
    created_at: datetime
    expires_at: datetime


class InvitationCreatedOut(InvitationOut):
    accept_url: str = Field(description="The single-use link; shown only in this response.")


class RemovalOut(Schema):
    result: Literal["deleted", "deactivated"]


class HandOverIn(InputSchema):
    new_owner_id: Id


class OwnedOut(Schema):
    key: str = Field(description='The kind, e.g. "actions.open", "actions.checks", "knowledge.entries", '
                                 '"experiments.unfinished"')
    label: str
    count: int


class OrphanOut(Schema):
    person: PersonRef
    deactivated_at: datetime | None
    items: list[OwnedOut]
    total: int

    @staticmethod
    def resolve_deactivated_at(row):
        return row["person"].deactivated_at


class HandOverOut(Schema):
    moved: dict[str, int] = Field(description="How many of each kind moved to the new owner")


class ImportIn(InputSchema):
    csv: str = Field(description="The CSV text, header row first.")
    dry_run: bool = True


class ImportRowError(Schema):
    row: int
    column: str
    message: str


class ImportRowPlan(Schema):
    row: int
    action: str
    label: str


class ImportOut(Schema):
    detail: str
    kind: str
    ok: bool
    dry_run: bool
    imported: bool
    summary: str
    created: int
    updated: int
    unchanged: int
    errors: list[ImportRowError]
    rows: list[ImportRowPlan]


def _person(person_id: int) -> Person:
    """The person a path is about: unknown ids are 404."""
    return get_object_or_404(Person, pk=person_id)




def _team(team_id: int, *, field: str = "team_id") -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({field: f"No team with id {team_id}."})
    return team


# --- Me ----------------------------------------------------------------------------------------


@router.get("/me", response=OrgMeOut, summary="The signed-in person")
def me(request):
    return selectors.person_detail(viewer=request.user, person_id=request.user.pk)


@router.patch("/me", response=OrgMeOut, summary="Edit my name, title or language")
def update_me(request, payload: MePatch):
    changes = payload.dict(exclude_unset=True)
    services.update_person(by=request.user, person=request.user, **changes)
    return selectors.person_detail(viewer=request.user, person_id=request.user.pk)


# --- People ------------------------------------------------------------------------------------


@router.get(
    "/people",
    response={200: list[PersonOut], **errors(400)},
    summary="The directory (active people unless asked otherwise)",
)
@paginate(Pagination)
def list_people(
    request,
    q: str | None = None,
    team: Id | None = None,
    role: Literal["member", "learning_lead", "admin"] | None = None,
    active: Literal["true", "false", "all"] = "true",
    manager: Id | None = None,
):
    return selectors.people(
        viewer=request.user,
        query=q,
        team=_team(team, field="team") if team else None,
        role=role,
        active={"true": True, "false": False, "all": None}[active],
        manager=person_ref(manager, field="manager") if manager else None,
    )


# Declared before /people/{person_id}, which would otherwise take "orphans" for an id.
@router.get("/people/orphans", response={200: list[OrphanOut], **errors(403)},
            summary="Deactivated people who still own open work (admins): the orphaned-ownership report")
@paginate(Pagination)
def orphaned_ownership(request):
    return selectors.orphaned_ownership(viewer=request.user)


@router.get("/people/{person_id}", response=PersonDetailOut, summary="A person, with their team memberships")
def get_person(request, person_id: Id):
    return selectors.person_detail(viewer=request.user, person_id=person_id)


@router.post("/people", response={201: PersonDetailOut}, summary="Add a person (admins)")
def create_person(request, payload: PersonIn):
    manager = person_ref(payload.manager_id, field="manager_id") if payload.manager_id else None
    with request_fields(manager="manager_id"):
        person = services.create_person(
            by=request.user,
            email=payload.email,
            full_name=payload.full_name,
            title=payload.title,
            manager=manager,
            role=payload.role,
            ip_address=client_ip(request),
        )
    return Status(201, selectors.person_detail(viewer=request.user, person_id=person.pk))


@router.patch(
    "/people/{person_id}",
    response=PersonDetailOut,
    summary="Edit a person: name and title (themselves or admins), manager and role (admins)",
)
def update_person(request, person_id: Id, payload: PersonPatch):
    person = _person(person_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("role", "") is None:  # an explicit null role leaves the role as it is
        del changes["role"]
    if "manager_id" in changes:
        manager_id = changes.pop("manager_id")
        changes["manager"] = person_ref(manager_id, field="manager_id") if manager_id else None
    with request_fields(manager="manager_id"):
        services.edit_person(by=request.user, person=person, ip_address=client_ip(request), **changes)
    return selectors.person_detail(viewer=request.user, person_id=person.pk)


@router.post(
    "/people/{person_id}/deactivate",
    response=PersonDetailOut,
    summary="Switch off someone's access and revoke their tokens (admins)",
)
def deactivate_person(request, person_id: Id, new_owner_id: Id | None = None, keep_ownership: bool = False):
    """Query parameters (the call takes no body): what they own that needs an owner (open
    actions, effectiveness checks, knowledge entries, unfinished experiments) goes to
    `new_owner_id`, by default their manager or else a lead of their team, in the same
    transaction (400 naming `new_owner_id` when there is neither and they own something);
    `keep_ownership=true` leaves it with them, listed by GET /people/orphans."""
    new_owner = person_ref(new_owner_id, field="new_owner_id") if new_owner_id else None
    with request_fields(new_owner="new_owner_id"):
        services.deactivate_person(by=request.user, person=_person(person_id), new_owner=new_owner,
                                   keep_ownership=keep_ownership, ip_address=client_ip(request))
    return selectors.person_detail(viewer=request.user, person_id=person_id)


@router.post("/people/{person_id}/hand-over", response=HandOverOut,
             summary="Hand what a deactivated person still owns to someone active (admins)")
def hand_over(request, person_id: Id, payload: HandOverIn):
    new_owner = person_ref(payload.new_owner_id, field="new_owner_id")
    with request_fields(new_owner="new_owner_id", person="person_id"):
        moved = services.hand_over_ownership(by=request.user, person=_person(person_id), new_owner=new_owner,
                                             ip_address=client_ip(request))
    return {"moved": moved}


@router.post("/people/{person_id}/reactivate", response=PersonDetailOut, summary="Give someone access again (admins)")
def reactivate_person(request, person_id: Id):
    services.reactivate_person(by=request.user, person=_person(person_id), ip_address=client_ip(request))
    return selectors.person_detail(viewer=request.user, person_id=person_id)


@router.delete(
    "/people/{person_id}",
    response=RemovalOut,
    summary="Remove a person: deleted if they authored nothing, otherwise deactivated",
)
def remove_person(request, person_id: Id):
    result = services.remove_person(
        by=request.user, person=_person(person_id), ip_address=client_ip(request)
    )
    return {"result": result}


# --- Teams -------------------------------------------------------------------------------------


@router.get(
    "/teams",
    response={200: list[TeamOut], **errors(400)},
    summary="Teams and departments (archived ones when asked)",
)
@paginate(Pagination)
def list_teams(
    request,
    q: str | None = None,
    kind: Literal["department", "team"] | None = None,
    parent: Id | None = None,
    include_archived: bool = False,
):
    return selectors.teams(
        viewer=request.user,
        query=q,
        kind=kind,
        parent=_team(parent, field="parent") if parent else None,
        include_archived=include_archived,
    )


def _team_out(viewer, team_id: int) -> Team:
    return get_object_or_404(selectors.teams(viewer=viewer, include_archived=True), pk=team_id)


@router.get("/teams/{team_id}", response=TeamOut, summary="A team or department, with its member count")
def get_team(request, team_id: Id):
    return _team_out(request.user, team_id)


@router.post("/teams", response={201: TeamOut}, summary="Create a team or department (admins)")
def create_team(request, payload: TeamIn):
    parent = _team(payload.parent_id, field="parent_id") if payload.parent_id else None
    with request_fields(parent="parent_id"):
        team = services.create_team(
            by=request.user,
            name=payload.name,
            kind=payload.kind,
            parent=parent,
            description=payload.description,
        )
    return Status(201, _team_out(request.user, team.pk))


@router.patch("/teams/{team_id}", response=TeamOut, summary="Rename, move or describe a team (admins)")
def update_team(request, team_id: Id, payload: TeamPatch):
    team = get_object_or_404(Team, pk=team_id)
    changes = payload.dict(exclude_unset=True)
    if "parent_id" in changes:
        parent_id = changes.pop("parent_id")
        changes["parent"] = _team(parent_id, field="parent_id") if parent_id else None
    with request_fields(parent="parent_id"):
        services.update_team(by=request.user, team=team, **changes)
    return _team_out(request.user, team.pk)


@router.post("/teams/{team_id}/archive", response=TeamOut, summary="Archive a team (admins)")
def archive_team(request, team_id: Id):
    services.archive_team(by=request.user, team=get_object_or_404(Team, pk=team_id))
    return _team_out(request.user, team_id)


@router.post("/teams/{team_id}/unarchive", response=TeamOut, summary="Restore an archived team (admins)")
def unarchive_team(request, team_id: Id):
    services.unarchive_team(by=request.user, team=get_object_or_404(Team, pk=team_id))
    return _team_out(request.user, team_id)


# --- Memberships -------------------------------------------------------------------------------


@router.get(
    "/memberships",
    response={200: list[MembershipOut], **errors(400)},
    summary="Who is in which team, in which role",
)
@paginate(Pagination)
def list_memberships(
    request,
    team: Id | None = None,
    person: Id | None = None,
    role: Literal["member", "facilitator"] | None = None,
):
    return selectors.memberships(
        viewer=request.user,
        team=_team(team, field="team") if team else None,
        person=person_ref(person, field="person") if person else None,
        role=role,
    )


@router.post(
    "/memberships",
    response={201: MembershipOut},
    summary="Add someone to a team (admins and the team's facilitators)",
)
def create_membership(request, payload: MembershipIn):
    team = _team(payload.team_id)
    person = person_ref(payload.person_id, field="person_id")
    with request_fields(team="team_id", person="person_id"):
        membership = services.add_member(
            by=request.user, team=team, person=person, role=payload.role, ip_address=client_ip(request)
        )
    return Status(201, membership)


@router.patch(
    "/memberships/{membership_id}",
    response=MembershipOut,
    summary="Change someone's role in a team (admins and the team's facilitators)",
)
def update_membership(request, membership_id: Id, payload: MembershipPatch):
    membership = get_object_or_404(Membership.objects.select_related("team", "person"), pk=membership_id)
    return services.change_member_role(
        by=request.user, membership=membership, role=payload.role, ip_address=client_ip(request)
    )


@router.delete(
    "/memberships/{membership_id}",
    response={204: None},
    summary="Take someone out of a team (admins and the team's facilitators)",
)
def delete_membership(request, membership_id: Id):
    membership = get_object_or_404(Membership.objects.select_related("team", "person"), pk=membership_id)
    services.remove_member(by=request.user, membership=membership, ip_address=client_ip(request))
    return Status(204, None)


# --- Invitations -------------------------------------------------------------------------------


@router.get(
    "/invitations",
    response={200: list[InvitationOut], **errors(403)},
    summary="Invitations, newest first (admins)",
)
@paginate(Pagination)
def list_invitations(
    request, status: Literal["pending", "accepted", "expired", "revoked"] | None = None
):
    return selectors.invitations(viewer=request.user, status=status)


@router.post("/invitations", response={201: InvitationCreatedOut}, summary="Invite someone by email (admins)")
def create_invitation(request, payload: InvitationIn):
    team = _team(payload.team_id) if payload.team_id else None
    with request_fields(team="team_id"):
        invitation, url = invitation_services.invite_person(
            by=request.user,
            email=payload.email,
            full_name=payload.full_name,
            title=payload.title,
            role=payload.role,
            team=team,
            team_role=payload.team_role,
            base_url=request.build_absolute_uri("/"),
            ip_address=client_ip(request),
        )
    invitation.accept_url = url
    return Status(201, invitation)


@router.delete("/invitations/{invitation_id}", response=InvitationOut, summary="Revoke a pending invitation (admins)")
def revoke_invitation(request, invitation_id: Id):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    return invitation_services.revoke_invitation(
        by=request.user, invitation=invitation, ip_address=client_ip(request)
    )


# --- CSV import ----------------------------------------------------------------------------------


def _import_response(report):
    # A file with problems is the client's bad input: 400, with every row's problem listed.
    return Status(200 if report.ok else 400, {"detail": report.summary(), **report.as_dict()})


@router.post(
    "/import/teams",
    response={200: ImportOut, 400: ImportOut | BadInputOut},
    summary="Import teams from CSV (all rows or none; dry run by default)",
)
def import_teams_csv(request, payload: ImportIn):
    return _import_response(
        import_teams(by=request.user, data=payload.csv, dry_run=payload.dry_run, ip_address=client_ip(request))
    )


@router.post(
    "/import/people",
    response={200: ImportOut, 400: ImportOut | BadInputOut},
    summary="Import people from CSV (all rows or none; dry run by default)",
)
def import_people_csv(request, payload: ImportIn):
    return _import_response(
        import_people(by=request.user, data=payload.csv, dry_run=payload.dry_run, ip_address=client_ip(request))
    )

