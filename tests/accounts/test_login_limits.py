"""Sign-in limits slow guessing down and never lock the real user out."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from learnloop.accounts import throttle
from learnloop.accounts.models import LoginCounter
from learnloop.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.7"


def _sign_in(client, email, password, address):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def _wait_out_every_delay():
    LoginCounter.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def hash_checks(monkeypatch):
    from learnloop.org.models import Person

    calls = []
    original = Person.check_password

    def check_password(self, raw_password):
        calls.append(self.email)
        return original(self, raw_password)

    monkeypatch.setattr(Person, "check_password", check_password)
    return calls


def test_after_the_limit_further_attempts_wait_without_checking_the_password(member, settings, hash_checks):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    settings.LOGIN_DELAY_SECONDS = 30
    attacker = Client()
    for _ in range(3):
        assert "don&#x27;t match" in _sign_in(attacker, member.email, "wrong", ATTACKER).content.decode()
    page = _sign_in(attacker, member.email, factories.PASSWORD, ATTACKER).content.decode()
    assert "Too many failed attempts. Try again in 30 seconds." in page
    assert len(hash_checks) == 3
    assert not AuditEvent.objects.filter(kind="login").exists()


def test_the_delay_doubles_up_to_the_cap_and_refusals_do_not_extend_it(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 2
    settings.LOGIN_DELAY_SECONDS = 30
    settings.LOGIN_DELAY_MAX_SECONDS = 100
    attacker = Client()
    waits = []
    for _ in range(5):
        while "Try again in" not in (page := _sign_in(attacker, member.email, "wrong", ATTACKER).content.decode()):
            pass
        waits.append(int(page.split("Try again in ")[1].split(" ")[0]))
        # Asking again while waiting changes nothing.
        assert f"Try again in {waits[-1]} seconds" in _sign_in(attacker, member.email, "x", ATTACKER).content.decode()
        _wait_out_every_delay()
    assert waits == [30, 60, 100, 100, 100]


def test_the_right_password_works_once_the_delay_has_passed(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    client = Client()
    for _ in range(4):
        _sign_in(client, member.email, "wrong", OWNER)
    assert "Try again in" in _sign_in(client, member.email, factories.PASSWORD, OWNER).content.decode()
    _wait_out_every_delay()
    assert _sign_in(client, member.email, factories.PASSWORD, OWNER).status_code == 302
    # Success starts the account's count over.
    assert set(LoginCounter.objects.exclude(scope="address").values_list("failures", flat=True)) == {0}


def test_guessing_from_another_address_does_not_hold_up_the_real_user(admin, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    for _ in range(10):
        _sign_in(Client(), admin.email, "wrong", ATTACKER)
    assert _sign_in(Client(), admin.email, factories.PASSWORD, OWNER).status_code == 302


def test_guessing_from_many_addresses_slows_the_account_but_not_a_browser_it_signed_in_from(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL = 5
    own_browser = Client()
    assert _sign_in(own_browser, member.email, factories.PASSWORD, OWNER).status_code == 302
    own_browser.post("/accounts/logout/")
    for number in range(8):
        _sign_in(Client(), member.email, "wrong", f"198.51.100.{number}")
    # A new browser somewhere else waits: the account-wide limit is reached.
    assert "Try again in" in _sign_in(Client(), member.email, factories.PASSWORD, "192.0.2.200").content.decode()
    # The browser that signed in before is known for this account and gets in.
    assert _sign_in(own_browser, member.email, factories.PASSWORD, OWNER).status_code == 302


def test_a_forged_known_device_cookie_counts_for_nothing(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL = 2
    for number in range(3):
        _sign_in(Client(), member.email, "wrong", f"198.51.100.{number}")
    forged = Client()
    forged.cookies[throttle.KNOWN_DEVICE_COOKIE] = "forged"
    assert "Try again in" in _sign_in(forged, member.email, factories.PASSWORD, OWNER).content.decode()


def test_spraying_one_password_over_many_accounts_is_limited_per_address(settings, hash_checks):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 4
    people = [factories.person(email=f"person{number}@example.org") for number in range(8)]
    for person in people:
        _sign_in(Client(), person.email, "Winter2026!", ATTACKER)
    assert len(hash_checks) == 4
    # Others are not affected.
    assert _sign_in(Client(), people[-1].email, factories.PASSWORD, OWNER).status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_budget(settings, member):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    for number in range(2):
        _sign_in(Client(), f"guess{number}@example.org", "wrong", ATTACKER)
    assert _sign_in(Client(), member.email, factories.PASSWORD, ATTACKER).status_code == 302
    _sign_in(Client(), "guess9@example.org", "wrong", ATTACKER)
    assert "Try again in" in _sign_in(Client(), "guess10@example.org", "wrong", ATTACKER).content.decode()


def test_reaching_a_limit_is_audited_once_per_delay_not_per_refusal(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 2
    for _ in range(6):
        _sign_in(Client(), member.email, "wrong", ATTACKER)
    [event] = AuditEvent.objects.filter(kind="login_throttled")
    assert event.target == member.email
    assert event.ip_address == ATTACKER
    assert event.detail == {"limit": "pair", "failures": 2, "delay_seconds": settings.LOGIN_DELAY_SECONDS}


def test_unknown_accounts_are_limited_like_real_ones(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 2
    for _ in range(2):
        _sign_in(Client(), "nobody@example.org", "wrong", ATTACKER)
    assert "Try again in" in _sign_in(Client(), "nobody@example.org", "wrong", ATTACKER).content.decode()


def test_the_counters_hold_no_readable_email_or_address(member):
    _sign_in(Client(), member.email, "wrong", ATTACKER)
    for counter in LoginCounter.objects.all():
        assert member.email not in counter.key and ATTACKER not in counter.key


def test_old_failures_are_forgotten(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    for _ in range(2):
        _sign_in(Client(), member.email, "wrong", ATTACKER)
    LoginCounter.objects.update(
        updated_at=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    )
    for _ in range(2):
        _sign_in(Client(), member.email, "wrong", ATTACKER)
    assert "don&#x27;t match" in _sign_in(Client(), member.email, "wrong", ATTACKER).content.decode()
    assert throttle.purge_login_counters(now=timezone.now() + timedelta(days=30)) > 0
    assert not LoginCounter.objects.exists()


def test_resetting_the_password_ends_the_wait_for_the_account(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 2
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT_GLOBAL = 2
    client = Client()
    for _ in range(3):
        _sign_in(client, member.email, "wrong", OWNER)
    assert "Try again in" in _sign_in(client, member.email, factories.PASSWORD, OWNER).content.decode()

    from django.core import mail

    client.post("/accounts/password/reset/", {"email": member.email}, REMOTE_ADDR=OWNER)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line).strip()
    form_page = client.get(link.split("testserver", 1)[1], follow=True, REMOTE_ADDR=OWNER)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand new passphrase", "new_password2": "brand new passphrase"},
        REMOTE_ADDR=OWNER,
    )
    assert _sign_in(client, member.email, "brand new passphrase", OWNER).status_code == 302


def test_a_known_browser_is_not_held_up_even_by_guesses_from_its_own_address(member, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 3
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    own_browser = Client()
    assert _sign_in(own_browser, member.email, factories.PASSWORD, OWNER).status_code == 302
    own_browser.post("/accounts/logout/")
    for _ in range(10):  # someone behind the same NAT
        _sign_in(Client(), member.email, "wrong", OWNER)
    assert "Try again in" in _sign_in(Client(), member.email, factories.PASSWORD, OWNER).content.decode()
    assert _sign_in(own_browser, member.email, factories.PASSWORD, OWNER).status_code == 302
    own_browser.post("/accounts/logout/")
    # The known browser's own mistakes still count against it.
    for _ in range(3):
        _sign_in(own_browser, member.email, "wrong", OWNER)
    assert "Try again in" in _sign_in(own_browser, member.email, factories.PASSWORD, OWNER).content.decode()
