"""Every change to people, teams and memberships. Views, the API, the CLI and the importer
all come through here, so the rules below hold whichever door a change uses."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from learnloop.activity.services import record_activity
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.org import ownership
from learnloop.org.models import (
    Membership,
    OrgRole,
    Person,
    Team,
    TeamKind,
    TeamRole,
    normalize_email,
)
from learnloop.org.permissions import require_admin, require_team_manager
from learnloop.web.language import check_language


class _Unset:
    def __repr__(self):
        return "UNSET"


# Partial updates tell "leave as is" (UNSET) apart from "clear it" (None or "").
UNSET = _Unset()


# --- People ----------------------------------------------------------------------------------


def clean_email(email: str, *, field: str = "email") -> str:
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({field: f"“{email}” is not a valid email address."}) from error
    return email


def _check_no_management_cycle(person: Person, manager: Person | None) -> None:
    seen = set()
    current = manager
    while current is not None:
        if current.pk == person.pk:
            raise ValidationError({"manager":
                gettext("%(manager)s reports to %(person)s, so they can't also be their manager.") % {
                "manager": manager, "person": person}})
        if current.pk in seen:
            break
        seen.add(current.pk)
        current = current.manager


def _check_role(role: str) -> None:
    if role not in OrgRole.values:
        raise ValidationError({"role": gettext("Role must be one of: %(values)s.") % {
            "values": ', '.join(OrgRole.values)}})


def create_person(
    *,
    by,
    email: str,
    full_name: str,
    title: str = "",
    manager: Person | None = None,
    role: str = OrgRole.MEMBER,
    password: str | None = None,
    ip_address: str | None = None,
) -> Person:
    """Add a person directly (admins, imports, the demo). Others join through invitations.

    `by=None` is reserved for operator commands run on the server itself.
    """
    if by is not None:
        require_admin(by, "add people")
    email = clean_email(email)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": gettext("A name is required.")})
    _check_role(role)
    if Person.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": gettext("Someone with the address %(email)s already exists.") % {
            "email": email}})
    person = Person(email=email, full_name=full_name, title=(title or "").strip(), role=role)
    if password:
        validate_password(password, person)
        person.set_password(password)
    else:
        person.set_unusable_password()
    with transaction.atomic():
        person.save()
        if manager is not None:
            _check_no_management_cycle(person, manager)
            person.manager = manager
            person.save(update_fields=["manager"])
        record_audit_event(
            kind=AuditKind.PERSON_CREATED,
            actor=by,
            actor_label="" if by else "operator",
            ip_address=ip_address,
            target=email,
            detail={"role": role},
        )
    return person


def update_person(
    *,
    by,
    person: Person,
    full_name=UNSET,
    title=UNSET,
    manager=UNSET,
    language=UNSET,
) -> Person:
    """People edit their own name, title and language; admins edit anyone's name and title,
    including the manager. The language is each person's own choice."""
    is_self = by.pk == person.pk
    if not is_self:
        require_admin(by, "edit other people's profiles")
    if manager is not UNSET and not by.is_admin:
        require_admin(by, "change who someone reports to")
    changed = []
    if full_name is not UNSET:
        full_name = (full_name or "").strip()
        if not full_name:
            raise ValidationError({"full_name": gettext("A name is required.")})
        person.full_name = full_name
        changed.append("full_name")
    if title is not UNSET:
        person.title = (title or "").strip()
        changed.append("title")
    if language is not UNSET:
        if not is_self:
            raise PermissionDenied(gettext("Only the person themselves chooses their language."))
        person.language = check_language(language)
        changed.append("language")
    if manager is not UNSET:
        if manager is not None:
            _check_no_management_cycle(person, manager)
        person.manager = manager
        changed.append("manager")
    if changed:
        person.save(update_fields=changed)
    return person


def _active_admin_count() -> int:
    return Person.objects.filter(is_active=True, role=OrgRole.ADMIN).count()


