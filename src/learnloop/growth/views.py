"""Growth pages: profiles (rate, suggestions, sharing), the framework (import, export, retire,
merge), team coverage (heat map and needs), development plans, learning paths and mentoring.
Every form posts, calls a service and redirects; on an error the page comes back with the
message on the form and what was typed kept."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.growth import forms, permissions, selectors, services, transfer
from learnloop.growth.models import PathStep, SkillStatus
from learnloop.knowledge.models import Entry
from learnloop.knowledge.permissions import can_view as can_view_entry
from learnloop.web.forms import apply_validation_error

PER_PAGE = 50


def _refused(form, error) -> None:
    if isinstance(error, transfer.ImportRejected):
        for message in error.messages:
            form.add_error(None, message)
    elif isinstance(error, ValidationError):
        apply_validation_error(form, error)
    else:
        form.add_error(None, str(error) or gettext("You can't do that."))


def _attempt(form, action):
    """Run `action(cleaned_data)` when the form is valid; True when it went through."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        _refused(form, error)
        return False
    return True


def _entry(viewer, number):
    if number is None:
        return None
    entry = Entry.objects.filter(pk=number).first()
    if entry is None or not can_view_entry(viewer, entry):
        raise ValidationError({"entry": f"No knowledge entry number {number}."})
    return entry


# --- profiles -----------------------------------------------------------------------------------


@login_required
def home(request):
    return profile(request, request.user.pk)


@login_required
def profile(request, person_id, failed=None):
    found = selectors.profile(viewer=request.user, person_id=person_id)
    context = {
        "profile": found, "person": found.person,
        "rate_form": forms.RateForm(initial={"level": 3}),
        "sharing_form": forms.SharingForm(initial={"shared": found.shared, "headline": found.headline}),
        "suggested_paths": selectors.suggested_paths(viewer=request.user, person=found.person) if found.is_own else [],
        **(failed or {}),
    }
    return render(request, "growth/profile.html", context)


@login_required
@require_POST
def rate(request, person_id):
    person, _, _ = selectors.visible_person(viewer=request.user, person_id=person_id)
    form = forms.RateForm(request.POST)
    if _attempt(form, lambda d: services.rate(by=request.user, person=person, skill=d["skill"], level=d["level"],
                                              note=d["note"])):
        return redirect("growth:profile", person_id)
    return profile(request, person_id, failed={"rate_form": form})


@login_required
@require_POST
def answer_suggestion(request):
    form = forms.SuggestionForm(request.POST)

    def act(d):
        skill = selectors.skills(status=SkillStatus.ACTIVE).filter(pk=d["skill"]).first()
        if skill is None:
            raise ValidationError({"skill": "That skill is not in the framework any more."})
        services.answer_suggestion(by=request.user, skill=skill, accept=d["answer"] == "accept", level=d["level"])

    if _attempt(form, act):
        return redirect("growth:home")
    return profile(request, request.user.pk, failed={"suggestion_form": form})


@login_required
@require_POST
def sharing(request):
    form = forms.SharingForm(request.POST)
    if _attempt(form, lambda d: services.set_sharing(by=request.user, person=request.user, shared=d["shared"],
                                                     headline=d["headline"])):
        return redirect("growth:home")
    return profile(request, request.user.pk, failed={"sharing_form": form})


