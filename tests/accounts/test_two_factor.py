"""The optional second sign-in step with an authenticator app, and the setting that requires it for admins."""

import time

import pytest
from django.test import Client

from learnloop.accounts import totp
from learnloop.accounts.models import RecoveryCode, TotpDevice
from learnloop.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password=factories.PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR="203.0.113.7")


def _enrol(client) -> tuple[str, list[str]]:
    page = client.get("/accounts/two-factor/").content.decode()
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
    response = client.post("/accounts/two-factor/", {"action": "confirm", "code": totp.code_at(secret)})
    codes = [item.split("</code>")[0] for item in response.content.decode().split("<li><code>")[1:]]
    return secret, codes


def _is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_enrolling_stores_the_secret_and_hashed_recovery_codes(admin_client, admin):
    secret, codes = _enrol(admin_client)
    assert TotpDevice.objects.get(person=admin).secret == secret
    assert len(codes) == 10
    stored = set(RecoveryCode.objects.filter(person=admin).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & set(codes)
    assert AuditEvent.objects.filter(kind="two_factor_enabled", actor=admin).exists()


def test_a_wrong_enrolment_code_keeps_nothing(admin_client, admin):
    admin_client.get("/accounts/two-factor/")
    response = admin_client.post("/accounts/two-factor/", {"action": "confirm", "code": "000000"})
    assert "doesn&#x27;t match" in response.content.decode()
    assert not TotpDevice.objects.exists()


def test_with_an_authenticator_the_password_alone_does_not_sign_in(admin_client, admin):
    secret, _ = _enrol(admin_client)
    client = Client()
    response = _sign_in(client, admin.email)
    assert response["Location"] == "/accounts/login/verify/"
    assert not _is_signed_in(client)
    response = client.post("/accounts/login/verify/", {"code": "123456"})
    assert "doesn&#x27;t match" in response.content.decode()
    assert AuditEvent.objects.filter(kind="login_second_factor_failed", actor=admin).exists()
    # The enrolment used this time step's code; the next one is accepted (one step of skew).
    response = client.post("/accounts/login/verify/", {"code": totp.code_at(secret, time.time() + 30)})
    assert response.status_code == 302
    assert _is_signed_in(client)
    assert AuditEvent.objects.filter(kind="login", actor=admin).exists()


def test_a_code_works_only_once(admin_client, admin):
    secret, _ = _enrol(admin_client)
    code = totp.code_at(secret, time.time() + 30)
    first = Client()
    _sign_in(first, admin.email)
    assert first.post("/accounts/login/verify/", {"code": code}).status_code == 302
    second = Client()
    _sign_in(second, admin.email)
    assert second.post("/accounts/login/verify/", {"code": code}).status_code == 200
    assert not _is_signed_in(second)


def test_a_recovery_code_signs_in_once(admin_client, admin):
    _, codes = _enrol(admin_client)
    client = Client()
    _sign_in(client, admin.email)
    assert client.post("/accounts/login/verify/", {"code": codes[3].upper()}).status_code == 302
    again = Client()
    _sign_in(again, admin.email)
    assert again.post("/accounts/login/verify/", {"code": codes[3]}).status_code == 200
    assert AuditEvent.objects.get(kind="recovery_code_used").detail == {"left": 9}


def test_second_step_guesses_are_limited(admin_client, admin, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    secret, _ = _enrol(admin_client)
    client = Client()
    _sign_in(client, admin.email)
    for _ in range(3):
        client.post("/accounts/login/verify/", {"code": "000000"})
    response = client.post("/accounts/login/verify/", {"code": totp.code_at(secret, time.time() + 30)})
    assert "Try again in" in response.content.decode()
    assert not _is_signed_in(client)
    assert AuditEvent.objects.filter(kind="login_throttled", detail__limit="second-factor").count() == 1


def test_the_verify_step_needs_a_password_first(client):
    assert client.get("/accounts/login/verify/")["Location"] == "/accounts/login/"


def test_required_for_admins_means_setting_up_before_the_first_sign_in_completes(admin, settings):
    settings.ADMIN_2FA = "required"
    client = Client()
    assert _sign_in(client, admin.email)["Location"] == "/accounts/two-factor/"
    assert not _is_signed_in(client)
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Admins on this instance sign in with a second step" in page
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0]
    response = client.post("/accounts/two-factor/", {"action": "confirm", "code": totp.code_at(secret)})
    assert response["Location"] == "/accounts/two-factor/"
    assert _is_signed_in(client)
    page = client.get("/accounts/two-factor/").content.decode()
    assert 'data-testid="recovery-codes"' in page and "I saved them, continue" in page


def test_required_for_admins_leaves_members_alone_and_admins_cannot_remove_it(admin_client, admin, member, settings):
    settings.ADMIN_2FA = "required"
    assert _sign_in(Client(), member.email).status_code == 302
    secret, _ = _enrol(admin_client)
    response = admin_client.post(
        "/accounts/two-factor/", {"action": "disable", "code": totp.code_at(secret, time.time() + 30)}
    )
    assert TotpDevice.objects.filter(person=admin).exists()
    assert "Remove the authenticator" not in response.content.decode()


def test_a_member_can_remove_their_authenticator_with_a_code(member_client, member):
    secret, _ = _enrol(member_client)
    member_client.post("/accounts/two-factor/", {"action": "disable", "code": totp.code_at(secret, time.time() + 30)})
    assert not TotpDevice.objects.filter(person=member).exists()
    assert not RecoveryCode.objects.filter(person=member).exists()
    assert _sign_in(Client(), member.email).status_code == 302


def test_guessing_a_code_to_remove_the_authenticator_is_limited(member_client, member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    secret, _ = _enrol(member_client)
    for _ in range(3):
        member_client.post("/accounts/two-factor/", {"action": "disable", "code": "000000"})
    response = member_client.post(
        "/accounts/two-factor/", {"action": "disable", "code": totp.code_at(secret, time.time() + 30)}
    )
    assert "Try again in" in response.content.decode()
    assert TotpDevice.objects.filter(person=member).exists()


def test_required_for_admins_holds_for_sessions_that_began_without_the_sign_in_form(
    admin_client, member_client, member, settings
):
    """Accepting an invitation signs the new person in directly, and a member can be promoted
    while signed in: either way an admin without an authenticator gets to set one up, and
    nothing else, until they have."""
    settings.ADMIN_2FA = "required"
    assert admin_client.get("/")["Location"] == "/accounts/two-factor/"
    assert admin_client.get("/people/")["Location"] == "/accounts/two-factor/"
    assert admin_client.get("/accounts/two-factor/").status_code == 200
    _enrol(admin_client)
    assert admin_client.get("/people/").status_code == 200

    assert member_client.get("/").status_code == 200
    member.role = "admin"
    member.save(update_fields=["role"])
    assert member_client.get("/")["Location"] == "/accounts/two-factor/"
    assert member_client.post("/accounts/logout/").status_code == 302  # signing out stays possible


def test_an_unknown_action_on_the_two_factor_page_is_a_400_with_a_message(member_client):
    response = member_client.post("/accounts/two-factor/", {"action": "format-disk", "code": "000000"})
    assert response.status_code == 400 and "Unknown action." in response.content.decode()
    assert not TotpDevice.objects.exists()