def set_person_role(*, by, person: Person, role: str, ip_address: str | None = None) -> Person:
    require_admin(by, "change organization roles")
    _check_role(role)
    if person.role == role:
        return person
    with transaction.atomic():
        # Locks the admins' rows on PostgreSQL so two admins demoting each other at once
        # can't leave the organization with none.
        list(Person.objects.select_for_update().filter(role=OrgRole.ADMIN, is_active=True))
        if person.role == OrgRole.ADMIN and person.is_active and _active_admin_count() <= 1:
            raise ValidationError({"role": gettext("This is the last admin; make someone else admin first.")})
        previous = person.role
        person.role = role
        person.save(update_fields=["role"])
        record_audit_event(
            kind=AuditKind.ROLE_CHANGED,
            actor=by,
            ip_address=ip_address,
            target=person.email,
            detail={"scope": "organization", "from": previous, "to": role},
        )
    return person


def edit_person(
    *,
    by,
    person: Person,
    full_name=UNSET,
    title=UNSET,
    manager=UNSET,
    role=UNSET,
    ip_address: str | None = None,
) -> Person:
    """One edit of a person (the edit page and the API's PATCH both come here): all or nothing.

    A refused part, such as demoting the last admin, leaves the name, title and manager as they
    were too, and `person` is reloaded so the caller shows what is stored, not what was refused.
    """
    profile = {
        name: value
        for name, value in (("full_name", full_name), ("title", title), ("manager", manager))
        if value is not UNSET
    }
    try:
        with transaction.atomic():
            if profile:
                update_person(by=by, person=person, **profile)
            if role is not UNSET:
                set_person_role(by=by, person=person, role=role, ip_address=ip_address)
    except (ValidationError, PermissionDenied):
        person.refresh_from_db()
        raise
    return person


def default_successor(person: Person) -> Person | None:
    """Who takes over a leaver's open work unless an admin names someone: their manager, else a
    facilitator of one of their teams (teams before departments, then by name); never themselves
    or anyone deactivated."""
    if person.manager_id and person.manager_id != person.pk:
        manager = Person.objects.filter(pk=person.manager_id, is_active=True).first()
        if manager is not None:
            return manager
    leads = (
        Membership.objects.filter(
            team__memberships__person=person, role=TeamRole.FACILITATOR, person__is_active=True,
        )
        .exclude(person=person)
        .select_related("person", "team")
        .order_by("team__name", "person__full_name", "person_id")
    )
    teams_first = sorted(leads, key=lambda m: (m.team.kind != TeamKind.TEAM, m.team.name.lower()))
    return teams_first[0].person if teams_first else None


def _check_successor(person: Person, new_owner: Person) -> None:
    if new_owner.pk == person.pk:
        raise ValidationError({"new_owner": gettext("Choose someone else to take over their work.")})
    if not new_owner.is_active:
        raise ValidationError({"new_owner": gettext("%(new_owner)s is deactivated; choose an active person.") % {
            "new_owner": new_owner}})


def deactivate_person(
    *, by, person: Person, new_owner: Person | None = None, keep_ownership: bool = False,
    ip_address: str | None = None, at=None,
) -> Person:
    """Switch off someone's access while keeping everything they wrote attributed to them, and
    hand what still needs an owner (open actions, checks, entries to review, experiments: every
    kind in org.ownership) to `new_owner`, by default their manager or team lead, in the same
    transaction. With keep_ownership=True nothing is handed over: it stays with them and shows
    in the orphaned-ownership report. Refused when they own something and nobody is named or
    found, so nothing is orphaned by accident. `at` backdates it (the demo's history)."""
    require_admin(by, "deactivate people")
    if person.pk == by.pk:
        raise ValidationError({"person": gettext("You can't deactivate yourself.")})
    if not person.is_active:
        return person
    if keep_ownership and new_owner is not None:
        raise ValidationError({"new_owner": gettext("Name a new owner, or keep their work with them: not both.")})
    if new_owner is not None:
        _check_successor(person, new_owner)
    with transaction.atomic():
        if person.role == OrgRole.ADMIN and _active_admin_count() <= 1:
            raise ValidationError({"person": gettext("This is the last admin; make someone else admin first.")})
        owned = ownership.counts_by_person([person.pk]).get(person.pk, {})
        successor = None
        if owned and not keep_ownership:
            successor = new_owner or default_successor(person)
            if successor is None:
                raise ValidationError({"new_owner": (
                    f"{person} has no manager or team lead to take over their work; choose who does, "
                    "or keep it with them (it then shows in the orphaned-ownership report).")})
        now = at or timezone.now()
        person.is_active = False
        person.deactivated_at = now
        person.save(update_fields=["is_active", "deactivated_at"])
        person.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
        moved = ownership.hand_over_all(from_person=person, to_person=successor, at=now) if successor else {}
        detail = {"handed_over_to": successor.email, "moved": moved} if successor else {}
        if owned and not successor:
            detail = {"kept": owned}
        record_audit_event(kind=AuditKind.PERSON_DEACTIVATED, actor=by, ip_address=ip_address, target=person.email,
                           detail=detail, at=at)
    return person


