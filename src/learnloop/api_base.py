"""Shared pieces for every domain's API router."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A request body. Unknown fields are refused (422) rather than silently ignored, so a typo
    or a field the caller may not set (like `role` on /me) never looks like it worked."""

    model_config = ConfigDict(extra="forbid")


@contextmanager
def request_fields(**renames: str) -> Iterator[None]:
    """Name a service's fields as the request does ("manager" -> "manager_id"), so a client
    finds each problem under the field it sent."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {renames.get(field, field): problems for field, problems in error.error_dict.items()}
        ) from error


def person_ref(person_id: int, *, field: str, active: bool = False):
    """A person named in a body or a filter: an unknown id (or, with active=True, someone
    deactivated) is the client's bad input (400)."""
    from learnloop.org.models import Person

    people = Person.objects.filter(pk=person_id)
    person = (people.filter(is_active=True) if active else people).first()
    if person is None:
        raise ValidationError({field: f"No {'active ' if active else ''}person with id {person_id}."})
    return person


def team_ref(team_id: int, *, field: str, current: bool = False):
    """A team named in a body or a filter: an unknown id (or, with current=True, an archived
    team) is the client's bad input (400)."""
    from learnloop.org.models import Team

    teams = Team.objects.filter(pk=team_id)
    team = (teams.filter(archived_at=None) if current else teams).first()
    if team is None:
        raise ValidationError({field: f"No team with id {team_id}."})
    return team
