"""Small builders for test data. They write straight to the models; services are what tests test."""

import itertools

from django.test import Client
from django.utils.text import slugify

from learnloop.accounts.services import create_api_token
from learnloop.org.models import Membership, Organization, Person, Team

__all__ = ["create_api_token"]

_sequence = itertools.count(1)

PASSWORD = "correct horse battery staple"


def organization(**fields) -> Organization:
    org = Organization.current()
    for name, value in fields.items():
        setattr(org, name, value)
    org.save()
    return org


def person(*, email: str | None = None, full_name: str | None = None, role: str = "member",
           password: str | None = PASSWORD, **fields) -> Person:
    number = next(_sequence)
    person = Person(
        email=(email or f"person{number}@example.org").lower(),
        full_name=full_name or f"Person {number}",
        role=role,
        **fields,
    )
    person.set_password(password)
    person.save()
    return person


def team(*, name: str | None = None, kind: str = "team", parent: Team | None = None, **fields) -> Team:
    name = name or f"Team {next(_sequence)}"
    return Team.objects.create(name=name, slug=slugify(name), kind=kind, parent=parent, **fields)


def membership(person: Person, team: Team, role: str = "member") -> Membership:
    return Membership.objects.create(person=person, team=team, role=role)


class TokenClient(Client):
    """A test client that authenticates every request with a personal API token."""

    def __init__(self, token: str):
        super().__init__(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})


def token_client(person: Person) -> TokenClient:
    _, raw = create_api_token(person=person, name="tests")
    return TokenClient(raw)
