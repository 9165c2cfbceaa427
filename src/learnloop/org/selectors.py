"""Reading people, teams and memberships, already scoped to the viewer."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.org.models import Invitation, Membership, Person, PersonAttribute, PersonAttributeValue, Team
from learnloop.org.permissions import is_admin


def _require_signed_in(viewer) -> None:
    if not (viewer and viewer.is_authenticated and viewer.is_active):
        raise PermissionDenied(gettext("Sign in to see the directory."))


def people(
    *,
    viewer,
    query: str | None = None,
    team: Team | None = None,
    role: str | None = None,
    active: bool | None = True,
    manager: Person | None = None,
) -> QuerySet[Person]:
    """The directory. Deactivated people are listed only when asked for (active=False/None)."""
    _require_signed_in(viewer)
    result = Person.objects.select_related("manager")
    if active is not None:
        result = result.filter(is_active=active)
    if query:
        for word in query.split()[:8]:
            result = result.filter(Q(full_name__icontains=word) | Q(email__icontains=word) | Q(title__icontains=word))
    if team is not None:
        result = result.filter(memberships__team=team)
    if role:
        result = result.filter(role=role)
    if manager is not None:
        result = result.filter(manager=manager)
    return result.order_by("full_name", "id")


def person_detail(*, viewer, person_id: int) -> Person:
    _require_signed_in(viewer)
    return (
        Person.objects.select_related("manager")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("team")),
            Prefetch("reports", queryset=Person.objects.filter(is_active=True)),
        )
        .get(pk=person_id)
    )


def teams(
    *,
    viewer,
    query: str | None = None,
    kind: str | None = None,
    parent: Team | None = None,
    include_archived: bool = False,
) -> QuerySet[Team]:
    _require_signed_in(viewer)
    result = Team.objects.select_related("parent").annotate(
        member_count=Count("memberships", filter=Q(memberships__person__is_active=True))
    )
    if not include_archived:
        result = result.filter(archived_at__isnull=True)
    if query:
        result = result.filter(Q(name__icontains=query) | Q(description__icontains=query))
    if kind:
        result = result.filter(kind=kind)
    if parent is not None:
        result = result.filter(parent=parent)
    return result.order_by("name")


def team_tree(*, viewer) -> list[tuple[Team, list[Team]]]:
    """Departments with their teams, then teams that sit in no department."""
    all_teams = list(teams(viewer=viewer))
    children: dict[int | None, list[Team]] = {}
    for team in all_teams:
        children.setdefault(team.parent_id, []).append(team)
    top_level = children.get(None, [])
    tree = [(team, children.get(team.id, [])) for team in top_level if team.kind == "department"]
    loose = [team for team in top_level if team.kind != "department"]
    if loose:
        tree.append((None, loose))
    return tree


def team_detail(*, viewer, slug: str) -> Team:
    _require_signed_in(viewer)
    return Team.objects.select_related("parent").get(slug=slug)


def team_members(*, viewer, team: Team, include_inactive: bool = False) -> QuerySet[Membership]:
    _require_signed_in(viewer)
    result = Membership.objects.filter(team=team).select_related("person", "person__manager")
    if not include_inactive:
        result = result.filter(person__is_active=True)
    return result.order_by("role", "person__full_name")  # facilitators first


def memberships(
    *, viewer, team: Team | None = None, person: Person | None = None, role: str | None = None
) -> QuerySet[Membership]:
    _require_signed_in(viewer)
    result = Membership.objects.select_related("person", "team")
    if team is not None:
        result = result.filter(team=team)
    if person is not None:
        result = result.filter(person=person)
    if role:
        result = result.filter(role=role)
    return result.order_by("team__name", "person__full_name")


def invitations(*, viewer, status: str | None = None) -> QuerySet[Invitation]:
    """Invitations, newest first, optionally in one status (decided in the database)."""
    if not is_admin(viewer):
        raise PermissionDenied(gettext("Only admins can see invitations."))
    now = timezone.now()
    unanswered = Q(accepted_at__isnull=True, revoked_at__isnull=True)
    by_status = {
        "accepted": Q(accepted_at__isnull=False),
        "revoked": Q(accepted_at__isnull=True, revoked_at__isnull=False),
        "expired": unanswered & Q(expires_at__lte=now),
        "pending": unanswered & Q(expires_at__gt=now),
    }
    result = Invitation.objects.select_related("team", "invited_by")
    if status:
        result = result.filter(by_status[status])
    return result.order_by("-created_at", "-id")


# --- Person attributes ------------------------------------------------------------------------------


def person_attributes(*, viewer) -> QuerySet[PersonAttribute]:
    """The attributes the organization defines (not anyone's values): for admins, and for learning
    leads, who choose which ones a survey records."""
    _require_signed_in(viewer)
    if not (viewer.is_admin or viewer.is_learning_lead):
        raise PermissionDenied(gettext("Only admins and learning leads can see the person attributes."))
    return PersonAttribute.objects.annotate(recorded=Count("person_values")).order_by("position", "key")


def person_attribute_values(*, viewer, person: Person) -> dict[str, str | None]:
    """{attribute key: the person's value or None (not recorded)}: admins only, for anyone."""
    if not is_admin(viewer):
        raise PermissionDenied(gettext("Only admins can see people's attribute values."))
    current = dict(PersonAttributeValue.objects.filter(person=person).values_list("attribute__key", "value"))
    return {key: current.get(key) for key in PersonAttribute.objects.order_by("position", "key")
            .values_list("key", flat=True)}


def attribute_values_by_person(person_ids) -> dict[int, dict[str, str]]:
    """{person id: {attribute key: value}} for internal use (survey launch, exports already
    authorized); one query. Never hand this to a page without an admin check."""
    wanted = set(person_ids)
    result: dict[int, dict[str, str]] = {}
    # Every row, filtered here: an IN list of a whole organization's ids would pass SQLite's limit.
    rows = PersonAttributeValue.objects.values_list("person_id", "attribute__key", "value").iterator(chunk_size=5000)
    for person_id, key, value in rows:
        if person_id in wanted:
            result.setdefault(person_id, {})[key] = value
    return result


# --- Leavers -----------------------------------------------------------------------------------


def owned_by(person: Person) -> list[dict]:
    """What one person owns that needs an owner, per kind registered in org.ownership (kinds
    with nothing left out): [{"key", "label", "count"}]."""
    from learnloop.org import ownership

    counts = ownership.counts_by_person([person.pk]).get(person.pk, {})
    return [{"key": kind.key, "label": kind.label, "count": counts[kind.key]}
            for kind in ownership.kinds() if counts.get(kind.key)]


def orphaned_ownership(*, viewer) -> list[dict]:
    """Deactivated people who still own something that needs an owner (admins only), by name:
    [{"person", "items": [{"key", "label", "count"}], "total"}]. One query for the deactivated
    people and one per registered kind, however many there are."""
    if not is_admin(viewer):
        raise PermissionDenied(gettext("Only admins see the orphaned-ownership report."))
    return orphaned_ownership_for_operator()


def orphaned_ownership_for_operator() -> list[dict]:
    """orphaned_ownership without a viewer: for `learnloop people orphans` (shell access is the
    permission)."""
    from learnloop.org import ownership

    inactive = {person.pk: person for person in Person.objects.filter(is_active=False).order_by("full_name", "id")}
    counts = ownership.counts_by_person(inactive)
    labels = [(kind.key, kind.label) for kind in ownership.kinds()]
    rows = []
    for person_id, person in inactive.items():
        owned = counts.get(person_id)
        if not owned:
            continue
        items = [{"key": key, "label": label, "count": owned[key]} for key, label in labels if owned.get(key)]
        rows.append({"person": person, "items": items, "total": sum(item["count"] for item in items)})
    return rows
