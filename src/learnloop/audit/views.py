from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from learnloop.audit.forms import AuditFilterForm
from learnloop.audit.selectors import audit_events


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


@login_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    until = filters.get("until")
    events = audit_events(
        viewer=request.user,
        kind=filters.get("kind") or None,
        actor=filters.get("actor") or None,
        since=_start_of(filters.get("since")),
        until=_start_of(until + timedelta(days=1)) if until else None,
    ).select_related("actor")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query_string": f"{query.urlencode()}&" if query else ""},
    )
