"""Survey pages: instruments, campaigns, the response form, reports, trends and focus areas.

Views parse, call a service or a report function, and render. Results come only from
reports.py, which reads only what the disclosure gate released.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.org.models import Organization, Team
from learnloop.surveys import attributes, permissions, release, reports, selectors, services
from learnloop.surveys.disclosure_gate import ORGANIZATION, GroupKey
from learnloop.surveys.forms import (
    CampaignForm,
    FocusForm,
    FocusTeamForm,
    InstrumentForm,
    LaunchForm,
    ResponseForm,
    ThresholdForm,
)
from learnloop.surveys.models import Campaign, CampaignStatus, Instrument
from learnloop.surveys.references import focus_lessons
from learnloop.web.forms import ExportForm, apply_validation_error
from learnloop.web.tables import export_response


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- instruments -----------------------------------------------------------------------------------


@login_required
def instrument_list(request):
    services.install_built_in_instruments()
    return render(request, "surveys/instruments.html", {
        "instruments": selectors.instruments(), "can_manage": permissions.can_manage_surveys(request.user),
    })


@login_required
def instrument_detail(request, slug):
    instrument = get_object_or_404(Instrument, slug=slug)
    can_manage = permissions.can_manage_surveys(request.user)
    form = InstrumentForm(request.POST or None, initial={"source": instrument.source})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only learning leads and admins can edit instruments.")
        if form.is_valid():
            try:
                services.update_instrument(by=request.user, instrument=instrument, text=form.cleaned_data["source"])
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Saved %(name)s.") % {"name": instrument.name})
                return redirect("surveys:instrument", slug=instrument.slug)
    return render(request, "surveys/instrument.html", {
        "instrument": instrument, "items": services.questions_of(instrument), "form": form, "can_manage": can_manage,
    }, status=400 if form.errors else 200)


@login_required
def instrument_import(request):
    permissions.require_manage_surveys(request.user)
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.import_instrument(by=request.user, text=form.cleaned_data["source"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Imported %(name)s.") % {"name": instrument.name})
            return redirect("surveys:instrument", slug=instrument.slug)
    return render(request, "surveys/instrument_import.html", {"form": form}, status=400 if form.errors else 200)


# --- campaigns -------------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    return render(request, "surveys/campaigns.html", {
        "campaigns": selectors.campaigns(), "can_manage": permissions.can_manage_surveys(request.user),
        "k": Organization.current().anonymity_threshold, "is_admin": request.user.is_admin,
    })


@login_required
@require_POST
def threshold(request):
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["k"]))
        return redirect("surveys:campaigns")
    k = form.cleaned_data["k"]
    try:
        services.set_anonymity_threshold(by=request.user, k=k)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Results are now shown only for groups of at least %(k)s.") % {"k": k})
    return redirect("surveys:campaigns")


@login_required
def campaign_create(request):
    permissions.require_manage_surveys(request.user)
    services.install_built_in_instruments()
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(
                by=request.user, name=data["name"], instrument=data["instrument"], opens_on=data["opens_on"],
                closes_on=data["closes_on"], teams=data["teams"],
                whole_organization=data["whole_organization"] or not data["teams"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("surveys:campaign", campaign_id=campaign.pk)
    return render(request, "surveys/campaign_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def campaign_detail(request, campaign_id):
    campaign = get_object_or_404(Campaign.objects.select_related("instrument"), pk=campaign_id)
    can_manage = permissions.can_manage_surveys(request.user)
    launching = can_manage and campaign.status == CampaignStatus.DRAFT
    return render(request, "surveys/campaign.html", {
        "campaign": campaign, "can_manage": can_manage, "closing": release.closing_state(campaign),
        "participation": selectors.participation(campaign) if can_manage else None,
        "launch_attributes": attributes.available_attributes() if launching else (),
        "default_attributes": attributes.BUILT_IN,
        "recorded_attributes": attributes.recorded_attributes(campaign.generalization),
    })


@login_required
def campaign_state(request, campaign_id):
    """The status line alone, polled by the campaign page while the campaign is closing."""
    campaign = get_object_or_404(Campaign.objects.select_related("instrument"), pk=campaign_id)
    return render(request, "surveys/_campaign_state.html", {
        "campaign": campaign, "closing": release.closing_state(campaign),
    })


def _campaign_action(request, campaign_id, run, done: str):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    try:
        result = run(campaign)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, done % {"result": result})
    return redirect("surveys:campaign", campaign_id=campaign.pk)


@login_required
@require_POST
def campaign_launch(request, campaign_id):
    # The launch form always says which attributes to record (none ticked: none); a bare POST
    # records tenure and role, as before attributes could be chosen.
    form = LaunchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect("surveys:campaign", campaign_id=campaign_id)
    chosen = form.attributes_to_record()
    return _campaign_action(
        request, campaign_id,
        lambda c: services.launch_campaign(by=request.user, campaign=c, attributes_to_record=chosen),
        _("Launched: %(result)s people invited."))


@login_required
@require_POST
def campaign_remind(request, campaign_id):
    return _campaign_action(request, campaign_id, lambda c: services.send_reminders(by=request.user, campaign=c),
                            _("Reminders queued for %(result)s people."))


@login_required
@require_POST
def campaign_close(request, campaign_id):
    return _campaign_action(
        request, campaign_id, lambda c: services.begin_closing_campaign(by=request.user, campaign=c),
        _("Closed to answers. Deciding what may be shown; the results appear here when that is done."))


# --- responding --------------------------------------------------------------------------------------


def respond(request, token):
    """The single-use link. It needs no sign-in: the link is the credential, and nothing ties the
    answers to a session or account."""
    try:
        invitation = services.invitation_for_token(token)
    except ValidationError as error:
        return render(request, "surveys/respond_done.html", {"message": _error_text(error)}, status=410)
    campaign = invitation.campaign
    items = services.questions_of(campaign.instrument)
    errors, submitted = {}, {}
    form = ResponseForm(request.POST or None, items=items)
    if request.method == "POST":
        submitted = {key: form.data.get(key, "") for key in form.answer_keys}
        try:
            if not form.is_valid():
                raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
            services.submit_response(token=token, answers=form.answers(), comment=form.cleaned_data["comment"])
        except ValidationError as error:
            errors = {field: " ".join(problems) for field, problems in error.message_dict.items()} \
                if hasattr(error, "error_dict") else {"__all__": _error_text(error)}
        else:
            # The named advice questions, if any, are answered apart, signed in (surveys/advice.py).
            named = campaign.instrument.items.filter(kind="advice").exists()
            return render(request, "surveys/respond_done.html", {
                "message": _("Thank you. Your answers are stored without your name or the time you sent them."),
                "advice_url": reverse("surveys:advice", args=[campaign.pk]) if named else "",
            })
    instrument = campaign.instrument
    scale = list(zip(range(instrument.scale_min, instrument.scale_max + 1), instrument.labels, strict=False))
    questions = [
        {"item": item, "error": errors.get(item.key, ""), "value": str(submitted.get(item.key, ""))} for item in items
    ]
    return render(request, "surveys/respond.html", {
        "campaign": campaign, "questions": questions, "scale": scale, "outcome_range": range(0, 11),
        "errors": errors, "general_error": errors.get("__all__", ""), "comment": form.data.get("comment", ""),
    }, status=400 if errors else 200)


# --- reports -----------------------------------------------------------------------------------------


@login_required
def report(request, campaign_id):
    campaign = get_object_or_404(Campaign.objects.select_related("instrument"), pk=campaign_id)
    report = reports.CampaignReport(campaign, request.user)
    context = {"campaign": campaign, "reason": report.not_shown_reason}
    if not report.not_shown_reason:
        key = GroupKey.parse(request.GET.get("group", ORGANIZATION))
        chosen = report.detail(key)
        if chosen is None:
            context["group_reason"] = report.withheld_reason(key)
        team = None
        if key.node != ORGANIZATION:
            team = Team.objects.filter(pk=int(key.node)).first() if key.node.isdigit() else None
        context.update({
            "heat": report.heatmap(), "detail": chosen, "key": key,
            "breakdowns": report.breakdowns(key.node),
            "breakdown_by": " and ".join(label.lower() for _, label in
                                         attributes.recorded_attributes(campaign.generalization)),
            "comments": report.comments(key.node),
            "team": team,
            "can_focus": bool(team and chosen and permissions.can_choose_focus(request.user, team)),
            # The instrument's dimensions as the report read them (no query of their own).
            "focus_form": FocusForm(dimensions=report.dimensions, team=team, viewer=request.user,
                                    initial={"owner": request.user.pk}),
        })
    return render(request, "surveys/report.html", context)


@login_required
@require_POST
def focus_create(request, campaign_id):
    campaign = get_object_or_404(Campaign.objects.select_related("instrument"), pk=campaign_id)
    team_form = FocusTeamForm(request.POST)
    if not team_form.is_valid():
        messages.error(request, " ".join(team_form.errors["team"]))
        return redirect("surveys:report", campaign.pk)
    team = team_form.cleaned_data["team"]
    form = FocusForm(request.POST, dimensions=campaign.instrument.dimensions.all(), team=team, viewer=request.user)
    target = reverse("surveys:report", args=[campaign.pk]) + f"?group={team.pk}"
    if not form.is_valid():
        problems = "; ".join(f"{form.fields[name].label or name}: {' '.join(errors)}"
                             for name, errors in form.errors.items())
        messages.error(request, _("Choose a dimension to focus on and its owner (%(problems)s).") % {
            "problems": problems})
        return redirect(target)
    try:
        focus = services.choose_focus_area(
            by=request.user, campaign=campaign, team=team, dimension_key=form.cleaned_data["dimension"],
            owner=form.cleaned_data["owner"], title=form.cleaned_data["title"], due_on=form.cleaned_data["due_on"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(target)
    messages.success(request, _("%(team)s now works on %(dimension)s; the action is on the team's board.") % {
        "team": team.name, "dimension": focus.dimension_name})
    return redirect(target)


@login_required
def trends(request):
    node = request.GET.get("team", ORGANIZATION)
    if node != ORGANIZATION and not node.isdigit():
        raise Http404
    if node != ORGANIZATION and not reports.node_visible_in_any(node, viewer=request.user):
        raise Http404
    data = reports.trends(node, viewer=request.user)
    data["focus"] = focus_lessons(data["focus"], viewer=request.user)
    team = Team.objects.filter(pk=int(node)).first() if node.isdigit() else None
    rows = [
        {"key": key, "name": name, "values": [point["scores"].get(key) for point in data["points"]],
         "focus": [focus for focus in data["focus"] if focus.dimension_key == key]}
        for key, name in data["dimensions"].items()
    ]
    return render(request, "surveys/trends.html", {"data": data, "rows": rows, "team": team, "node": node})


@login_required
def report_export(request, campaign_id):
    """The released figures the report page can show this viewer, as CSV or JSON (docs/exports.md)."""
    campaign = get_object_or_404(Campaign.objects.select_related("instrument"), pk=campaign_id)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.problem())
    report = reports.CampaignReport(campaign, request.user)
    if report.not_shown_reason:
        return HttpResponse(report.not_shown_reason, status=409, content_type="text/plain; charset=utf-8")
    return export_response(fmt=form.format_name(), filename=f"survey-{campaign.pk}-report",
                           columns=reports.EXPORT_COLUMNS, rows=reports.export_rows(report))
