"""Each person's language: chosen on the profile page or through /me, applied to every page they
see (over the browser's Accept-Language) and to the emails written to them."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from learnloop.web.language import for_person
from tests import factories

API = "/api/v1"
JSON = "application/json"


def _profile_post(client, **fields):
    data = {"full_name": "Mo Member", "title": "", "language": "", **fields}
    return client.post(reverse("org:profile"), data)


def test_the_profile_offers_each_language_named_in_itself(member_client):
    page = member_client.get(reverse("org:profile")).content.decode()
    assert '<option value="" selected>Browser default</option>' in page
    assert '<option value="de">Deutsch</option>' in page
    assert '<option value="en">English</option>' in page


def test_choosing_german_on_the_profile_page_is_kept_and_said_in_german(member, member_client):
    response = _profile_post(member_client, language="de")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "de"
    page = member_client.get(reverse("org:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Ihr Profil wurde gespeichert." in page.content.decode()
    assert '<option value="de" selected>Deutsch</option>' in page.content.decode()


def test_a_language_not_offered_is_a_form_error(member, member_client):
    response = _profile_post(member_client, language="fr")
    assert response.status_code == 200
    assert "Choose one of the offered languages." in response.content.decode()
    member.refresh_from_db()
    assert member.language == ""


def test_a_person_who_chose_german_reads_german_whatever_the_browser_says(member, member_client):
    member.language = "de"
    member.save(update_fields=["language"])
    response = member_client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="de"' in page
    assert "Abmelden" in page and "Sign out" not in page
    assert response["Content-Language"] == "de"


def test_without_a_choice_the_browser_language_stands(member_client):
    german = member_client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    english = member_client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="de"' in german and "Abmelden" in german
    assert '<html lang="en"' in english and "Sign out" in english


def test_a_person_who_chose_english_reads_english_with_a_german_browser(member, member_client):
    member.language = "en"
    member.save(update_fields=["language"])
    page = member_client.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="en"' in page and "Sign out" in page


def test_signed_out_pages_follow_the_browser(db):
    page = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de"' in page and "Anmelden" in page


def test_the_api_shows_and_sets_my_language(member, api_as):
    client = api_as(member)
    assert client.get(f"{API}/me").json()["language"] == ""
    response = client.patch(f"{API}/me", {"language": "de"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["language"] == "de"
    member.refresh_from_db()
    assert member.language == "de"
    response = client.patch(f"{API}/me", {"language": ""}, content_type=JSON)
    assert response.json()["language"] == ""


@pytest.mark.parametrize("language", ["fr", "deutsch", "DE "])
def test_the_api_refuses_a_language_not_offered(member, api_as, language):
    response = api_as(member).patch(f"{API}/me", {"language": language}, content_type=JSON)
    assert response.status_code == 400
    assert "language" in response.json()["errors"]
    member.refresh_from_db()
    assert member.language == ""


def test_the_api_refuses_a_language_as_a_number(member, api_as):
    response = api_as(member).patch(f"{API}/me", {"language": 1}, content_type=JSON)
    assert response.status_code in {400, 422}


def test_another_persons_profile_does_not_show_their_language(member, admin, api_as):
    member.language = "de"
    member.save(update_fields=["language"])
    body = api_as(admin).get(f"{API}/people/{member.pk}").json()
    assert "language" not in body


def test_for_person_renders_in_the_persons_language_and_falls_back_to_the_default(member):
    from django.utils.translation import gettext
    member.language = "de"
    with for_person(member):
        assert gettext("Sign out") == "Abmelden"
    member.language = ""
    with for_person(member):
        assert gettext("Sign out") == "Sign out"


def test_the_password_reset_email_is_in_the_persons_language(member):
    member.language = "de"
    member.save(update_fields=["language"])
    # Asked for from an English browser: the email still follows the person's choice.
    Client().post(reverse("accounts:password-reset"), {"email": member.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Ihr Learnloop-Passwort zurücksetzen"
    assert "Hallo Mo," in message.body
    assert "Jemand hat verlangt" in message.body


def test_the_password_reset_email_stays_english_without_a_choice(member):
    Client().post(reverse("accounts:password-reset"), {"email": member.email}, HTTP_ACCEPT_LANGUAGE="de")
    assert mail.outbox[0].subject == "Reset your Learnloop password"


def test_an_invitation_is_written_in_the_inviting_admins_language(admin, admin_client):
    admin.language = "de"
    admin.save(update_fields=["language"])
    admin_client.post(reverse("org:invitations"), {
        "email": "jana.mueller@example.org", "full_name": "Jana Müller", "title": "", "role": "member",
        "team": "", "team_role": "member",
    })
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Ada Admin hat Sie zu Learnloop eingeladen"
    assert mail.outbox[0].body.startswith("Hallo Jana Müller,")


def test_nobody_else_sets_a_persons_language(admin, member):
    from django.core.exceptions import PermissionDenied

    from learnloop.org.services import update_person
    with pytest.raises(PermissionDenied):
        update_person(by=admin, person=member, language="de")
    assert factories.person(full_name="Jana Müller").language == ""