@login_required
def people(request):
    page = Paginator(selectors.people_visible(viewer=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "growth/people.html", {"page": page})


# --- framework ----------------------------------------------------------------------------------


@login_required
def framework(request, failed=None):
    show_all = request.GET.get("all") == "1"
    context = {
        "categories": selectors.categories_with_skills(include_inactive=show_all), "show_all": show_all,
        "can_manage": permissions.can_manage_framework(request.user),
        "category_form": forms.CategoryForm(), "skill_form": forms.SkillForm(), "import_form": forms.ImportForm(),
        **(failed or {}),
    }
    return render(request, "growth/framework.html", context)


@login_required
def export(request, fmt):
    selectors.require_signed_in(request.user)
    if fmt == "csv":
        response = HttpResponse(transfer.export_csv(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(transfer.export_json(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="skills-framework.{fmt}"'
    return response


@login_required
@require_POST
def import_framework(request):
    form = forms.ImportForm(request.POST, request.FILES)

    def act(d):
        rows = transfer.parse_csv(d["content"]) if d["format"] == "csv" else transfer.parse_json(d["content"])
        transfer.import_rows(by=request.user, rows=rows)

    if _attempt(form, act):
        return redirect("growth:framework")
    return framework(request, failed={"import_form": form})


@login_required
@require_POST
def load_starter(request):
    form = forms.ButtonForm(request.POST)
    if _attempt(form, lambda d: transfer.load_starter(by=request.user)):
        return redirect("growth:framework")
    return framework(request, failed={"starter_form": form})


@login_required
@require_POST
def create_category(request):
    form = forms.CategoryForm(request.POST)
    if _attempt(form, lambda d: services.create_category(by=request.user, **d)):
        return redirect("growth:framework")
    return framework(request, failed={"category_form": form})


@login_required
@require_POST
def create_skill(request):
    form = forms.SkillForm(request.POST)
    if _attempt(form, lambda d: services.create_skill(by=request.user, **d)):
        return redirect("growth:framework")
    return framework(request, failed={"skill_form": form})


@login_required
def skill(request, skill_id, failed=None):
    selectors.require_signed_in(request.user)
    found = selectors.skill_detail(skill_id)
    context = {"skill": found, "can_manage": permissions.can_manage_framework(request.user),
               "can_edit": permissions.can_edit_skill(request.user, found),
               "edit_form": forms.SkillEditForm.for_skill(found),
               "retire_form": forms.RetireForm(), "merge_form": forms.MergeForm(), **(failed or {})}
    return render(request, "growth/skill.html", context)


@login_required
@require_POST
def skill_change(request, skill_id, op):
    found = selectors.skill_detail(skill_id)
    form_class = {"retire": forms.RetireForm, "merge": forms.MergeForm, "restore": forms.ButtonForm,
                  "edit": forms.SkillEditForm}.get(op)
    if form_class is None:
        raise Http404("No such change.")
    form = form_class(request.POST)
    actions = {
        "retire": lambda d: services.retire_skill(by=request.user, skill=found, reason=d["reason"]),
        "merge": lambda d: services.merge_skill(by=request.user, skill=found, into=d["into"]),
        "restore": lambda d: services.restore_skill(by=request.user, skill=found),
        "edit": lambda d: services.update_skill(by=request.user, skill=found, **d),
    }
    if _attempt(form, actions[op]):
        return redirect("growth:skill", skill_id)
    return skill(request, skill_id, failed={f"{op}_form": form})


# --- coverage -----------------------------------------------------------------------------------


def _level(request) -> int:
    form = forms.LevelForm(request.GET)
    return (form.cleaned_data.get("level") if form.is_valid() else None) or selectors.DEFAULT_COVERAGE_LEVEL


@login_required
def coverage(request):
    found = selectors.coverage(viewer=request.user, level=_level(request))
    chart = {"level": found.level, "teams": [t.name for t in found.teams], "skills": [s.name for s in found.skills],
             "cells": [[i, j, found.counts.get((t.pk, s.pk), 0)] for j, t in enumerate(found.teams)
                       for i, s in enumerate(found.skills)]}
    rows = [(t, [(found.counts.get((t.pk, s.pk), 0), found.needs.get((t.pk, s.pk))) for s in found.skills])
            for t in found.teams]
    return render(request, "growth/coverage.html", {"coverage": found, "rows": rows,
                                                    "chart": chart})


@login_required
def team(request, team_id, failed=None):
    found = selectors.team_coverage(viewer=request.user, team_id=team_id, level=_level(request))
    matrix = [(p, [found.levels.get((p.pk, s.pk)) for s in found.skills]) for p in found.members]
    return render(request, "growth/team.html", {"found": found, "matrix": matrix,
                                                "need_form": forms.NeedForm(), **(failed or {})})


@login_required
@require_POST
def set_need(request, team_id):
    found_team = selectors.team_for(viewer=request.user, team_id=team_id)
    form = forms.NeedForm(request.POST)
    if _attempt(form, lambda d: services.set_need(by=request.user, team=found_team, **d)):
        return redirect("growth:team", team_id)
    return team(request, team_id, failed={"need_form": form})


# --- plans --------------------------------------------------------------------------------------


@login_required
def plans(request, failed=None):
    page = Paginator(selectors.plans_visible(viewer=request.user).order_by("-created_at", "-id"),
                     PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "growth/plans.html", {
        "page": page, "plan_form": forms.PlanForm(initial={"person": request.user.pk}), **(failed or {})})


@login_required
@require_POST
def create_plan(request):
    form = forms.PlanForm(request.POST)
    created = []
    if _attempt(form, lambda d: created.append(services.create_plan(by=request.user, **d))):
        return redirect("growth:plan", created[0].pk)
    return plans(request, failed={"plan_form": form})


@login_required
def plan(request, plan_id, failed=None):
    found = selectors.plan_detail(viewer=request.user, plan_id=plan_id)
    context = {"plan": found, "progress": selectors.plan_progress(found),
               "goal_form": forms.GoalForm(), "activity_form": forms.ActivityForm(),
               "check_in_form": forms.CheckInForm(),
               "can_check_in": request.user.pk != found.person_id, **(failed or {})}
    return render(request, "growth/plan.html", context)


@login_required
@require_POST
def plan_change(request, plan_id, op):
    found = selectors.plan_detail(viewer=request.user, plan_id=plan_id)
    form_class = {"goal": forms.GoalForm, "activity": forms.ActivityForm, "check-in": forms.CheckInForm}.get(op)
    if form_class is None:
        raise Http404("No such change.")
    form = form_class(request.POST)

    def add_activity(d):
        goal = next((g for g in found.goals.all() if g.pk == d["goal"]), None) if d["goal"] else None
        services.add_activity(by=request.user, plan=found, kind=d["kind"], title=d["title"], goal=goal,
                              due_on=d["due_on"], path=d["path"], entry=_entry(request.user, d["entry"]))

    actions = {
        "goal": lambda d: services.add_goal(by=request.user, plan=found, **d),
        "activity": add_activity,
        "check-in": lambda d: services.check_in(by=request.user, plan=found, note=d["note"]),
    }
    if _attempt(form, actions[op]):
        return redirect("growth:plan", plan_id)
    return plan(request, plan_id, failed={f"{op.replace('-', '_')}_form": form})


@login_required
@require_POST
def complete_activity(request, activity_id):
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    form = forms.ButtonForm(request.POST)
    if _attempt(form, lambda d: services.complete_activity(by=request.user, activity=activity)):
        return redirect("growth:plan", activity.plan_id)
    return plan(request, activity.plan_id, failed={"activity_error": form})


# --- paths --------------------------------------------------------------------------------------


@login_required
def paths(request, failed=None):
    page = Paginator(selectors.paths(viewer=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "growth/paths.html", {"page": page, "path_form": forms.PathForm(), **(failed or {})})


@login_required
@require_POST
def create_path(request):
    form = forms.PathForm(request.POST)
    created = []
    if _attempt(form, lambda d: created.append(services.create_path(by=request.user, **d))):
        return redirect("growth:path", created[0].pk)
    return paths(request, failed={"path_form": form})


@login_required
def path(request, path_id, failed=None):
    found, steps, done = selectors.path_detail(viewer=request.user, path_id=path_id)
    return render(request, "growth/path.html", {
        "path": found, "steps": [(s, s.pk in done) for s in steps], "done_count": len(done),
        "completed": bool(steps) and len(done) == len(steps), "step_form": forms.StepForm(),
        "can_edit": request.user.pk == found.created_by_id or permissions.sees_everyone(request.user),
        **(failed or {})})


@login_required
@require_POST
def add_step(request, path_id):
    found, _, _ = selectors.path_detail(viewer=request.user, path_id=path_id)
    form = forms.StepForm(request.POST)
    if _attempt(form, lambda d: services.add_step(by=request.user, path=found, kind=d["kind"], title=d["title"],
                                                  url=d["url"], entry=_entry(request.user, d["entry"]))):
        return redirect("growth:path", path_id)
    return path(request, path_id, failed={"step_form": form})


@login_required
@require_POST
def complete_step(request, step_id):
    step = PathStep.objects.filter(pk=step_id).first()
    if step is None:
        raise Http404("No such step.")
    form = forms.ButtonForm(request.POST)
    _attempt(form, lambda d: services.complete_step(by=request.user, step=step))
    return redirect("growth:path", step.path_id)


# --- mentoring ----------------------------------------------------------------------------------


@login_required
def pairs(request, failed=None):
    mine = selectors.pairs_of(viewer=request.user)
    everyone = selectors.all_pairs(viewer=request.user) if permissions.sees_everyone(request.user) else None
    return render(request, "growth/pairs.html", {"pairs": mine, "all_pairs": everyone,
                                                 "pair_form": forms.PairForm(), **(failed or {})})


@login_required
@require_POST
def start_pair(request):
    form = forms.PairForm(request.POST)
    created = []
    if _attempt(form, lambda d: created.append(services.start_pair(
            by=request.user, mentor=d["mentor"], mentee=d["mentee"] or request.user, goals=d["goals"]))):
        pair_id = created[0].pk
        if permissions.can_see_pair(request.user, created[0]):
            return redirect("growth:pair", pair_id)
        return redirect("growth:pairs")
    return pairs(request, failed={"pair_form": form})


@login_required
def pair(request, pair_id, failed=None):
    found = selectors.pair_detail(viewer=request.user, pair_id=pair_id)
    return render(request, "growth/pair.html", {"pair": found, "note_form": forms.NoteForm(), **(failed or {})})


@login_required
@require_POST
def add_note(request, pair_id):
    found = selectors.pair_detail(viewer=request.user, pair_id=pair_id)
    form = forms.NoteForm(request.POST)
    if _attempt(form, lambda d: services.add_note(by=request.user, pair=found, body=d["body"], met_on=d["met_on"])):
        return redirect("growth:pair", pair_id)
    return pair(request, pair_id, failed={"note_form": form})
