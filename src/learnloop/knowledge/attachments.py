"""Images and files attached to entries, stored safely.

- **Type from the content, not the name**: the first bytes must be those of an allowed format
  (PNG, JPEG, GIF, WebP, PDF) or the file must be plain UTF-8 text (Markdown, CSV, logs) that does
  not start like markup. SVG, HTML and XML are refused: they can carry scripts. The type stored
  and sent is the detected one; the name the uploader gave only names the download.
- **Size**: at most MAX_BYTES, counted while reading (not taken from the request).
- **Stored** through Django's default storage (settings.STORAGES, under the data directory by
  default) under a random name.
- **Served** only by `download_response`: `Content-Disposition: attachment`, the detected type
  and `X-Content-Type-Options: nosniff`, so a browser never runs or renders it as a page; images
  still show in the entry page through <img>, which ignores the disposition.
- **Permissions**: anyone who may see the entry may download; its editors (author, owner side,
  learning leads, admins) attach files; they and the uploader remove them.
"""

import hashlib
import re
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext

from learnloop.knowledge.models import Attachment, Entry
from learnloop.knowledge.permissions import can_edit, require_edit, require_view

MAX_BYTES = 5 * 1024 * 1024
MAX_PER_ENTRY = 20

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# Every type an attachment can be sent with (the API documents its downloads with these).
SERVED_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain")
ALLOWED = "PNG, JPEG, GIF or WebP images, PDF, or plain text (Markdown, CSV, logs)"


def detect_type(content: bytes) -> str | None:
    """The content's type if it is one we accept, else None."""
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if _CONTROL.search(content):
        return None  # binary (an archive, an executable), not text
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        return None  # HTML, SVG, XML: markup that a browser might run
    return "text/plain"


def clean_name(name: str) -> str:
    """A download name without paths, control characters or quotes; the detected type decides
    nothing about it, and it decides nothing about the type."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]", "", name).strip(" .")
    return name[:200] or "attachment"


def _read_limited(upload) -> bytes:
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > MAX_BYTES:
            raise ValidationError(
                {"file": gettext("Files can be at most %(megabytes)s MB.") % {"megabytes": MAX_BYTES // (1024 * 1024)}}
            )
        chunks.append(chunk)
    return b"".join(chunks)


def attach(*, by, entry: Entry, upload) -> Attachment:
    require_edit(by, entry)
    if upload is None:
        raise ValidationError({"file": gettext("Choose a file to attach.")})
    content = _read_limited(upload)
    if not content:
        raise ValidationError({"file": gettext("This file is empty.")})
    content_type = detect_type(content)  # a text must be text throughout, not just at its start
    if content_type is None:
        raise ValidationError(
            {"file": gettext("This kind of file can't be attached. Attach %(allowed)s.") % {"allowed": ALLOWED}}
        )
    if entry.attachments.count() >= MAX_PER_ENTRY:
        raise ValidationError({"file": gettext("An entry holds at most %(max)s attachments.") % {"max": MAX_PER_ENTRY}})
    with transaction.atomic():
        attachment = Attachment(
            entry=entry,
            name=clean_name(getattr(upload, "name", "")),
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save("upload", ContentFile(content), save=False)
        attachment.save()
    return attachment


def remove(*, by, attachment: Attachment) -> None:
    require_view(by, attachment.entry)
    if by.pk != attachment.uploaded_by_id and not can_edit(by, attachment.entry):
        raise PermissionDenied(gettext("Only the entry's editors and the person who attached it can remove it."))
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def download_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if something rendered it, it could run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
