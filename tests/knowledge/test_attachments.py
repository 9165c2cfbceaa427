"""Attachments: the type comes from the content, size and type limits, stored through Django's
storage, served only as downloads with nosniff, and permission-checked like the entry."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learnloop.knowledge import attachments, services
from learnloop.knowledge.models import Attachment
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _files_in_a_temporary_directory(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def lesson(member):
    return services.create_entry(by=member, kind="lesson", title="Pin images", body="By digest.")


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(("content", "expected"), [
    (PNG, "image/png"), (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"), (b"GIF89a...", "image/gif"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"), (b"%PDF-1.7\n", "application/pdf"),
    ("# Notes\nÜmlauts are fine.\n".encode(), "text/plain"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", None),
    (b"\xef\xbb\xbf  <html><script>alert(1)</script>", None), (b"<?xml version='1.0'?><x/>", None),
    (b"MZ\x90\x00\x03", None), (b"PK\x03\x04", None), (b"\xff\xfe\x00bad", None),
])
def test_the_type_comes_from_the_content(content, expected):
    assert attachments.detect_type(content) == expected


def test_attach_store_and_download(member, lesson, _files_in_a_temporary_directory):
    # A PNG named .html is a PNG; the name only names the download.
    attachment = attachments.attach(by=member, entry=lesson, upload=_upload("../../diagram.html", PNG))
    assert attachment.content_type == "image/png" and attachment.name == "diagram.html"
    stored = _files_in_a_temporary_directory / attachment.file.name
    assert stored.read_bytes() == PNG and "diagram" not in attachment.file.name
    response = signed_in_client(member).get(f"/knowledge/{lesson.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;") and "diagram.html" in response[
        "Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    page = signed_in_client(member).get(f"/knowledge/{lesson.pk}/").content.decode()
    assert f'src="/knowledge/{lesson.pk}/attachments/{attachment.pk}/"' in page


def test_what_is_refused(member, lesson, settings):
    with pytest.raises(Exception, match="can't be attached"):
        attachments.attach(by=member, entry=lesson, upload=_upload("logo.png", b"<svg onload='x'/>"))
    with pytest.raises(Exception, match="empty"):
        attachments.attach(by=member, entry=lesson, upload=_upload("a.txt", b""))
    too_big = b"a" * (attachments.MAX_BYTES + 1)
    with pytest.raises(Exception, match="at most 5 MB"):
        attachments.attach(by=member, entry=lesson, upload=_upload("big.txt", too_big))
    client = signed_in_client(member)
    answer = client.post(f"/knowledge/{lesson.pk}/attachments/new/",
                         {"file": _upload("page.html", b"<html><script>alert(1)</script></html>")}, follow=True)
    assert "can&#x27;t be attached" in answer.content.decode() or "can't be attached" in answer.content.decode()
    assert client.post(f"/knowledge/{lesson.pk}/attachments/new/", {}, follow=True).status_code == 200
    assert not Attachment.objects.exists()


def test_permissions_follow_the_entry(member, team, lesson):
    reader = factories.person()
    with pytest.raises(Exception, match="Only the author"):
        attachments.attach(by=reader, entry=lesson, upload=_upload("n.txt", b"notes"))
    assert signed_in_client(reader).post(f"/knowledge/{lesson.pk}/attachments/new/",
                                         {"file": _upload("n.txt", b"notes")}).status_code == 403
    attachment = attachments.attach(by=member, entry=lesson, upload=_upload("n.txt", b"notes"))
    url = f"/knowledge/{lesson.pk}/attachments/{attachment.pk}/"
    assert signed_in_client(reader).get(url).status_code == 200
    assert signed_in_client(reader).post(url + "remove/").status_code == 403
    # Team-only: someone outside the team can't download it (404, as for the entry).
    factories.membership(member, team)
    services.update_entry(by=member, entry=lesson, visibility="team", teams=[team])
    assert signed_in_client(reader).get(url).status_code == 404
    other = services.create_entry(by=member, kind="lesson", title="Other", body="x")
    assert signed_in_client(member).get(f"/knowledge/{other.pk}/attachments/{attachment.pk}/").status_code == 404
    assert signed_in_client(member).post(url + "remove/").status_code == 302
    assert not Attachment.objects.exists()
