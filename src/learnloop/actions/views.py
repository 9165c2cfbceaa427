"""Action pages: my actions, a team's board, an action with its comments and checks, the editor.

Views parse, call a selector or a service, and render. An action the viewer may not see is a
404 (selectors.action_for); every change is checked again by its service (PermissionDenied is a
403). Comments post with htmx and come back as a partial; status changes are plain forms.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.actions import permissions, repeats, selectors, services
from learnloop.actions.forms import (
    AcceptEvidenceForm,
    ActionExportForm,
    ActionForm,
    CheckForm,
    CommentForm,
    CompleteForm,
    DeclineForm,
    PolicyForm,
    SimilarForm,
    teams_for,
)
from learnloop.actions.models import Status
from learnloop.org.models import Team
from learnloop.web.forms import apply_validation_error
from learnloop.web.tables import export_response

DEFAULT_CHECK_AFTER = timedelta(days=30)


# --- lists ---------------------------------------------------------------------------------------


@login_required
def my_actions(request):
    today = timezone.localdate()
    mine = selectors.mark_overdue(selectors.my_actions(request.user).order_by("due_on", "id"), today=today)
    context = {
        "to_do": [action for action in mine if action.status in (Status.OPEN, Status.IN_PROGRESS)],
        "checks": [action for action in mine if action.check_pending],
        "today": today,
        "teams": teams_for(request.user),
    }
    return render(request, "actions/my_actions.html", context)


@login_required
def team_board(request, team_id: int):
    team = get_object_or_404(Team, pk=team_id)
    if not permissions.can_see_team(request.user, team):
        raise PermissionDenied(
            gettext("Only members and facilitators of %(team)s, learning leads and admins see its board.")
            % {"team": team.name}
        )
    policy = services.policy_for(team)
    can_manage = permissions.can_manage_team_actions(request.user, team)
    form = None
    if can_manage:
        form = PolicyForm(
            request.POST or None,
            initial={
                "overdue_grace_days": policy.overdue_grace_days,
                "remind_days_before": policy.remind_days_before,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.set_team_policy(by=request.user, team=team, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, gettext("%(team)s's overdue rule was saved.") % {"team": team.name})
                return redirect("actions:team", team.pk)
    elif request.method == "POST":
        raise PermissionDenied(
            gettext("Only facilitators of %(team)s, learning leads and admins can change its rules.")
            % {"team": team.name}
        )
    context = {
        "team": team,
        "columns": selectors.team_board(team),
        "policy": policy,
        "policy_form": form,
        "can_create": permissions.can_create(request.user, team=team, owner=None),
        "today": timezone.localdate(),
    }
    return render(request, "actions/team_board.html", context)


# --- creating and editing ----------------------------------------------------------------------


@login_required
def action_create(request):
    initial = {"owner": request.user.pk}
    team_id = request.GET.get("team", "")
    if team_id.isdigit():
        initial["team"] = int(team_id)
    form = ActionForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            repeat_of = repeats.resolve_repeat_of(request.user, form.cleaned_data["repeat_of"])
            action = services.create_action(by=request.user, repeat_of=repeat_of, **form.service_arguments())
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("“%(title)s” was added.") % {"title": action.title})
            return redirect("actions:detail", action.pk)
    return render(request, "actions/action_form.html", {"form": form, "action": None})


@login_required
def action_edit(request, action_id: int):
    action = selectors.action_for(viewer=request.user, action_id=action_id)
    permissions.require_change(request.user, action)
    initial = {
        "title": action.title,
        "description": action.description,
        "team": action.team_id,
        "owner": action.owner_id,
        "due_on": action.due_on,
        "priority": action.priority,
    }
    form = ActionForm(request.POST or None, viewer=request.user, initial=initial)
    if action.team_id and action.team not in form.fields["team"].queryset:
        form.fields["team"].queryset = form.fields["team"].queryset | Team.objects.filter(pk=action.team_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(by=request.user, action=action, **form.service_arguments())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("“%(title)s” was saved.") % {"title": action.title})
            return redirect("actions:detail", action.pk)
    return render(request, "actions/action_form.html", {"form": form, "action": action})


@login_required
@require_POST
def similar(request):
    """The action form's "agreed before" warning, asked for while the title is typed."""
    form = SimilarForm(request.POST)
    found = None
    chosen = None
    if form.is_valid():
        data = form.cleaned_data
        found = repeats.earlier_actions(viewer=request.user, title=data["title"] or "", team=data["team"])
        chosen = data["repeat_of"]
    return render(request, "actions/_similar.html", {"found": found, "chosen": chosen})


def _repeats_page(request, *, team):
    clusters = repeats.repeat_clusters(viewer=request.user, team=team)
    return render(
        request,
        "actions/repeats.html",
        {
            "team": team,
            "clusters": clusters,
            "today": timezone.localdate(),
            "worked_yet_repeated": sum(1 for cluster in clusters if cluster.worked_yet_repeated),
        },
    )


