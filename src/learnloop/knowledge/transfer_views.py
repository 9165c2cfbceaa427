"""Import Markdown files into the knowledge base, and download it as Markdown plus JSON.

Like the CSV import: the first post checks the files and shows a report; only after a clean
check does "Import" write them, from the checked text the page kept, all or nothing.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from learnloop.audit.request import client_ip
from learnloop.knowledge.transfer import MAX_TOTAL_BYTES, export_zip, import_markdown, read_uploads


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class MarkdownImportForm(forms.Form):
    files = MultipleFileField(
        required=False,
        label="Markdown files, or a .zip of them",
        help_text=format_lazy(
            gettext_lazy("Up to {megabytes} MB in all. An export from here can be imported as it is."),
            megabytes=MAX_TOTAL_BYTES // 1024 // 1024,
        ),
    )

    def __init__(self, *args, bundle: str | None = "", **kwargs):
        # After a clean check the page keeps the files' text (`bundle`), so "Import" writes
        # exactly what was checked without asking for the files again; it is checked again.
        # It is not a form field, so a page showing problems never carries it forward.
        super().__init__(*args, **kwargs)
        self.bundle = bundle
        self.fields["files"].required_in_practice = True

    def clean(self):
        cleaned = super().clean()
        uploads = cleaned.get("files") or []
        if uploads:
            cleaned["read"] = read_uploads([(upload.name, upload.read()) for upload in uploads])
        elif self.bundle or self.bundle is None:
            try:
                if self.bundle is None:
                    raise ValueError("the kept text was refused")
                files = [(str(name), str(text)) for name, text in json.loads(self.bundle)]
            except (ValueError, TypeError):
                self.add_error("files", gettext("The checked files were lost; choose them again."))
            else:
                cleaned["read"] = (files, [])
        else:
            self.add_error("files", gettext("Choose Markdown files or a .zip to import."))
        return cleaned


class ImportConfirmForm(forms.Form):
    """The hidden part of the page after a clean check: the checked files' text and "import it"."""

    # The checked text as JSON: at most the upload limit, each byte written as at most six characters.
    bundle = forms.CharField(required=False, strip=False, max_length=6 * MAX_TOTAL_BYTES)
    confirm = forms.BooleanField(required=False)


@login_required
def transfer_page(request):
    kept = ImportConfirmForm(request.POST or None)
    # A kept text the page could not have written (too long, a NUL) counts as lost (bundle None).
    kept_data = kept.cleaned_data if kept.is_valid() else {"bundle": None, "confirm": False}
    form = MarkdownImportForm(request.POST or None, request.FILES or None, bundle=kept_data["bundle"])
    report, bundle = None, ""
    if request.method == "POST" and form.is_valid():
        files, read_errors = form.cleaned_data["read"]
        # Only the confirmation of a checked bundle imports; new uploads are always checked first.
        confirmed = kept_data["confirm"] and not form.cleaned_data.get("files")
        report = import_markdown(
            by=request.user,
            files=files,
            dry_run=not confirmed,
            read_errors=read_errors,
            ip_address=client_ip(request),
            via="web",
        )
        if report.imported:
            messages.success(request, report.summary())
            return redirect("knowledge:transfer")
        if report.ok:
            bundle = json.dumps(
                [(name, data.decode("utf-8") if isinstance(data, bytes) else data) for name, data in files]
            )
    return render(request, "knowledge/transfer_page.html", {"form": form, "report": report, "bundle": bundle})


@login_required
@require_POST
def transfer_export(request):
    """Every entry the signed-in person may see, as a zip of Markdown files and entries.json."""
    data, _ = export_zip(by=request.user, ip_address=client_ip(request))
    response = HttpResponse(data, content_type="application/zip")
    filename = f"learnloop-knowledge-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
