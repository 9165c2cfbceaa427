"""Strategy pages: the overview, goals, key results, the roadmap, initiatives, each team's seven
steps, the vision and its rounds, and champions. Every form posts, calls the same service as the
API and redirects back; on an error the page comes back with the form and its messages (400)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from learnloop.insights import metric_texts
from learnloop.org.models import Team
from learnloop.strategy import barrier_texts, forms, selectors, services, steps, vision
from learnloop.strategy import barriers as barrier_rules
from learnloop.strategy import champions as champion_services
from learnloop.strategy.models import Initiative, Objective, ProposalKind
from learnloop.strategy.permissions import can_name_champion, can_plan, can_plan_anywhere, can_steer_vision
from learnloop.web.forms import apply_validation_error


def _team(slug: str) -> Team:
    return get_object_or_404(Team, slug=slug, archived_at=None)


def _run(form, call) -> bool:
    """Call the service with the form's values; its ValidationError goes onto the form."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        apply_validation_error(form, error)
        return False
    return True


# --- overview and goals ----------------------------------------------------------------------


@login_required
def home(request):
    teams = list(Team.objects.filter(archived_at=None, kind="team").order_by("name", "pk"))
    by_team = steps.steps_for_teams(teams, viewer=request.user)
    org_vision = vision.organization_vision(request.user)
    latest = vision.versions_of(request.user, org_vision)[:1] if org_vision else []
    return render(request, "strategy/home.html", {
        "vision": org_vision, "version": latest[0] if latest else None,
        "roots": selectors.goal_tree(request.user),
        "teams": [(team, by_team[team.pk], steps.stage(by_team[team.pk]), steps.next_step(by_team[team.pk]))
                  for team in teams],
        "step_names": [name for _, name in steps.STEPS],
        "visions": vision.visions(request.user),
        "can_plan": can_plan_anywhere(request.user),
    })


@login_required
def goals(request):
    form = forms.ObjectiveForm()
    if request.method == "POST":
        form = forms.ObjectiveForm(request.POST)
        created = {}

        def create(data):
            parent = Objective.objects.filter(pk=data["parent"]).first() if data["parent"] else None
            if data["parent"] and parent is None:
                raise ValidationError({"parent": _("No objective with that number.")})
            created["objective"] = services.create_objective(
                by=request.user, title=data["title"], description=data["description"], team=data["team"],
                parent=parent, starts_on=data["starts_on"], ends_on=data["ends_on"])

        if _run(form, create):
            return redirect("strategy:objective", created["objective"].pk)
    roots = selectors.goal_tree(request.user)
    return render(request, "strategy/goals.html", {
        "rows": selectors.flatten(roots), "form": form, "can_plan": can_plan_anywhere(request.user),
    }, status=400 if form.errors else 200)


def _objective_context(request, objective_id, **extra):
    objective = selectors.objective_for(request.user, objective_id)
    node = selectors._node(objective, timezone.localdate())
    return {"objective": objective, "node": node, "can_plan": can_plan(request.user, objective.team),
            "kr_form": forms.KeyResultForm(), "metrics": metric_texts.catalogue_in_words(), **extra}


@login_required
def objective(request, objective_id: int):
    return render(request, "strategy/objective.html", _objective_context(request, objective_id))


@login_required
@require_POST
def add_key_result(request, objective_id: int):
    objective_row = selectors.objective_for(request.user, objective_id)
    form = forms.KeyResultForm(request.POST)
    made = {}

    def add(data):
        made["kr"] = services.add_key_result(
            by=request.user, objective=objective_row, title=data["title"], target=data["target"],
            baseline=data["baseline"], unit=data["unit"], metric_key=data["metric_key"], dimension=data["dimension"],
            scope_team=data["scope_team"], window_days=data["window_days"])

    if _run(form, add):
        return redirect("strategy:key_result", made["kr"].pk)
    return render(request, "strategy/objective.html", _objective_context(request, objective_id, kr_form=form),
                  status=400)


def _kr_context(request, key_result_id, **extra):
    view = selectors.key_result_detail(request.user, key_result_id)
    key_result = view.key_result
    chart = {"title": key_result.title, "unit": key_result.unit, "target": key_result.target,
             "points": [{"on": row.on.isoformat(), "value": row.value, "low": row.low, "high": row.high}
                        for row in view.history],
             "labels": {"value": _("Value"), "target": pgettext("value", "Target"), "target_value": _("target {c}"),
                        "low": _("95% interval, low"), "high": _("95% interval, high")}}
    return {"view": view, "kr": key_result, "objective": key_result.objective,
            "can_plan": can_plan(request.user, key_result.objective.team), "chart": chart,
            "bind_form": forms.BindForm(initial={"metric_key": key_result.metric_key or "completion_rate",
                                                 "window_days": key_result.window_days}),
            "value_form": forms.ValueForm(initial={"on": timezone.localdate()}), **extra}


