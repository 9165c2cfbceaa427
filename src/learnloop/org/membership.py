"""Who belongs to which team and who leads it: the one answer every app's permissions use.

A person belongs to the teams they hold a membership in, in any team role. They lead a team
when they facilitate it or a department above it, at any depth: a department's facilitator
leads every team inside it. Deactivated and signed-out people belong to nothing and lead nothing.

The answer is worked out once per person object (in a request, the signed-in person) in at most
two queries, and again after any membership or team is saved or deleted in this process, so a
page that checks every row of a list pays for it once and a change is never missed.
"""

from functools import cached_property
from itertools import count

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from learnloop.org.models import Membership, Person, Team, TeamRole

_CACHE_ATTRIBUTE = "_learnloop_team_access"
_changes = count(1)
_generation = 0


def is_active_person(person) -> bool:
    """Signed in and not deactivated."""
    return bool(person is not None and getattr(person, "is_authenticated", False) and person.is_active)


class TeamAccess:
    """One person's teams, from their memberships as (team id, team role) pairs."""

    def __init__(self, memberships=()):
        memberships = list(memberships)
        self.member_of: frozenset[int] = frozenset(team_id for team_id, _ in memberships)
        self._facilitated = frozenset(team_id for team_id, role in memberships if role == TeamRole.FACILITATOR)

    @cached_property
    def led(self) -> frozenset[int]:
        """The teams they facilitate and every team below those (the team tree is read only
        when a question is about leading, and only for facilitators)."""
        return frozenset(_with_teams_below(self._facilitated)) if self._facilitated else frozenset()

    @property
    def member_or_lead(self) -> frozenset[int]:
        return self.member_of | self.led

    def belongs_to(self, team_id: int | None) -> bool:
        return team_id in self.member_of

    def leads(self, team_id: int | None) -> bool:
        return team_id in self.led


NOBODY = TeamAccess()


def team_access(person) -> TeamAccess:
    if not is_active_person(person):
        return NOBODY
    cached = getattr(person, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached[0] == _generation:
        return cached[1]
    generation = _generation  # read before the queries: a change meanwhile invalidates this answer
    access = TeamAccess(list(Membership.objects.filter(person=person).values_list("team_id", "role")))
    setattr(person, _CACHE_ATTRIBUTE, (generation, access))
    return access


def _with_teams_below(team_ids) -> set[int]:
    children: dict[int, list[int]] = {}
    for team_id, parent_id in Team.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(team_id)
    found, frontier = set(team_ids), list(team_ids)
    while frontier:
        below = [child for parent in frontier for child in children.get(parent, ()) if child not in found]
        found.update(below)
        frontier = below
    return found


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender=Team)
@receiver(post_delete, sender=Team)
def _forget_every_answer(**_signal):
    global _generation
    _generation = next(_changes)


# --- shorthands ------------------------------------------------------------------------------------


def member_team_ids(person) -> frozenset[int]:
    return team_access(person).member_of


def led_team_ids(person) -> frozenset[int]:
    """Teams the person facilitates, and every team below them."""
    return team_access(person).led


def belongs_to(person, team) -> bool:
    return team is not None and team_access(person).belongs_to(team.pk)


def leads_team(person, team) -> bool:
    """A facilitator of the team, or of a department above it."""
    return team is not None and team_access(person).leads(team.pk)


# --- people -----------------------------------------------------------------------------------------


def active_people() -> QuerySet[Person]:
    """Everyone who can be chosen for something (an owner, a manager, a new member), by name."""
    return Person.objects.filter(is_active=True).order_by("full_name", "id")


def active_members(team) -> QuerySet[Person]:
    """The team's active people, by name."""
    return active_people().filter(memberships__team=team).distinct()


def facilitators_of(team_id: int) -> list[Person]:
    """The team's own active facilitators (not those of departments above it), by name."""
    return list(active_people().filter(memberships__team_id=team_id, memberships__role=TeamRole.FACILITATOR))
