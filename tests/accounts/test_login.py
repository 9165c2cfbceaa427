import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client

from learnloop.audit.models import AuditEvent
from learnloop.org.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password, address="203.0.113.7"):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


@pytest.mark.real_password_hasher
def test_passwords_are_hashed_with_argon2():
    person = factories.person(email="argon@example.org")
    assert identify_hasher(person.password).algorithm == "argon2"


def test_signing_in_is_audited_with_the_client_address(client, member):
    response = _sign_in(client, member.email, factories.PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="login")
    assert event.actor == member
    assert event.ip_address == "203.0.113.7"


def test_email_case_does_not_matter_when_signing_in(client, member):
    assert _sign_in(client, member.email.upper(), factories.PASSWORD).status_code == 302


def test_a_failed_sign_in_is_audited_without_an_actor(client, member):
    response = _sign_in(client, member.email, "wrong password")
    assert response.status_code == 200
    assert "don&#x27;t match" in response.content.decode()
    event = AuditEvent.objects.get(kind="login_failed")
    assert event.actor is None
    assert event.target == member.email


def test_deactivated_people_cannot_sign_in(client, member):
    member.is_active = False
    member.deactivated_at = member.date_joined
    member.save()
    assert _sign_in(client, member.email, factories.PASSWORD).status_code == 200


def test_deactivation_ends_existing_sessions(member_client, member):
    assert member_client.get("/").status_code == 200
    member.is_active = False
    member.deactivated_at = member.date_joined
    member.save()
    assert member_client.get("/").status_code == 302


def test_sign_out_is_a_post_and_is_audited(member_client, member):
    assert member_client.get("/accounts/logout/").status_code == 405
    assert member_client.post("/accounts/logout/").status_code == 302
    assert AuditEvent.objects.filter(kind="logout", actor=member).exists()
    assert member_client.get("/").status_code == 302


def test_changing_the_password_checks_the_old_one_and_is_audited(member_client, member):
    response = member_client.post(
        "/accounts/password/",
        {
            "old_password": "nope",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 200
    response = member_client.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("another long passphrase")
    assert AuditEvent.objects.filter(kind="password_changed", actor=member).exists()


def _reset_link(body: str) -> str:
    return next(line for line in body.splitlines() if "/accounts/password/reset/" in line).strip()


def test_password_reset_by_email_sets_a_new_password(client, member):
    client.post("/accounts/password/reset/", {"email": member.email})
    assert len(mail.outbox) == 1
    link = _reset_link(mail.outbox[0].body)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "brand new passphrase", "new_password2": "brand new passphrase"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("brand new passphrase")
    assert AuditEvent.objects.filter(kind="password_reset_done", actor=member).exists()
    # The link works once.
    assert "already been used" in client.get(path, follow=True).content.decode()


def test_people_added_without_a_password_can_set_one_through_reset(client, admin):
    from learnloop.org.services import create_person

    person = create_person(by=admin, email="imported@example.org", full_name="Imported")
    client.post("/accounts/password/reset/", {"email": "Imported@Example.org"})
    assert mail.outbox and mail.outbox[0].to == [person.email]


def test_reset_does_not_reveal_whether_an_address_has_an_account(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert not mail.outbox
    assert AuditEvent.objects.filter(kind="password_reset_requested", target="nobody@example.org").exists()


def test_session_and_csrf_cookies_are_hardened(client, member, settings):
    response = _sign_in(client, member.email, factories.PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_forms_require_a_csrf_token(member):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": member.email, "password": factories.PASSWORD})
    assert response.status_code == 403
    assert not Person.objects.get(pk=member.pk).last_login