@login_required
def key_result(request, key_result_id: int):
    return render(request, "strategy/key_result.html", _kr_context(request, key_result_id))


@login_required
@require_POST
def bind(request, key_result_id: int):
    kr = selectors.key_result_for(request.user, key_result_id)
    form = forms.BindForm(request.POST)
    if _run(form, lambda data: services.bind_key_result(
            by=request.user, key_result=kr, metric_key=data["metric_key"], dimension=data["dimension"],
            scope_team=data["scope_team"], window_days=data["window_days"])):
        messages.success(request, _("Bound to the metric; its value was read just now."))
        return redirect("strategy:key_result", kr.pk)
    return render(request, "strategy/key_result.html", _kr_context(request, key_result_id, bind_form=form),
                  status=400)


@login_required
@require_POST
def record_value(request, key_result_id: int):
    kr = selectors.key_result_for(request.user, key_result_id)
    form = forms.ValueForm(request.POST)
    if _run(form, lambda data: services.record_value(by=request.user, key_result=kr, on=data["on"],
                                                     value=data["value"], note=data["note"])):
        return redirect("strategy:key_result", kr.pk)
    return render(request, "strategy/key_result.html", _kr_context(request, key_result_id, value_form=form),
                  status=400)


@login_required
@require_POST
def refresh(request, key_result_id: int):
    kr = selectors.key_result_for(request.user, key_result_id)
    if not can_plan(request.user, kr.objective.team) and kr.kind != "metric":
        raise Http404
    services.refresh(kr)
    messages.success(request, _("Read again from the platform's data."))
    return redirect("strategy:key_result", kr.pk)


# --- roadmap ---------------------------------------------------------------------------------


@login_required
def roadmap(request):
    filters = forms.TeamFilterForm(request.GET)
    team = None
    if filters.is_valid() and filters.cleaned_data["team"]:
        team = _team(filters.cleaned_data["team"])
    initiatives = list(selectors.initiatives_list(request.user, team=team))
    data = selectors.timeline(initiatives)
    return render(request, "strategy/roadmap.html", {
        "team": team, "rows": data["rows"], "chart": data,
        "teams": Team.objects.filter(archived_at=None).order_by("name"),
        "can_plan": can_plan_anywhere(request.user),
    })


def _resolve_ids(model, ids, field):
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({field: _("Some of those numbers name nothing.")})
    return found