def hand_over_ownership(*, by, person: Person, new_owner: Person, ip_address: str | None = None) -> dict[str, int]:
    """Hand what a deactivated person still owns (see the orphaned-ownership report) to someone
    active, in one transaction with an audit event; {kind: how many moved}."""
    require_admin(by, "hand over people's work")
    if person.is_active:
        raise ValidationError({"person": gettext("%(person)s is active: deactivate them to hand their work over.") % {
            "person": person}})
    _check_successor(person, new_owner)
    with transaction.atomic():
        moved = ownership.hand_over_all(from_person=person, to_person=new_owner, at=timezone.now())
        record_audit_event(kind=AuditKind.OWNERSHIP_HANDED_OVER, actor=by, ip_address=ip_address,
                           target=person.email, detail={"handed_over_to": new_owner.email, "moved": moved})
    return moved


def reactivate_person(*, by, person: Person, ip_address: str | None = None) -> Person:
    require_admin(by, "reactivate people")
    if person.is_active:
        return person
    with transaction.atomic():
        person.is_active = True
        person.deactivated_at = None
        person.save(update_fields=["is_active", "deactivated_at"])
        record_audit_event(kind=AuditKind.PERSON_REACTIVATED, actor=by, ip_address=ip_address, target=person.email)
    return person


def remove_person(*, by, person: Person, ip_address: str | None = None) -> str:
    """Delete someone who never authored anything; deactivate anyone who did.

    Authored content points at its author with PROTECT, so the database itself tells us which
    case this is. Returns "deleted" or "deactivated".
    """
    require_admin(by, "remove people")
    if person.pk == by.pk:
        raise ValidationError({"person": gettext("You can't remove yourself.")})
    if person.role == OrgRole.ADMIN and person.is_active and _active_admin_count() <= 1:
        raise ValidationError({"person": gettext("This is the last admin; make someone else admin first.")})
    email = person.email
    try:
        with transaction.atomic():
            person.delete()
            record_audit_event(kind=AuditKind.PERSON_DELETED, actor=by, ip_address=ip_address, target=email)
        return "deleted"
    except ProtectedError:
        # Their work goes to their manager or team lead; with neither, it stays with them (listed
        # in the orphaned-ownership report) rather than refusing the removal.
        deactivate_person(by=by, person=person, ip_address=ip_address,
                          keep_ownership=default_successor(person) is None)
        return "deactivated"


# --- Teams -----------------------------------------------------------------------------------


def unique_team_slug(name: str, *, exclude_id: int | None = None) -> str:
    base = slugify(name)[:120] or "team"
    slug, number = base, 2
    while Team.objects.filter(slug=slug).exclude(id=exclude_id).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def _clean_team_fields(*, team: Team) -> None:
    team.name = (team.name or "").strip()
    if not team.name:
        raise ValidationError({"name": gettext("A team needs a name.")})
    if len(team.name) > 120:
        raise ValidationError({"name": gettext("Keep the name under 120 characters.")})
    if team.kind not in TeamKind.values:
        raise ValidationError({"kind": gettext("Kind must be one of: %(values)s.") % {
            "values": ', '.join(TeamKind.values)}})
    clash = Team.objects.filter(name__iexact=team.name).exclude(id=team.id).first()
    if clash is not None:
        raise ValidationError({"name": gettext("There is already a team called %(name)s.") % {"name": clash.name}})
    parent = team.parent
    if parent is not None:
        if parent.kind != TeamKind.DEPARTMENT:
            raise ValidationError({"parent": gettext("%(name)s is a team; teams sit inside departments.") % {
                "name": parent.name}})
        seen = set()
        current = parent
        while current is not None and current.id not in seen:
            if team.id is not None and current.id == team.id:
                raise ValidationError({"parent": gettext("A department can't sit inside itself.")})
            seen.add(current.id)
            current = current.parent