@login_required
def team_repeats(request, team_id: int):
    team = get_object_or_404(Team, pk=team_id)
    if not permissions.can_see_team(request.user, team):
        raise PermissionDenied(
            gettext("Only members and facilitators of %(team)s, learning leads and admins see this.")
            % {"team": team.name}
        )
    return _repeats_page(request, team=team)


@login_required
def organization_repeats(request):
    if not request.user.is_learning_lead:
        raise PermissionDenied(gettext("Only learning leads and admins see the whole organization's repeats."))
    return _repeats_page(request, team=None)


# --- an action's page --------------------------------------------------------------------------


def _detail(request, action, *, status: int = 200, **forms):
    today = timezone.localdate()
    selectors.mark_overdue([action], today=today)
    context = {
        "action": action,
        "can_change": permissions.can_change(request.user, action),
        "comments": action.comments.select_related("author"),
        "repeat_of": action.repeat_of
        if action.repeat_of and permissions.can_view(request.user, action.repeat_of)
        else None,
        "agreed_again": selectors.visible_actions(viewer=request.user)
        .filter(repeat_of=action)
        .order_by("created_at", "id"),
        "complete_form": forms.get("complete_form") or CompleteForm(initial={"check_on": today + DEFAULT_CHECK_AFTER}),
        "check_form": forms.get("check_form") or CheckForm(),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "evidence_proposals": selectors.evidence_proposals(action),
        "accept_form": forms.get("accept_form") or AcceptEvidenceForm(),
        "today": today,
        **selectors.lessons_around(viewer=request.user, action=action),
    }
    return render(request, "actions/action_detail.html", context, status=status)


@login_required
def action_detail(request, action_id: int):
    return _detail(request, selectors.action_for(viewer=request.user, action_id=action_id))


def _transition(request, action_id: int, form_class, form_name: str, run, success: str):
    action = selectors.action_for(viewer=request.user, action_id=action_id)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _detail(request, action, status=400, **{form_name: form})
    try:
        run(action, form)
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("actions:detail", action.pk)
        apply_validation_error(form, error)
        return _detail(request, action, status=400, **{form_name: form})
    messages.success(request, success)
    return redirect("actions:detail", action.pk)


@login_required
@require_POST
def action_start(request, action_id: int):
    return _transition(
        request,
        action_id,
        None,
        "",
        lambda action, _form: services.start_action(by=request.user, action=action),
        "Started. Good luck!",
    )


@login_required
@require_POST
def action_complete(request, action_id: int):
    def run(action, form):
        services.complete_action(by=request.user, action=action, **form.service_arguments())

    return _transition(request, action_id, CompleteForm, "complete_form", run, gettext("Marked done."))


@login_required
@require_POST
def action_check(request, action_id: int):
    def run(action, form):
        services.record_effectiveness(by=request.user, action=action, **form.cleaned_data)

    return _transition(request, action_id, CheckForm, "check_form", run, gettext("Thanks: the check is recorded."))


@login_required
@require_POST
def action_accept_evidence(request, action_id: int, proposal_id: int):
    proposal = selectors.proposal_for(viewer=request.user, action_id=action_id, proposal_id=proposal_id)

    def run(action, form):
        services.accept_evidence(by=request.user, proposal=proposal, effect=form.cleaned_data["effect"])

    return _transition(
        request,
        action_id,
        AcceptEvidenceForm,
        "accept_form",
        run,
        gettext("Accepted: the evidence is part of the check."),
    )


@login_required
@require_POST
def action_decline(request, action_id: int):
    def run(action, form):
        services.decline_action(by=request.user, action=action, reason=form.cleaned_data["reason"])

    return _transition(request, action_id, DeclineForm, "decline_form", run, gettext("Marked as not doing."))


@login_required
@require_POST
def action_reopen(request, action_id: int):
    return _transition(
        request,
        action_id,
        None,
        "",
        lambda action, _form: services.reopen_action(by=request.user, action=action),
        gettext("Reopened."),
    )


@login_required
@require_POST
def action_comment(request, action_id: int):
    action = selectors.action_for(viewer=request.user, action_id=action_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(by=request.user, action=action, body=form.cleaned_data["body"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = CommentForm()
    if request.htmx:
        context = {"action": action, "comments": action.comments.select_related("author"), "comment_form": form}
        # 200 even with errors: htmx doesn't swap 4xx responses, and the form must show its error.
        return render(request, "actions/_comments.html", context)
    if form.errors:
        return _detail(request, action, status=400, comment_form=form)
    return redirect("actions:detail", action.pk)


@login_required
def action_export(request):
    """The actions the viewer may see, filtered like the page that links here, as CSV or JSON."""
    form = ActionExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.problem())
    actions = selectors.filtered_actions(viewer=request.user, **form.filters())
    return export_response(
        fmt=form.format_name(),
        filename="actions",
        columns=selectors.EXPORT_COLUMNS,
        rows=selectors.export_rows(actions),
    )
