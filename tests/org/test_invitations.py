from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnloop.audit.models import AuditEvent
from learnloop.org.invitations import accept_invitation, invite_person, pending_invitation, revoke_invitation
from learnloop.org.models import Invitation, Membership, Person

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a long enough passphrase"


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_an_invitation_emails_a_link_and_stores_only_its_hash(admin, team):
    invitation, url = invite_person(by=admin, email="New@Example.org", full_name="New Person", team=team)
    assert invitation.email == "new@example.org"
    assert len(mail.outbox) == 1
    assert url in mail.outbox[0].body
    assert mail.outbox[0].to == ["new@example.org"]
    token = _token(url)
    assert token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert AuditEvent.objects.filter(kind="invitation_sent", target="new@example.org").exists()


def test_accepting_creates_the_account_with_role_and_team(admin, team):
    _, url = invite_person(by=admin, email="new@example.org", role="learning_lead", team=team, team_role="facilitator")
    person = accept_invitation(raw_token=_token(url), full_name="New Person", password=GOOD_PASSWORD)
    assert person.role == "learning_lead"
    assert person.check_password(GOOD_PASSWORD)
    assert Membership.objects.get(person=person, team=team).role == "facilitator"


def test_an_invitation_link_works_once(admin):
    _, url = invite_person(by=admin, email="new@example.org")
    accept_invitation(raw_token=_token(url), full_name="New", password=GOOD_PASSWORD)
    with pytest.raises(ValidationError):
        accept_invitation(raw_token=_token(url), full_name="Again", password=GOOD_PASSWORD)
    assert Person.objects.filter(email="new@example.org").count() == 1


def test_an_expired_invitation_is_refused(admin):
    invitation, url = invite_person(by=admin, email="new@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert pending_invitation(_token(url)) is None
    with pytest.raises(ValidationError):
        accept_invitation(raw_token=_token(url), full_name="New", password=GOOD_PASSWORD)


def test_a_revoked_invitation_is_refused(admin):
    invitation, url = invite_person(by=admin, email="new@example.org")
    revoke_invitation(by=admin, invitation=invitation)
    with pytest.raises(ValidationError):
        accept_invitation(raw_token=_token(url), full_name="New", password=GOOD_PASSWORD)


def test_a_new_invitation_replaces_the_pending_one(admin):
    _, first_url = invite_person(by=admin, email="new@example.org")
    _, second_url = invite_person(by=admin, email="new@example.org")
    assert pending_invitation(_token(first_url)) is None
    assert pending_invitation(_token(second_url)) is not None


def test_weak_passwords_are_refused_and_the_link_stays_valid(admin):
    _, url = invite_person(by=admin, email="new@example.org")
    with pytest.raises(ValidationError) as error:
        accept_invitation(raw_token=_token(url), full_name="New", password="short")
    assert "password" in error.value.message_dict
    assert pending_invitation(_token(url)) is not None


def test_members_cannot_invite(member):
    with pytest.raises(PermissionDenied):
        invite_person(by=member, email="friend@example.org")


def test_people_who_already_have_an_account_are_not_invited(admin, member):
    with pytest.raises(ValidationError):
        invite_person(by=admin, email=member.email.upper())