@login_required
def plan_initiative(request):
    form = forms.InitiativeForm(initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        form = forms.InitiativeForm(request.POST)
        made = {}

        def create(data):
            made["initiative"] = services.create_initiative(
                by=request.user, title=data["title"], description=data["description"], team=data["team"],
                owner=data["owner"], status=data["status"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                budget_person_days=data["budget_person_days"], budget_money=data["budget_money"],
                budget_people=data["budget_people"],
                objectives=_resolve_ids(Objective, data["objectives"], "objectives"),
                depends_on=_resolve_ids(Initiative, data["depends_on"], "depends_on"))

        if _run(form, create):
            return redirect("strategy:initiative", made["initiative"].pk)
    return render(request, "strategy/plan.html", {"form": form}, status=400 if form.errors else 200)


def _initiative_context(request, initiative_id, **extra):
    initiative = selectors.initiative_for(request.user, initiative_id)
    return {"initiative": initiative, "budget": selectors.budget_of(initiative),
            "links": selectors.links_of(request.user, [initiative]).get(initiative.pk, []),
            "can_plan": can_plan(request.user, initiative.team), "status_form": forms.StatusForm(
                initial={"status": initiative.status}),
            "spend_form": forms.SpendForm(initial={"on": timezone.localdate(), "kind": "actual"}),
            "link_form": forms.LinkForm(), **extra}


@login_required
def initiative(request, initiative_id: int):
    return render(request, "strategy/initiative.html", _initiative_context(request, initiative_id))


@login_required
@require_POST
def initiative_status(request, initiative_id: int):
    item = selectors.initiative_for(request.user, initiative_id)
    form = forms.StatusForm(request.POST)
    if _run(form, lambda data: services.update_initiative(by=request.user, initiative=item, status=data["status"])):
        return redirect("strategy:initiative", item.pk)
    return render(request, "strategy/initiative.html", _initiative_context(request, initiative_id, status_form=form),
                  status=400)


@login_required
@require_POST
def add_spend(request, initiative_id: int):
    item = selectors.initiative_for(request.user, initiative_id)
    form = forms.SpendForm(request.POST)
    if _run(form, lambda data: services.add_spend(by=request.user, initiative=item, kind=data["kind"], on=data["on"],
                                                  person_days=data["person_days"], money=data["money"],
                                                  note=data["note"])):
        return redirect("strategy:initiative", item.pk)
    return render(request, "strategy/initiative.html", _initiative_context(request, initiative_id, spend_form=form),
                  status=400)


@login_required
@require_POST
def add_link(request, initiative_id: int):
    item = selectors.initiative_for(request.user, initiative_id)
    form = forms.LinkForm(request.POST)
    if _run(form, lambda data: services.add_link(by=request.user, initiative=item, target_type=data["target_type"],
                                                 target_id=data["target_id"])):
        return redirect("strategy:initiative", item.pk)
    return render(request, "strategy/initiative.html", _initiative_context(request, initiative_id, link_form=form),
                  status=400)


# --- a team's strategy -----------------------------------------------------------------------


@login_required
def team(request, slug: str):
    team_row = _team(slug)
    team_steps = steps.steps_for_teams([team_row], viewer=request.user)[team_row.pk]
    initiatives = list(selectors.initiatives_list(request.user, team=team_row))
    team_barriers = barrier_rules.barriers_for_teams([team_row], viewer=request.user)[team_row.pk]
    return render(request, "strategy/team.html", {
        "barriers": team_barriers,
        "team": team_row, "steps": team_steps, "next": steps.next_step(team_steps), "stage": steps.stage(team_steps),
        "rows": selectors.flatten(selectors.goal_tree(request.user, team=team_row)),
        "initiatives": initiatives, "can_plan": can_plan(request.user, team_row),
        "vision_form": forms.VisionForm(initial={"team": team_row.pk, "title": f"{team_row.name}'s vision"}),
    })


@login_required
def barriers(request):
    teams = list(Team.objects.filter(archived_at=None, kind="team").order_by("name", "pk"))
    found = barrier_rules.barriers_for_teams(teams, viewer=request.user)
    labels = barrier_texts.labels()
    rows = []
    for team_row in teams:
        shown = {item.barrier: item for item in found[team_row.pk]}
        rows.append((team_row, [shown.get(key) for key, _ in labels], found[team_row.pk]))
    return render(request, "strategy/barriers.html", {"rows": rows, "labels": labels})


# --- vision ----------------------------------------------------------------------------------


def _writer_key(request, vision_row) -> str | None:
    key = request.COOKIES.get(vision.cookie_name(vision_row.pk, secure=request.is_secure()))
    return key if vision.is_well_formed(key) else None


def _vision_context(request, vision_id, **extra):
    vision_row = vision.vision_for(request.user, vision_id)
    key = _writer_key(request, vision_row)
    versions = vision.versions_of(request.user, vision_row)
    rounds = vision.rounds_of(request.user, vision_row, writer_key=key)
    open_round = next((item for item in rounds if item["round"].closed_on is None), None)
    return {"vision": vision_row, "versions": versions, "rounds": rounds, "open_round": open_round,
            "published": versions[0] if versions else None, "engagement": vision.engagement(vision_row),
            "can_steer": can_steer_vision(request.user, vision_row),
            "mine_connected": any(item.person_id == request.user.pk
                                  for item in vision.engagement(vision_row)["connections"]),
            "proposal_form": forms.ProposalForm(), "round_form": forms.RoundForm(),
            "draft_form": forms.DraftForm(initial={"draft": vision_row.draft}), "publish_form": forms.PublishForm(),
            "connect_form": forms.ConnectForm(), "kinds": ProposalKind, **extra}


def _with_key(request, response, vision_row):
    """Give the browser a writer key for this vision's pages if it has none (HttpOnly cookie)."""
    if _writer_key(request, vision_row) is None:
        response.set_cookie(vision.cookie_name(vision_row.pk, secure=request.is_secure()), vision.new_key(),
                            max_age=365 * 24 * 3600, path=f"/strategy/vision/{vision_row.pk}/", httponly=True,
                            secure=request.is_secure(), samesite="Lax")
    return response


@login_required
def vision_page(request, vision_id: int):
    context = _vision_context(request, vision_id)
    return _with_key(request, render(request, "strategy/vision.html", context), context["vision"])


@login_required
@require_POST
def vision_create(request):
    form = forms.VisionForm(request.POST)
    made = {}
    if _run(form, lambda data: made.setdefault("vision", vision.create_vision(
            by=request.user, title=data["title"], team=data["team"], draft=data["draft"]))):
        return redirect("strategy:vision", made["vision"].pk)
    return render(request, "strategy/vision_new.html", {"form": form}, status=400)


def _vision_post(request, vision_id, form_class, call, form_name):
    vision_row = vision.vision_for(request.user, vision_id)
    form = form_class(request.POST)
    key = _writer_key(request, vision_row)
    if _run(form, lambda data: call(vision_row, data, key)):
        return redirect("strategy:vision", vision_row.pk)
    context = _vision_context(request, vision_id, **{form_name: form})
    return _with_key(request, render(request, "strategy/vision.html", context, status=400), vision_row)


@login_required
@require_POST
def vision_draft(request, vision_id: int):
    return _vision_post(request, vision_id, forms.DraftForm, lambda v, data, key: vision.update_draft(
        by=request.user, vision=v, draft=data["draft"]), "draft_form")


@login_required
@require_POST
def vision_round(request, vision_id: int):
    return _vision_post(request, vision_id, forms.RoundForm, lambda v, data, key: vision.open_round(
        by=request.user, vision=v, question=data["question"], anonymous=data["anonymous"],
        support_budget=data["support_budget"] or vision.DEFAULT_SUPPORT_BUDGET), "round_form")


@login_required
@require_POST
def vision_close_round(request, vision_id: int):
    def close(v, data, key):
        open_rounds = [item for item in v.rounds.all() if item.closed_on is None]
        if not open_rounds:
            raise ValidationError(_("No round is open."))
        vision.close_round(by=request.user, round_=open_rounds[0])
    return _vision_post(request, vision_id, forms.PublishForm, close, "publish_form")


@login_required
@require_POST
def vision_propose(request, vision_id: int):
    def propose(v, data, key):
        open_rounds = [item for item in v.rounds.all() if item.closed_on is None]
        if not open_rounds:
            raise ValidationError(_("No round is open: proposals wait for the next one."))
        vision.propose(by=request.user, round_=open_rounds[0], kind=data["kind"], text=data["text"],
                       replace=data["replace"], with_text=data["with_text"], writer_key=key)
    return _vision_post(request, vision_id, forms.ProposalForm, propose, "proposal_form")


def _proposal_of(request, vision_row, proposal_id):
    proposal = vision.proposal_for(request.user, proposal_id)
    if proposal.round.vision_id != vision_row.pk:
        raise ValidationError({"proposal": _("That proposal is not on this vision.")})
    return proposal


@login_required
@require_POST
def vision_support(request, vision_id: int):
    return _vision_post(request, vision_id, forms.ProposalChoiceForm, lambda v, data, key: vision.support(
        by=request.user, proposal=_proposal_of(request, v, data["proposal"]), writer_key=key), "support_form")


@login_required
@require_POST
def vision_decide(request, vision_id: int):
    return _vision_post(request, vision_id, forms.DecideForm, lambda v, data, key: vision.decide(
        by=request.user, proposal=_proposal_of(request, v, data["proposal"]), accept=data["decision"] == "accept",
        reason=data["reason"]), "decide_form")


@login_required
@require_POST
def vision_publish(request, vision_id: int):
    return _vision_post(request, vision_id, forms.PublishForm, lambda v, data, key: vision.publish(
        by=request.user, vision=v, summary=data["summary"]), "publish_form")


@login_required
@require_POST
def vision_connect(request, vision_id: int):
    return _vision_post(request, vision_id, forms.ConnectForm, lambda v, data, key: vision.mark_connected(
        by=request.user, vision=v, note=data["note"]), "connect_form")


@login_required
def vision_version(request, vision_id: int, number: int):
    vision_row = vision.vision_for(request.user, vision_id)
    versions = vision.versions_of(request.user, vision_row)
    current = next((item for item in versions if item.number == number), None)
    if current is None:
        raise Http404("No such version.")
    previous = next((item for item in versions if item.number == number - 1), None)
    return render(request, "strategy/version.html", {
        "vision": vision_row, "version": current, "previous": previous,
        "diff": vision.diff(previous.text if previous else "", current.text)})


# --- champions -------------------------------------------------------------------------------


@login_required
def champions(request):
    form = forms.ChampionForm()
    if request.method == "POST":
        form = forms.ChampionForm(request.POST)
        if _run(form, lambda data: champion_services.name_champion(by=request.user, person=data["person"],
                                                                   team=data["team"], topic=data["topic"])):
            return redirect("strategy:champions")
    rows = list(champion_services.champions(request.user))
    found = champion_services.activity([row.person_id for row in rows])
    return render(request, "strategy/champions.html", {
        "rows": [(row, found[row.person_id]) for row in rows], "form": form,
        "suggestions": champion_services.suggestions(request.user),
        "can_name": can_name_champion(request.user, None) or can_plan_anywhere(request.user),
    }, status=400 if form.errors else 200)




@login_required
def champion(request, champion_id: int):
    row = champion_services.champion_for(request.user, champion_id)
    return render(request, "strategy/champion.html", {"champion": row,
                                                      **champion_services.modelled(request.user, row)})
