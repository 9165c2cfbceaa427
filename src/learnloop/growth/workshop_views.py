"""Workshop pages: the list (upcoming and past), planning and changing one, its page (sign up,
cancel, give feedback) and the hosts' page (sign-ups, attendance, feedback). Every form posts,
calls growth.workshops and redirects; on an error the page comes back with the message on the
form and what was typed kept."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from learnloop.growth import workshop_forms as forms
from learnloop.growth import workshop_selectors as selectors
from learnloop.growth import workshops as services
from learnloop.growth.forms import ButtonForm
from learnloop.growth.views import _attempt
from learnloop.growth.workshop_permissions import can_manage
from learnloop.knowledge.models import Entry
from learnloop.knowledge.permissions import can_view as can_view_entry

PER_PAGE = 50


def _materials(viewer, numbers) -> list:
    entries = {e.pk: e for e in Entry.objects.filter(pk__in=numbers)}
    missing = [n for n in numbers if n not in entries or not can_view_entry(viewer, entries[n])]
    if missing:
        raise ValidationError({"materials": f"No knowledge entry number {', '.join(str(n) for n in missing)}."})
    return [entries[n] for n in numbers]


def _fields(viewer, data: dict) -> dict:
    fields = dict(data)
    fields["materials"] = _materials(viewer, data["materials"])
    fields["skills"] = list(data["skills"])
    fields["hosts"] = list(data["hosts"]) or None
    return fields


@login_required
def workshops(request):
    when_form = forms.WhenForm(request.GET)
    when = (when_form.cleaned_data["when"] if when_form.is_valid() else "") or "upcoming"
    page = Paginator(selectors.workshops(viewer=request.user, when=when), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "growth/workshops.html", {"page": page, "when": when})


@login_required
def create_workshop(request):
    form = forms.WorkshopForm(request.POST or None)
    created = []
    if request.method == "POST":
        def act(d):
            fields = _fields(request.user, d)
            if fields["hosts"] is None:
                fields.pop("hosts")
            created.append(services.create_workshop(by=request.user, **fields))

        if _attempt(form, act):
            return redirect("growth:workshop", created[0].pk)
    return render(request, "growth/workshop_form.html", {"form": form, "workshop": None,
                                                         "time_zone": timezone.get_current_timezone_name()})


@login_required
def edit_workshop(request, workshop_id):
    workshop = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    if not can_manage(request.user, workshop):
        return redirect("growth:workshop", workshop_id)
    initial = {
        "title": workshop.title, "format": workshop.format, "description": workshop.description,
        "starts_at": timezone.localtime(workshop.starts_at), "ends_at": timezone.localtime(workshop.ends_at),
        "place": workshop.place, "link": workshop.link, "capacity": workshop.capacity, "team": workshop.team_id,
        "skills": [s.pk for s in workshop.skills.all()], "hosts": [h.pk for h in workshop.hosts.all()],
        "materials": ", ".join(str(e.pk) for e in workshop.materials.all()),
    }
    form = forms.WorkshopForm(request.POST or None, initial=initial)
    if request.method == "POST":
        def act(d):
            fields = {name: value for name, value in _fields(request.user, d).items() if name in form.changed_data}
            if "hosts" in fields and fields["hosts"] is None:
                fields.pop("hosts")
            services.update_workshop(by=request.user, workshop=workshop, **fields)

        if _attempt(form, act):
            return redirect("growth:workshop", workshop_id)
    return render(request, "growth/workshop_form.html", {"form": form, "workshop": workshop,
                                                         "time_zone": timezone.get_current_timezone_name()})


@login_required
def workshop(request, workshop_id, failed=None):
    found = selectors.workshop_page(viewer=request.user, workshop_id=workshop_id)
    return render(request, "growth/workshop.html", {
        "found": found, "workshop": found.workshop, "feedback_form": forms.FeedbackForm(), **(failed or {})})


@login_required
@require_POST
def workshop_change(request, workshop_id, op):
    """Sign up, cancel one's place, cancel the workshop, close its feedback: buttons with no fields."""
    found = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    actions = {
        "signup": lambda d: services.sign_up(by=request.user, workshop=found),
        "leave": lambda d: services.cancel_signup(by=request.user, workshop=found),
        "cancel": lambda d: services.cancel_workshop(by=request.user, workshop=found),
        "close-feedback": lambda d: services.close_feedback(by=request.user, workshop=found),
    }
    if op not in actions:
        return redirect("growth:workshop", workshop_id)
    form = ButtonForm(request.POST)
    if _attempt(form, actions[op]):
        return redirect("growth:workshop_host" if op == "close-feedback" else "growth:workshop", workshop_id)
    if op == "close-feedback":
        return host(request, workshop_id, failed={"button_error": form})
    return workshop(request, workshop_id, failed={"button_error": form})


@login_required
@require_POST
def give_feedback(request, workshop_id):
    found = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    form = forms.FeedbackForm(request.POST)
    if _attempt(form, lambda d: services.give_feedback(by=request.user, workshop=found, rating=d["rating"],
                                                       comment=d["comment"])):
        return redirect("growth:workshop", workshop_id)
    return workshop(request, workshop_id, failed={"feedback_form": form})


@login_required
def host(request, workshop_id, failed=None):
    found = selectors.host_view(viewer=request.user, workshop_id=workshop_id)
    summary = found.feedback.summary
    bars = []
    if summary:
        top = max(summary["distribution"]) or 1
        bars = [(value, n, round(100 * n / top)) for value, n in zip(range(1, 6), summary["distribution"], strict=True)]
    return render(request, "growth/workshop_host.html", {
        "found": found, "workshop": found.workshop, "bars": bars,
        "attendance_form": forms.AttendanceForm(), **(failed or {})})


@login_required
@require_POST
def record_attendance(request, workshop_id):
    found = selectors.workshop_for_change(viewer=request.user, workshop_id=workshop_id)
    form = forms.AttendanceForm(request.POST)
    if _attempt(form, lambda d: services.record_attendance(by=request.user, workshop=found,
                                                           attended_ids=d["attended"])):
        return redirect("growth:workshop_host", workshop_id)
    return host(request, workshop_id, failed={"attendance_form": form})
