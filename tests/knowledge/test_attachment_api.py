"""Attachments through the API: the page's rules (type from the content, permissions, downloads
that never render) hold for API clients too."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learnloop.knowledge import services
from learnloop.knowledge.models import Attachment
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _files_in_a_temporary_directory(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def lesson(member):
    return services.create_entry(by=member, kind="lesson", title="Pin images", body="By digest.")


def _url(entry, attachment_id=None):
    base = f"/api/v1/knowledge/entries/{entry.pk}/attachments"
    return base if attachment_id is None else f"{base}/{attachment_id}"


def test_upload_list_download_and_remove(member, lesson):
    client = factories.token_client(member)
    response = client.post(_url(lesson), {"file": SimpleUploadedFile("../plan.html", PNG)})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["content_type"] == "image/png" and created["name"] == "plan.html"
    assert created["size"] == len(PNG) and created["uploaded_by"]["id"] == member.pk

    listed = client.get(_url(lesson)).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]

    download = client.get(created["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff" and "sandbox" in download["Content-Security-Policy"]

    assert client.delete(_url(lesson, created["id"])).status_code == 204
    assert not Attachment.objects.exists()


def test_active_content_and_missing_files_are_refused_with_a_message(member, lesson):
    client = factories.token_client(member)
    svg = SimpleUploadedFile("x.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")
    refused = client.post(_url(lesson), {"file": svg})
    assert refused.status_code == 400 and "can't be attached" in refused.content.decode()
    missing = client.post(_url(lesson), {})
    assert missing.status_code in (400, 422) and "file" in missing.content.decode()
    assert not Attachment.objects.exists()


def test_who_may_not_see_the_entry_gets_404_and_readers_may_not_upload(member, lesson):
    team = factories.team(name="Payments")
    hidden = services.create_entry(by=member, kind="lesson", title="Team only", body="x", teams=[team],
                                   owner_team=team, visibility="team")
    reader = factories.person(email="rea.der@example.org", full_name="Rea Der")
    reader_client = factories.token_client(reader)
    # A reader of an organization-wide entry may list and download, not attach nor remove.
    owner_client = factories.token_client(member)
    created = owner_client.post(_url(lesson), {"file": SimpleUploadedFile("a.png", PNG)}).json()
    assert reader_client.get(_url(lesson)).status_code == 200
    assert reader_client.get(created["download_url"]).status_code == 200
    assert reader_client.post(_url(lesson), {"file": SimpleUploadedFile("b.png", PNG)}).status_code == 403
    assert reader_client.delete(_url(lesson, created["id"])).status_code == 403
    # Another entry's id in the path finds nothing.
    other = services.create_entry(by=member, kind="lesson", title="Other", body="x")
    assert reader_client.get(_url(other, created["id"])).status_code == 404
    assert reader_client.get(_url(hidden)).status_code == 404
    assert reader_client.post(_url(hidden), {"file": SimpleUploadedFile("c.png", PNG)}).status_code == 404