def create_team(*, by, name: str, kind: str = TeamKind.TEAM, parent: Team | None = None, description: str = "") -> Team:
    if by is not None:
        require_admin(by, "create teams")
    team = Team(name=name, kind=kind, parent=parent, description=(description or "").strip())
    _clean_team_fields(team=team)
    with transaction.atomic():
        team.slug = unique_team_slug(team.name)
        team.save()
        if by is not None:
            record_activity(verb="created", subject=team, actor=by, team=team)
    return team


def update_team(*, by, team: Team, name=UNSET, kind=UNSET, parent=UNSET, description=UNSET) -> Team:
    require_admin(by, "edit teams")
    if name is not UNSET:
        team.name = name
    if kind is not UNSET:
        if kind == TeamKind.TEAM and team.kind == TeamKind.DEPARTMENT and team.children.exists():
            raise ValidationError({"kind": gettext("This department still contains teams; move them first.")})
        team.kind = kind
    if parent is not UNSET:
        team.parent = parent
    if description is not UNSET:
        team.description = (description or "").strip()
    _clean_team_fields(team=team)
    team.save()
    return team


def archive_team(*, by, team: Team) -> Team:
    require_admin(by, "archive teams")
    if team.children.filter(archived_at__isnull=True).exists():
        raise ValidationError({"team": gettext("Archive or move the teams inside this department first.")})
    if team.archived_at is None:
        team.archived_at = timezone.now()
        team.save(update_fields=["archived_at"])
    return team


def unarchive_team(*, by, team: Team) -> Team:
    require_admin(by, "restore teams")
    if team.archived_at is not None:
        team.archived_at = None
        team.save(update_fields=["archived_at"])
    return team


# --- Memberships -------------------------------------------------------------------------------


def _check_team_role(role: str) -> None:
    if role not in TeamRole.values:
        raise ValidationError({"role": gettext("Team role must be one of: %(values)s.") % {
            "values": ', '.join(TeamRole.values)}})


def add_member(
    *, by, team: Team, person: Person, role: str = TeamRole.MEMBER, ip_address: str | None = None
) -> Membership:
    if by is not None:
        require_team_manager(by, team, "add members")
    _check_team_role(role)
    if team.is_archived:
        raise ValidationError({"team": gettext("%(name)s is archived.") % {"name": team.name}})
    if not person.is_active:
        raise ValidationError({"person": gettext("%(person)s is deactivated.") % {"person": person}})
    if Membership.objects.filter(team=team, person=person).exists():
        raise ValidationError({"person": gettext("%(person)s is already in %(name)s.") % {
            "person": person, "name": team.name}})
    with transaction.atomic():
        membership = Membership.objects.create(team=team, person=person, role=role)
        if role != TeamRole.MEMBER and by is not None:
            record_audit_event(
                kind=AuditKind.ROLE_CHANGED,
                actor=by,
                ip_address=ip_address,
                target=person.email,
                detail={"scope": f"team:{team.slug}", "from": None, "to": role},
            )
    return membership


def change_member_role(*, by, membership: Membership, role: str, ip_address: str | None = None) -> Membership:
    require_team_manager(by, membership.team, "change team roles")
    _check_team_role(role)
    if membership.role == role:
        return membership
    with transaction.atomic():
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record_audit_event(
            kind=AuditKind.ROLE_CHANGED,
            actor=by,
            ip_address=ip_address,
            target=membership.person.email,
            detail={"scope": f"team:{membership.team.slug}", "from": previous, "to": role},
        )
    return membership


def remove_member(*, by, membership: Membership, ip_address: str | None = None) -> None:
    require_team_manager(by, membership.team, "remove members")
    with transaction.atomic():
        if membership.role != TeamRole.MEMBER:
            record_audit_event(
                kind=AuditKind.ROLE_CHANGED,
                actor=by,
                ip_address=ip_address,
                target=membership.person.email,
                detail={"scope": f"team:{membership.team.slug}", "from": membership.role, "to": None},
            )
        membership.delete()
