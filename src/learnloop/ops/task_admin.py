"""The task queue as admins see it on the web and through the API: what waits, runs or died,
and putting dead-lettered tasks back. The CLI (`learnloop tasks`) calls taskqueue directly:
whoever runs it already holds the server."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from learnloop.ops import taskqueue

DEFAULT_STATES = ("ready", "running", "dead")


def require_admin(viewer) -> None:
    if not getattr(viewer, "is_admin", False):
        raise PermissionDenied(gettext("Only admins can see and retry background tasks."))


def parse_states(values) -> tuple[str, ...]:
    """States named in a request ("all" for every one); a misspelt state is bad input, not "none"."""
    values = [value for value in (values or ()) if value]
    if not values:
        return DEFAULT_STATES
    unknown = sorted(set(values) - {*taskqueue.STATES, "all"})
    if unknown:
        known = ", ".join(taskqueue.STATES)
        raise ValidationError({"state": gettext("Unknown state %(unknown)s: use %(known)s or all.") % {
            "unknown": ', '.join(unknown), "known": known}})
    return tuple(taskqueue.STATES) if "all" in values else tuple(dict.fromkeys(values))


def tasks_for(*, viewer, states=DEFAULT_STATES):
    require_admin(viewer)
    return taskqueue.task_results(states=states)


def state_counts(*, viewer) -> dict[str, int]:
    require_admin(viewer)
    return taskqueue.counts()


def retry(*, viewer, task_ids=None) -> int:
    """Queue dead-lettered tasks again (all of them when no ids are given)."""
    require_admin(viewer)
    return taskqueue.retry_dead(task_ids)
