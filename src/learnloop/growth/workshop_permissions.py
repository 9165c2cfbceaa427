"""Who may see, join and run a workshop, and who sees its feedback.

- An org-wide workshop is seen by everyone signed in; a team's workshop by the team's members and
  leads, its hosts, the people signed up to it, learning leads and admins.
- Anyone who may see it may sign up, except its hosts; a team's workshop takes only the team's
  members and leads.
- Its hosts, learning leads and admins change it, cancel it, see who signed up and record who
  attended.
- The feedback's summary is for the hosts only (learning leads and admins see how many answered,
  not what), and only once it is released (workshops.feedback_state).
"""

from django.db.models import Q

from learnloop.growth.permissions import sees_everyone
from learnloop.growth.workshop_models import Workshop, WorkshopSignup
from learnloop.org.membership import is_active_person, team_access


def host_ids(workshop) -> set[int]:
    cached = getattr(workshop, "_host_ids", None)
    if cached is None:
        cached = {host.pk for host in workshop.hosts.all()}
        workshop._host_ids = cached
    return cached


def is_host(viewer, workshop) -> bool:
    return is_active_person(viewer) and viewer.pk in host_ids(workshop)


def can_see(viewer, workshop, *, signed_up: bool = False) -> bool:
    if not is_active_person(viewer):
        return False
    return (workshop.team_id is None or sees_everyone(viewer) or signed_up
            or workshop.team_id in team_access(viewer).member_or_lead or is_host(viewer, workshop))


def may_join(viewer, workshop) -> bool:
    """Allowed to take a place (the service adds the timing and capacity rules)."""
    if not is_active_person(viewer) or is_host(viewer, workshop):
        return False
    return workshop.team_id is None or workshop.team_id in team_access(viewer).member_or_lead


def can_manage(viewer, workshop) -> bool:
    return is_host(viewer, workshop) or sees_everyone(viewer)


def can_plan_for(viewer, team) -> bool:
    """A workshop for the whole organization may be planned by anyone; a team's by its members and
    leads, learning leads and admins."""
    if not is_active_person(viewer):
        return False
    return team is None or sees_everyone(viewer) or team.pk in team_access(viewer).member_or_lead


def may_name_hosts(viewer, hosts) -> bool:
    """People plan workshops they host themselves; learning leads and admins may plan for others."""
    return sees_everyone(viewer) or any(host.pk == viewer.pk for host in hosts)


def sees_feedback(viewer, workshop) -> bool:
    return is_host(viewer, workshop)


def visible_q(viewer) -> Q:
    """The workshops the viewer may see, as a filter on Workshop (no join that multiplies rows)."""
    if not is_active_person(viewer):
        return Q(pk__in=[])
    if sees_everyone(viewer):
        return Q()
    hosted = Workshop.hosts.through.objects.filter(person_id=viewer.pk).values("workshop_id")
    joined = WorkshopSignup.objects.filter(person_id=viewer.pk).values("workshop_id")
    return (Q(team__isnull=True) | Q(team_id__in=list(team_access(viewer).member_or_lead))
            | Q(pk__in=hosted) | Q(pk__in=joined))
