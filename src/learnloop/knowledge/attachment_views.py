"""Attaching files to an entry, downloading and removing them (attachments.py decides what is
accepted and who may)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.knowledge import attachments, selectors
from learnloop.knowledge.models import Attachment


def _attachment(request, entry_id: int, attachment_id: int) -> Attachment:
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)  # 404 unless visible
    attachment = Attachment.objects.filter(pk=attachment_id, entry=entry).first()
    if attachment is None:
        raise Http404("No such attachment.")
    attachment.entry = entry
    return attachment


@login_required
@require_POST
def attachment_add(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    try:
        attachment = attachments.attach(by=request.user, entry=entry, upload=request.FILES.get("file"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("“%(name)s” was attached.") % {"name": attachment.name})
    return redirect(reverse("knowledge:entry", args=[entry.pk]) + "#attachments")


@login_required
def attachment_download(request, entry_id: int, attachment_id: int):
    return attachments.download_response(_attachment(request, entry_id, attachment_id))


@login_required
@require_POST
def attachment_remove(request, entry_id: int, attachment_id: int):
    attachment = _attachment(request, entry_id, attachment_id)
    attachments.remove(by=request.user, attachment=attachment)
    messages.success(request, gettext("“%(name)s” was removed.") % {"name": attachment.name})
    return redirect(reverse("knowledge:entry", args=[entry_id]) + "#attachments")
