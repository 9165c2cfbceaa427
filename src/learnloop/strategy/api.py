"""API for the learning strategy at /api/v1/strategy: the metrics a key result may bind to,
objectives and key results (manual or bound, with history and outlook), initiatives with spend,
links and dependencies, the roadmap, each team's seven steps, the co-created vision and
champions. Every write goes through the same services as the pages."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from learnloop.analytics import learning_metrics as catalogue
from learnloop.api_base import Id, Pagination, Shown, errors, person_ref, request_fields, team_ref
from learnloop.strategy import barriers as barrier_rules
from learnloop.strategy import champions as champion_services
from learnloop.strategy import selectors, services, steps, vision
from learnloop.strategy.api_schemas import (
    StrategyBarriersOut,
    StrategyBindIn,
    StrategyChampionIn,
    StrategyChampionOut,
    StrategyConnectIn,
    StrategyDecisionIn,
    StrategyDiffOut,
    StrategyDraftIn,
    StrategyInitiativeIn,
    StrategyInitiativeOut,
    StrategyInitiativePatch,
    StrategyKeyResultDetailOut,
    StrategyKeyResultIn,
    StrategyKeyResultOut,
    StrategyLinkIn,
    StrategyMetricOut,
    StrategyObjectiveDetailOut,
    StrategyObjectiveIn,
    StrategyObjectiveOut,
    StrategyObjectivePatch,
    StrategyProposalIn,
    StrategyProposalOut,
    StrategyPublishIn,
    StrategyRoadmapOut,
    StrategyRoundIn,
    StrategySpendIn,
    StrategySpendOut,
    StrategyStepsOut,
    StrategyValueIn,
    StrategyValueOut,
    StrategyVisionDetailOut,
    StrategyVisionIn,
    StrategyVisionOut,
)
from learnloop.strategy.models import Initiative, Objective

router = Router(tags=["strategy"])


def _team(team_id):
    return None if team_id is None else team_ref(team_id, field="team_id", current=True)


def _person(person_id, field):
    return None if person_id is None else person_ref(person_id, field=field, active=True)


def _rows(model, ids, field):
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({field: "Some of these ids name nothing."})
    return found


@router.get("/metrics", response=list[StrategyMetricOut],
            summary="The metrics a key result may be bound to (the metrics catalogue, docs/metrics.md)")
def list_metrics(request):
    selectors.require(selectors.can_view(request.user), "Sign in to see the strategy.")
    return [{"key": m.key, "name": m.name, "unit": m.unit, "formula": m.formula, "source": m.source,
             "caveats": m.caveats, "better": m.better} for m in catalogue.CATALOGUE]


# --- objectives and key results --------------------------------------------------------------


def _value(row):
    return None if row is None else {name: getattr(row, name) for name in StrategyValueOut.model_fields}


def _kr(view: selectors.KeyResultView, *, history: bool = False) -> dict:
    kr = view.key_result
    out = {name: getattr(kr, name) for name in ("id", "objective_id", "title", "kind", "metric_key", "dimension",
                                                "scope_team_id", "window_days", "unit", "baseline", "target",
                                                "refreshed_at")}
    outlook = view.outlook
    out.update(latest=_value(view.latest), url=reverse("strategy:key_result", args=[kr.pk]),
               outlook={"progress": outlook.progress, "expected": outlook.expected, "trend": outlook.trend,
                        "direction": outlook.direction, "confidence": outlook.confidence})
    if history:
        out["history"] = [_value(row) for row in view.history]
    return out


def _objective(objective, *, detail: bool = False) -> dict:
    out = {name: getattr(objective, name) for name in ("id", "title", "description", "level", "team_id",
                                                       "parent_id", "owner_id", "starts_on", "ends_on")}
    out["url"] = reverse("strategy:objective", args=[objective.pk])
    if detail:
        node = selectors._node(objective, timezone.localdate())
        out["key_results"] = [_kr(item) for item in node.key_results]
        out["initiative_ids"] = [item.pk for item in node.initiatives]
    return out


@router.get("/objectives", response=list[StrategyObjectiveOut], summary="Objectives, oldest first")
@paginate(Pagination)
def list_objectives(request):
    return Shown(selectors.objectives_list(request.user), _objective)


@router.post("/objectives", response={201: StrategyObjectiveDetailOut}, summary="Set an objective")
def create_objective(request, payload: StrategyObjectiveIn):
    data = payload.dict()
    with request_fields(parent="parent_id"):
        parent = None
        if data["parent_id"] is not None:
            parent = Objective.objects.filter(pk=data["parent_id"]).first()
            if parent is None:
                raise ValidationError({"parent_id": "No objective with this id."})
        objective = services.create_objective(
            by=request.user, title=data["title"], description=data["description"], team=_team(data["team_id"]),
            parent=parent, owner=_person(data["owner_id"], "owner_id"), starts_on=data["starts_on"],
            ends_on=data["ends_on"])
    return Status(201, _objective(selectors.objective_for(request.user, objective.pk), detail=True))


@router.get("/objectives/{objective_id}", response=StrategyObjectiveDetailOut,
            summary="One objective with its key results (latest value, outlook) and initiatives")
def get_objective(request, objective_id: Id):
    return _objective(selectors.objective_for(request.user, objective_id), detail=True)


@router.patch("/objectives/{objective_id}", response=StrategyObjectiveDetailOut, summary="Change an objective")
def update_objective(request, objective_id: Id, payload: StrategyObjectivePatch):
    objective = selectors.objective_for(request.user, objective_id)
    data = payload.dict(exclude_unset=True)
    fields = {name: data[name] for name in ("title", "description", "starts_on", "ends_on") if name in data}
    if "parent_id" in data:
        fields["parent"] = None if data["parent_id"] is None else Objective.objects.filter(pk=data["parent_id"]).first()
        if data["parent_id"] is not None and fields["parent"] is None:
            raise ValidationError({"parent_id": "No objective with this id."})
    if data.get("owner_id") is not None:
        fields["owner"] = _person(data["owner_id"], "owner_id")
    with request_fields(parent="parent_id"):
        services.update_objective(by=request.user, objective=objective, **fields)
    return _objective(selectors.objective_for(request.user, objective_id), detail=True)


@router.get("/key-results", response=list[StrategyKeyResultOut], summary="Key results with latest value and outlook")
@paginate(Pagination)
def list_key_results(request):
    today = timezone.localdate()
    return Shown(selectors.key_results_list(request.user), lambda kr: _kr(
        selectors.key_result_view(kr, list(kr.values.all()), today=today)))


@router.post("/objectives/{objective_id}/key-results", response={201: StrategyKeyResultDetailOut},
             summary="Add a key result: manual, or bound to a metric of the catalogue (read at once)")
def add_key_result(request, objective_id: Id, payload: StrategyKeyResultIn):
    objective = selectors.objective_for(request.user, objective_id)
    data = payload.dict()
    scope = None if data["scope_team_id"] is None else team_ref(data["scope_team_id"], field="scope_team_id")
    with request_fields(scope_team="scope_team_id"):
        kr = services.add_key_result(by=request.user, objective=objective, title=data["title"], target=data["target"],
                                     baseline=data["baseline"], unit=data["unit"], metric_key=data["metric_key"],
                                     dimension=data["dimension"], scope_team=scope, window_days=data["window_days"])
    return Status(201, _kr(selectors.key_result_detail(request.user, kr.pk), history=True))


@router.get("/key-results/{key_result_id}", response=StrategyKeyResultDetailOut,
            summary="One key result with its dated history, trend and confidence")
def get_key_result(request, key_result_id: Id):
    return _kr(selectors.key_result_detail(request.user, key_result_id), history=True)


@router.post("/key-results/{key_result_id}/bind", response=StrategyKeyResultDetailOut,
             summary="Bind a key result to a metric of the catalogue; its value is read at once")
def bind(request, key_result_id: Id, payload: StrategyBindIn):
    kr = selectors.key_result_for(request.user, key_result_id)
    data = payload.dict()
    scope = None if data["scope_team_id"] is None else team_ref(data["scope_team_id"], field="scope_team_id")
    services.bind_key_result(by=request.user, key_result=kr, metric_key=data["metric_key"],
                             dimension=data["dimension"], scope_team=scope, window_days=data["window_days"])
    return _kr(selectors.key_result_detail(request.user, key_result_id), history=True)


@router.post("/key-results/{key_result_id}/values", response={201: StrategyKeyResultDetailOut},
             summary="Record a dated value of a manual key result (one a day: a second replaces the first)")
def record_value(request, key_result_id: Id, payload: StrategyValueIn):
    kr = selectors.key_result_for(request.user, key_result_id)
    services.record_value(by=request.user, key_result=kr, on=payload.on, value=payload.value, note=payload.note)
    return Status(201, _kr(selectors.key_result_detail(request.user, key_result_id), history=True))


@router.post("/key-results/{key_result_id}/refresh", response=StrategyKeyResultDetailOut,
             summary="Read a bound key result from the platform's data now")
def refresh(request, key_result_id: Id):
    kr = selectors.key_result_for(request.user, key_result_id)
    if kr.kind != "metric":
        raise ValidationError("Only key results bound to a metric are read from the platform.")
    services.refresh(kr)
    return _kr(selectors.key_result_detail(request.user, key_result_id), history=True)


@router.get("/key-results/{key_result_id}/values", response=list[StrategyValueOut],
            summary="A key result's dated values, oldest first")
@paginate(Pagination)
def list_values(request, key_result_id: Id):
    kr = selectors.key_result_for(request.user, key_result_id)
    return Shown(selectors.values_list(request.user, kr), _value)


# --- initiatives and the roadmap -------------------------------------------------------------


def _initiatives_out(viewer, initiatives) -> list[dict]:
    links = selectors.links_of(viewer, initiatives)
    out = []
    for item in initiatives:
        budget = selectors.budget_of(item)
        out.append({
            **{name: getattr(item, name) for name in ("id", "title", "description", "team_id", "owner_id", "status",
                                                      "starts_on", "ends_on", "budget_people")},
            "budget_person_days": float(item.budget_person_days), "budget_money": float(item.budget_money),
            "objective_ids": [row.pk for row in item.objectives.all()],
            "depends_on_ids": [row.pk for row in item.depends_on.all()],
            "spend": budget.__dict__,
            "links": [{"id": link.pk, "target_type": link.target_type, "target_id": link.target_id,
                       "title": target.title, "url": target.url} for link, target in links.get(item.pk, [])],
            "url": reverse("strategy:initiative", args=[item.pk]),
        })
    return out


def _initiative(viewer, initiative_id) -> dict:
    return _initiatives_out(viewer, [selectors.initiative_for(viewer, initiative_id)])[0]


@router.get("/initiatives", response={200: list[StrategyInitiativeOut], **errors(400)},
            summary="Initiatives by start date; for a team, its own and those of the teams below it")
@paginate(Pagination)
def list_initiatives(request, team_id: Id | None = None, status: str = ""):
    team = _team(team_id)
    return Shown(selectors.initiatives_list(request.user, team=team, status=status),
                 each_page=lambda page: _initiatives_out(request.user, list(page)))


@router.post("/initiatives", response={201: StrategyInitiativeOut}, summary="Plan an initiative")
def create_initiative(request, payload: StrategyInitiativeIn):
    data = payload.dict()
    with request_fields(objectives="objective_ids", depends_on="depends_on_ids", owner="owner_id"):
        item = services.create_initiative(
            by=request.user, title=data["title"], description=data["description"], team=_team(data["team_id"]),
            owner=_person(data["owner_id"], "owner_id"), status=data["status"], starts_on=data["starts_on"],
            ends_on=data["ends_on"], budget_person_days=data["budget_person_days"],
            budget_money=data["budget_money"], budget_people=data["budget_people"],
            objectives=_rows(Objective, data["objective_ids"], "objective_ids"),
            depends_on=_rows(Initiative, data["depends_on_ids"], "depends_on_ids"))
    return Status(201, _initiative(request.user, item.pk))


@router.get("/initiatives/{initiative_id}", response=StrategyInitiativeOut,
            summary="One initiative with its budget, spend (planned vs actual), links and dependencies")
def get_initiative(request, initiative_id: Id):
    return _initiative(request.user, initiative_id)


@router.patch("/initiatives/{initiative_id}", response=StrategyInitiativeOut,
              summary="Change an initiative: status, dates, budget, goals served, dependencies (no cycles)")
def update_initiative(request, initiative_id: Id, payload: StrategyInitiativePatch):
    item = selectors.initiative_for(request.user, initiative_id)
    data = payload.dict(exclude_unset=True)
    fields = {name: value for name, value in data.items() if name not in {"owner_id", "objective_ids",
                                                                         "depends_on_ids"}}
    if data.get("owner_id") is not None:
        fields["owner"] = _person(data["owner_id"], "owner_id")
    if data.get("objective_ids") is not None:
        fields["objectives"] = _rows(Objective, data["objective_ids"], "objective_ids")
    if data.get("depends_on_ids") is not None:
        fields["depends_on"] = _rows(Initiative, data["depends_on_ids"], "depends_on_ids")
    with request_fields(objectives="objective_ids", depends_on="depends_on_ids"):
        services.update_initiative(by=request.user, initiative=item, **fields)
    return _initiative(request.user, initiative_id)


@router.get("/initiatives/{initiative_id}/spend", response=list[StrategySpendOut],
            summary="An initiative's spend entries, planned and actual, by date")
@paginate(Pagination)
def list_spend(request, initiative_id: Id):
    item = selectors.initiative_for(request.user, initiative_id)
    return Shown(selectors.spend_list(request.user, item), lambda row: {
        "id": row.pk, "kind": row.kind, "on": row.on, "person_days": float(row.person_days),
        "money": float(row.money), "note": row.note, "recorded_by_id": row.recorded_by_id})


@router.post("/initiatives/{initiative_id}/spend", response={201: StrategyInitiativeOut},
             summary="Record planned or actual spend (person-days and/or money)")
def add_spend(request, initiative_id: Id, payload: StrategySpendIn):
    item = selectors.initiative_for(request.user, initiative_id)
    services.add_spend(by=request.user, initiative=item, kind=payload.kind, on=payload.on,
                       person_days=payload.person_days, money=payload.money, note=payload.note)
    return Status(201, _initiative(request.user, initiative_id))


@router.post("/initiatives/{initiative_id}/links", response={201: StrategyInitiativeOut},
             summary="Link what carries the initiative out (an experiment, session, action, …)")
def add_link(request, initiative_id: Id, payload: StrategyLinkIn):
    item = selectors.initiative_for(request.user, initiative_id)
    services.add_link(by=request.user, initiative=item, target_type=payload.target_type, target_id=payload.target_id)
    return Status(201, _initiative(request.user, initiative_id))


@router.get("/roadmap", response={200: StrategyRoadmapOut, **errors(400)},
            summary="The roadmap's timeline rows (the chart's data): the organization, or a team and below")
def roadmap(request, team_id: Id | None = None):
    return selectors.timeline(list(selectors.initiatives_list(request.user, team=_team(team_id))))


@router.get("/teams/{team_id}/steps", response={200: StrategyStepsOut, **errors(400)},
            summary="A team's seven learning steps, each status derived from real objects, and the next step")
def team_steps(request, team_id: Id):
    selectors.require(selectors.can_view(request.user), "Sign in to see the strategy.")
    team = team_ref(team_id, field="team_id", current=True)
    found = steps.steps_for_teams([team], viewer=request.user)[team.pk]
    following = steps.next_step(found)
    return {"team_id": team.pk, "stage": steps.stage(found), "next_step": following.key if following else None,
            "steps": [step.__dict__ for step in found]}


@router.get("/teams/{team_id}/barriers", response={200: StrategyBarriersOut, **errors(400)},
            summary="A team's barriers to learning, from the released survey diagnosis and from behaviour, "
                    "with evidence and practices")
def team_barriers(request, team_id: Id):
    selectors.require(selectors.can_view(request.user), "Sign in to see the strategy.")
    team = team_ref(team_id, field="team_id", current=True)
    found = barrier_rules.barriers_for_teams([team], viewer=request.user)[team.pk]
    return {"team_id": team.pk, "barriers": [
        {"barrier": item.barrier, "label": item.label, "practices": list(item.practices), "playbooks": item.playbooks,
         "findings": [{"source": f.source, "rule": f.rule, "evidence": f.evidence} for f in item.findings]}
        for item in found]}


# --- vision ----------------------------------------------------------------------------------


def _vision(item) -> dict:
    return {"id": item.pk, "title": item.title, "team_id": item.team_id, "owner_id": item.owner_id,
            "draft": item.draft, "url": reverse("strategy:vision", args=[item.pk])}


def _key(request):
    key = request.headers.get(vision.KEY_HEADER)
    return key if vision.is_well_formed(key) else None


def _vision_detail(request, vision_id) -> dict:
    item = vision.vision_for(request.user, vision_id)
    rounds = vision.rounds_of(request.user, item, writer_key=_key(request))
    engagement = vision.engagement(item)
    return {**_vision(item),
            "versions": [{"number": v.number, "text": v.text, "summary": v.summary,
                          "published_by_id": v.published_by_id, "published_at": v.published_at}
                         for v in vision.versions_of(request.user, item)],
            "rounds": [{"number": r["round"].number, "question": r["round"].question,
                        "anonymous": r["round"].anonymous, "opened_on": r["round"].opened_on,
                        "closed_on": r["round"].closed_on, "support_budget": r["round"].support_budget,
                        "supports_left": r["supports_left"],
                        "proposals": [_proposal(row) for row in r["proposals"]]} for r in rounds],
            "engagement": {key: engagement[key] for key in ("engaged", "population", "share")}}


def _proposal(row) -> dict:
    proposal = row["proposal"]
    return {"id": str(proposal.pk), "kind": proposal.kind, "text": proposal.text, "replace": proposal.replace,
            "with_text": proposal.with_text, "author_id": row["author"].pk if row["author"] else None,
            "status": proposal.status, "reason": proposal.reason, "decided_on": proposal.decided_on,
            "support": row["support"], "mine": row["mine"], "supported": row["supported"]}


@router.get("/visions", response=list[StrategyVisionOut], summary="The organization's vision and the teams' visions")
@paginate(Pagination)
def list_visions(request):
    return Shown(vision.visions(request.user), _vision)


@router.post("/visions", response={201: StrategyVisionDetailOut}, summary="Start a vision (organization or team)")
def create_vision(request, payload: StrategyVisionIn):
    item = vision.create_vision(by=request.user, title=payload.title, team=_team(payload.team_id),
                                draft=payload.draft)
    return Status(201, _vision_detail(request, item.pk))


@router.get("/visions/{vision_id}", response=StrategyVisionDetailOut,
            summary="A vision with its versions, rounds (anonymous ones without authors) and engagement. Send "
                    "X-Writer-Key to see which anonymous proposals are yours.")
def get_vision(request, vision_id: Id):
    return _vision_detail(request, vision_id)


@router.put("/visions/{vision_id}/draft", response=StrategyVisionDetailOut, summary="Edit the working draft")
def put_draft(request, vision_id: Id, payload: StrategyDraftIn):
    vision.update_draft(by=request.user, vision=vision.vision_for(request.user, vision_id), draft=payload.draft)
    return _vision_detail(request, vision_id)


@router.post("/visions/{vision_id}/rounds", response={201: StrategyVisionDetailOut},
             summary="Open a round of comments and proposed changes (anonymous if asked)")
def open_round(request, vision_id: Id, payload: StrategyRoundIn):
    vision.open_round(by=request.user, vision=vision.vision_for(request.user, vision_id), question=payload.question,
                      anonymous=payload.anonymous, support_budget=payload.support_budget)
    return Status(201, _vision_detail(request, vision_id))


def _open_round(item):
    found = item.rounds.filter(closed_on=None).first()
    if found is None:
        raise ValidationError("No round is open.")
    return found


@router.post("/visions/{vision_id}/rounds/close", response=StrategyVisionDetailOut, summary="Close the open round")
def close_round(request, vision_id: Id):
    item = vision.vision_for(request.user, vision_id)
    vision.close_round(by=request.user, round_=_open_round(item))
    return _vision_detail(request, vision_id)


@router.post("/visions/{vision_id}/proposals", response={201: StrategyProposalOut},
             summary="Comment or propose a change in the open round (anonymous rounds: send X-Writer-Key, a "
                     "random key of 32–128 URL-safe characters that only you keep)")
def propose(request, vision_id: Id, payload: StrategyProposalIn):
    item = vision.vision_for(request.user, vision_id)
    round_ = _open_round(item)
    proposal = vision.propose(by=request.user, round_=round_, kind=payload.kind, text=payload.text,
                              replace=payload.replace, with_text=payload.with_text, writer_key=_key(request))
    return Status(201, {"id": str(proposal.pk), "kind": proposal.kind, "text": proposal.text,
                        "replace": proposal.replace, "with_text": proposal.with_text,
                        "author_id": None if round_.anonymous else request.user.pk, "status": proposal.status,
                        "reason": "", "decided_on": None, "support": 0, "mine": True, "supported": False})


@router.post("/proposals/{proposal_id}/support", response=StrategyVisionDetailOut,
             summary="Support a proposal (once; anonymous rounds: with X-Writer-Key)")
def support(request, proposal_id: str):
    proposal = vision.proposal_for(request.user, proposal_id)
    vision.support(by=request.user, proposal=proposal, writer_key=_key(request))
    return _vision_detail(request, proposal.round.vision_id)


@router.post("/proposals/{proposal_id}/decision", response=StrategyVisionDetailOut,
             summary="Accept (a change goes into the draft) or reject a proposal, with a reason")
def decide(request, proposal_id: str, payload: StrategyDecisionIn):
    proposal = vision.proposal_for(request.user, proposal_id)
    vision.decide(by=request.user, proposal=proposal, accept=payload.accept, reason=payload.reason)
    return _vision_detail(request, proposal.round.vision_id)


@router.post("/visions/{vision_id}/publish", response={201: StrategyVisionDetailOut},
             summary="Publish the draft as the next version")
def publish(request, vision_id: Id, payload: StrategyPublishIn):
    vision.publish(by=request.user, vision=vision.vision_for(request.user, vision_id), summary=payload.summary)
    return Status(201, _vision_detail(request, vision_id))


@router.post("/visions/{vision_id}/connect", response=StrategyVisionDetailOut,
             summary="Mark that the vision feels connected to your work (with what it means for it)")
def connect(request, vision_id: Id, payload: StrategyConnectIn):
    vision.mark_connected(by=request.user, vision=vision.vision_for(request.user, vision_id), note=payload.note)
    return _vision_detail(request, vision_id)


@router.get("/visions/{vision_id}/versions/{number}/diff", response=StrategyDiffOut,
            summary="What a published version changed from the one before (line diff and unified diff)")
def version_diff(request, vision_id: Id, number: Id):
    item = vision.vision_for(request.user, vision_id)
    versions = {v.number: v for v in vision.versions_of(request.user, item)}
    if number not in versions:
        from django.http import Http404

        raise Http404("No such version.")
    previous = versions.get(number - 1)
    return {"number": number, "previous": previous.number if previous else None,
            "lines": [{"change": change, "line": line}
                      for change, line in vision.diff(previous.text if previous else "", versions[number].text)],
            "unified": vision.unified_diff(previous, versions[number])}


# --- champions -------------------------------------------------------------------------------


def _champions_out(rows) -> list[dict]:
    found = champion_services.activity([row.person_id for row in rows])
    return [{"id": row.pk, "person_id": row.person_id, "name": row.person.full_name, "team_id": row.team_id,
             "topic": row.topic, "named_on": row.named_on, "ended_on": row.ended_on, **found[row.person_id]}
            for row in rows]


@router.get("/champions", response=list[StrategyChampionOut],
            summary="Current learning champions with what they model over the last year")
@paginate(Pagination)
def list_champions(request):
    return Shown(champion_services.champions(request.user), each_page=lambda page: _champions_out(list(page)))


@router.post("/champions", response={201: StrategyChampionOut}, summary="Name a champion for a team or topic")
def name_champion(request, payload: StrategyChampionIn):
    with request_fields(person="person_id", team="team_id"):
        row = champion_services.name_champion(by=request.user, person=_person(payload.person_id, "person_id"),
                                              team=_team(payload.team_id), topic=payload.topic)
    return Status(201, _champions_out([row])[0])
