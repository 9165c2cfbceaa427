from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import create_api_token, person_for_token, revoke_api_token
from learnloop.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_a_token_is_stored(member):
    token, raw = create_api_token(person=member, name="laptop")
    assert raw.startswith("ll_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.prefix)
    assert stored.prefix == raw[:10]
    assert person_for_token(raw) == member


def test_token_creation_and_revocation_are_audited(member):
    token, raw = create_api_token(person=member, name="ci", ip_address="192.0.2.9")
    revoke_api_token(by=member, token=token)
    assert person_for_token(raw) is None
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["token_created", "token_revoked"]
    assert AuditEvent.objects.get(kind="token_created").ip_address == "192.0.2.9"


def test_expired_tokens_stop_working(member):
    token, raw = create_api_token(person=member, name="short", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert person_for_token(raw) is None


def test_unknown_and_malformed_tokens_are_rejected(member):
    create_api_token(person=member, name="real")
    assert person_for_token("ll_made_up") is None
    assert person_for_token("") is None
    assert person_for_token("Bearer nonsense") is None


def test_people_cannot_revoke_others_tokens_but_admins_can(member, admin):
    token, _ = create_api_token(person=admin, name="admin's")
    with pytest.raises(PermissionDenied):
        revoke_api_token(by=member, token=token)
    other, _ = create_api_token(person=member, name="member's")
    revoke_api_token(by=admin, token=other)
    assert ApiToken.objects.get(pk=other.pk).revoked_at is not None


def test_tokens_need_a_name_and_a_sane_expiry(member):
    with pytest.raises(ValidationError):
        create_api_token(person=member, name="  ")
    with pytest.raises(ValidationError):
        create_api_token(person=member, name="x", expires_in_days=0)
    assert not ApiToken.objects.exists()


def test_last_use_is_recorded(member):
    token, raw = create_api_token(person=member, name="used")
    person_for_token(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
