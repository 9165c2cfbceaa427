"""The learning-practice library page: what the library holds, what is already imported, and
(for admins) the button that imports the rest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from learnloop.audit.request import client_ip
from learnloop.knowledge.practice_library import can_import, import_library, imported_entry_ids, library
from learnloop.knowledge.selectors import visible_entries


@login_required
def practice_library_page(request):
    if request.method == "POST":
        if not can_import(request.user):
            raise PermissionDenied(gettext("Only admins import the learning-practice library."))
        report = import_library(by=request.user, ip_address=client_ip(request), via="web")
        messages.success(request, report.summary())
        return redirect("knowledge:practices")
    imported = imported_entry_ids()
    # Link only to the imported entries this person may see.
    visible = set(visible_entries(viewer=request.user).filter(pk__in=imported.values()).values_list("pk", flat=True))
    practices = [
        {"practice": practice, "entry_id": entry_id, "visible": entry_id in visible}
        for practice in library()
        for entry_id in [imported.get(practice.slug)]
    ]
    missing = sum(1 for row in practices if row["entry_id"] is None)
    return render(request, "knowledge/practice_library.html", {
        "practices": practices, "missing": missing, "can_import": can_import(request.user),
    })
