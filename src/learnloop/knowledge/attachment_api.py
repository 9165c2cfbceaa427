"""Attachments through the API: list, upload (multipart), download and remove.

The same rules as the entry page (attachments.py): type detected from the content, 5 MB, at
most 20 per entry, downloads always as attachments with nosniff and a sandboxing policy, and
only for people who may see the entry.
"""

from datetime import datetime

from django.http import Http404
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from learnloop.api_base import Id, Pagination, PersonRef, errors
from learnloop.knowledge import attachments, selectors
from learnloop.knowledge.models import Attachment

router = Router(tags=["knowledge"])


class KnowledgeAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: PersonRef
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(attachment):
        return f"/api/v1/knowledge/entries/{attachment.entry_id}/attachments/{attachment.pk}"


def _attachment(viewer, entry_id: int, attachment_id: int) -> Attachment:
    entry = selectors.entry_for(viewer=viewer, entry_id=entry_id)  # 404 unless visible
    attachment = Attachment.objects.select_related("uploaded_by").filter(pk=attachment_id, entry=entry).first()
    if attachment is None:
        raise Http404("No such attachment on this entry.")
    attachment.entry = entry
    return attachment


@router.get("/entries/{entry_id}/attachments", response={200: list[KnowledgeAttachmentOut], **errors(404)},
            summary="An entry's attachments, oldest first")
@paginate(Pagination)
def list_attachments(request, entry_id: Id):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    return entry.attachments.select_related("uploaded_by").order_by("created_at", "id")


@router.post(
    "/entries/{entry_id}/attachments",
    response={201: KnowledgeAttachmentOut, **errors(400, 403, 404)},
    summary="Attach a file to an entry (multipart form field `file`; the entry's editors)",
    description=(
        "PNG, JPEG, GIF or WebP images, PDF, or plain UTF-8 text, at most 5 MB and 20 per entry. "
        "The type is detected from the content; the file's name only names the download. "
        "SVG, HTML and XML are refused (400)."
    ),
)
def upload_attachment(request, entry_id: Id, file: File[UploadedFile]):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    attachment = attachments.attach(by=request.user, entry=entry, upload=file)
    return Status(201, attachment)


@router.get(
    "/entries/{entry_id}/attachments/{attachment_id}",
    response={200: None, **errors(404)},
    summary="Download an attachment (always as a download, with its detected type)",
    openapi_extra={"responses": {200: {
        "description": "The file, with the type detected when it was attached",
        "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in attachments.SERVED_TYPES}}}},
)
def download_attachment(request, entry_id: Id, attachment_id: Id):
    return attachments.download_response(_attachment(request.user, entry_id, attachment_id))


@router.delete("/entries/{entry_id}/attachments/{attachment_id}", response={204: None, **errors(403, 404)},
               summary="Remove an attachment (the entry's editors, or who attached it)")
def remove_attachment(request, entry_id: Id, attachment_id: Id):
    attachments.remove(by=request.user, attachment=_attachment(request.user, entry_id, attachment_id))
    return Status(204, None)
