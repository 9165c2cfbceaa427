"""API for growth at /api/v1/growth: the skills framework (with CSV/JSON import and export),
profiles with ratings, evidence and suggestions, team coverage and needs, development plans,
learning paths and mentoring pairs. Every write goes through the same services as the pages,
every read through the same selectors (and so the same visibility rules)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from ninja import Router, Status
from ninja.pagination import paginate

from learnloop.api_base import Id, Pagination, Shown, errors, person_ref, request_fields, team_ref
from learnloop.growth import permissions, selectors, services, transfer
from learnloop.growth.api_schemas import (
    GrowthActivityIn,
    GrowthActivityOut,
    GrowthCategoryIn,
    GrowthCategoryOut,
    GrowthCheckInIn,
    GrowthCheckInOut,
    GrowthCoverageOut,
    GrowthExportOut,
    GrowthGoalIn,
    GrowthGoalOut,
    GrowthImportIn,
    GrowthImportOut,
    GrowthMergeIn,
    GrowthNeedIn,
    GrowthNeedOut,
    GrowthNoteIn,
    GrowthNoteOut,
    GrowthPairDetailOut,
    GrowthPairIn,
    GrowthPairOut,
    GrowthPathDetailOut,
    GrowthPathIn,
    GrowthPathOut,
    GrowthPersonOut,
    GrowthPlanDetailOut,
    GrowthPlanIn,
    GrowthPlanOut,
    GrowthProfileOut,
    GrowthRateIn,
    GrowthRatingOut,
    GrowthRetireIn,
    GrowthSharingIn,
    GrowthSkillDetailOut,
    GrowthSkillIn,
    GrowthSkillOut,
    GrowthSkillPatch,
    GrowthStepIn,
    GrowthStepOut,
    GrowthSuggestionAnswerOut,
    GrowthSuggestionIn,
    GrowthTeamCoverageOut,
)
from learnloop.growth.models import Activity, LearningPath, PathStep, Skill, SkillCategory
from learnloop.growth.workshop_api import router as workshop_router
from learnloop.knowledge.models import Entry
from learnloop.knowledge.permissions import can_view as can_view_entry

router = Router(tags=["growth"])
router.add_router("/workshops", workshop_router)


def _skill(skill_id: int, field: str = "skill_id") -> Skill:
    skill = Skill.objects.filter(pk=skill_id).select_related("category").first()
    if skill is None:
        raise ValidationError({field: f"No skill with id {skill_id}."})
    return skill


def _category(category_id: int) -> SkillCategory:
    category = SkillCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationError({"category_id": f"No category with id {category_id}."})
    return category


def _entry(viewer, entry_id: int | None):
    if entry_id is None:
        return None
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None or not can_view_entry(viewer, entry):
        raise ValidationError({"entry_id": f"No knowledge entry with id {entry_id}."})
    return entry


def _skill_out(skill: Skill) -> dict:
    return {"id": skill.pk, "name": skill.name, "category_id": skill.category_id, "category": skill.category.name,
            "description": skill.description, "aliases": [a for a in skill.aliases.split(",") if a],
            "level_descriptors": list(skill.level_descriptors), "team_id": skill.team_id, "status": skill.status,
            "merged_into_id": skill.merged_into_id, "url": reverse("growth:skill", args=[skill.pk])}


# --- framework ----------------------------------------------------------------------------------


@router.get("/categories", response=list[GrowthCategoryOut], summary="Skill categories, in order")
@paginate(Pagination)
def list_categories(request):
    selectors.require_signed_in(request.user)
    return SkillCategory.objects.order_by("position", "name", "id")


@router.post("/categories", response={201: GrowthCategoryOut, **errors(403)}, summary="Add a skill category")
def create_category(request, payload: GrowthCategoryIn):
    return Status(201, services.create_category(by=request.user, **payload.dict()))


@router.get("/skills", response={200: list[GrowthSkillOut]},
            summary="Skills of the framework by name (status: active, retired, merged, or all)")
@paginate(Pagination)
def list_skills(request, status: str = "active"):
    selectors.require_signed_in(request.user)
    if status not in {"active", "retired", "merged", "all"}:
        raise ValidationError({"status": "Pick active, retired, merged or all."})
    return Shown(selectors.skills(status=None if status == "all" else status), _skill_out)


@router.post("/skills", response={201: GrowthSkillOut, **errors(403)}, summary="Add a skill")
def create_skill(request, payload: GrowthSkillIn):
    data = payload.dict()
    team = team_ref(data.pop("team_id"), field="team_id", current=True) if data["team_id"] else None
    data.pop("team_id", None)
    category = _category(data.pop("category_id"))
    skill = services.create_skill(by=request.user, category=category, team=team, **data)
    return Status(201, _skill_out(skill))


@router.get("/skills/{skill_id}", response=GrowthSkillDetailOut, summary="One skill with its history")
def get_skill(request, skill_id: Id):
    selectors.require_signed_in(request.user)
    skill = selectors.skill_detail(skill_id)
    return {**_skill_out(skill), "merged_from_ids": [s.pk for s in skill.merged_from.all()],
            "events": [{"verb": e.verb, "detail": e.detail, "by_id": e.by_id, "at": e.at} for e in skill.events.all()]}


@router.patch("/skills/{skill_id}", response={200: GrowthSkillOut, **errors(403)}, summary="Change a skill")
def update_skill(request, skill_id: Id, payload: GrowthSkillPatch):
    skill = selectors.skill_detail(skill_id)
    data = payload.dict(exclude_unset=True)
    data = {k: v for k, v in data.items() if v is not None}
    if "category_id" in data:
        data["category"] = _category(data.pop("category_id"))
    services.update_skill(by=request.user, skill=skill, **data)
    return _skill_out(selectors.skill_detail(skill_id))


@router.post("/skills/{skill_id}/retire", response={200: GrowthSkillOut, **errors(403)}, summary="Retire a skill")
def retire_skill(request, skill_id: Id, payload: GrowthRetireIn):
    skill = services.retire_skill(by=request.user, skill=selectors.skill_detail(skill_id), reason=payload.reason)
    return _skill_out(skill)


@router.post("/skills/{skill_id}/restore", response={200: GrowthSkillOut, **errors(403)},
             summary="Restore a retired skill")
def restore_skill(request, skill_id: Id):
    return _skill_out(services.restore_skill(by=request.user, skill=selectors.skill_detail(skill_id)))


@router.post("/skills/{skill_id}/merge", response={200: GrowthSkillOut, **errors(403)},
             summary="Merge a skill into another; its ratings move to the survivor")
def merge_skill(request, skill_id: Id, payload: GrowthMergeIn):
    skill = services.merge_skill(by=request.user, skill=selectors.skill_detail(skill_id),
                                 into=_skill(payload.into_id, "into_id"))
    return _skill_out(skill)


@router.get("/framework/export", response={200: GrowthExportOut, **errors(400)},
            summary="The whole framework as CSV or JSON text")
def export_framework(request, format: str = "json"):
    selectors.require_signed_in(request.user)
    if format not in {"csv", "json"}:
        raise ValidationError({"format": "Pick csv or json."})
    return {"format": format, "content": transfer.export_csv() if format == "csv" else transfer.export_json()}


@router.post("/framework/import", response={200: GrowthImportOut, **errors(403)},
             summary="Import skills from CSV or JSON: all rows or none, every row's problems listed")
def import_framework(request, payload: GrowthImportIn):
    rows = transfer.parse_csv(payload.content) if payload.format == "csv" else transfer.parse_json(payload.content)
    result = transfer.import_rows(by=request.user, rows=rows)
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


@router.post("/framework/starter", response={200: GrowthImportOut, **errors(403)},
             summary="Load the starter framework shipped with Learnloop")
def load_starter(request):
    result = transfer.load_starter(by=request.user)
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


# --- profiles -----------------------------------------------------------------------------------


@router.get("/people", response=list[GrowthPersonOut], summary="People whose growth profile you may see")
@paginate(Pagination)
def list_people(request, q: str = ""):
    people = selectors.people_visible(viewer=request.user, query=q[:100]).select_related("growth_profile")

    def show(person):
        profile = getattr(person, "growth_profile", None)
        return {"id": person.pk, "full_name": person.full_name, "shared": bool(profile and profile.shared),
                "url": reverse("growth:profile", args=[person.pk])}

    return Shown(people, show)


def _evidence(items) -> list[dict]:
    return [{"kind": i.kind, "title": i.title, "url": i.url} for i in items]


def _profile_out(profile) -> dict:
    return {
        "person_id": profile.person.pk, "full_name": profile.person.full_name, "shared": profile.shared,
        "headline": profile.headline,
        "skills": [{"skill_id": row.skill.pk, "skill": row.skill.name, "effective_level": row.effective,
                    "ratings": [_rating_out(r) for r in row.ratings], "evidence": _evidence(row.evidence)}
                   for row in profile.rows],
        "suggestions": [{"skill_id": s["skill"].pk, "skill": s["skill"].name, "count": s["count"], "text": s["text"],
                         "evidence": _evidence(s["evidence"])} for s in profile.suggestions],
    }


def _rating_out(rating) -> dict:
    return {"id": rating.pk, "rater_id": rating.rater_id, "rater": rating.rater.full_name, "role": rating.role,
            "level": rating.level, "note": rating.note, "rated_at": rating.rated_at}


@router.get("/people/{person_id}/profile", response=GrowthProfileOut,
            summary="A person's skills, ratings, evidence (and, on your own, suggestions)")
def get_profile(request, person_id: Id):
    return _profile_out(selectors.profile(viewer=request.user, person_id=person_id))


@router.post("/people/{person_id}/ratings", response={201: GrowthRatingOut, **errors(403)},
             summary="Rate a person's skill (self, peer or manager)")
def rate(request, person_id: Id, payload: GrowthRateIn):
    person, _, _ = selectors.visible_person(viewer=request.user, person_id=person_id)
    with request_fields(skill="skill_id"):
        rating = services.rate(by=request.user, person=person, skill=_skill(payload.skill_id), level=payload.level,
                               note=payload.note, role=payload.role)
    return Status(201, _rating_out(rating))


@router.put("/me/sharing", response=GrowthProfileOut, summary="Share your profile with everyone, or stop")
def set_sharing(request, payload: GrowthSharingIn):
    selectors.require_signed_in(request.user)
    services.set_sharing(by=request.user, person=request.user, shared=payload.shared, headline=payload.headline)
    return _profile_out(selectors.profile(viewer=request.user, person_id=request.user.pk))


@router.post("/me/suggestions", response=GrowthSuggestionAnswerOut,
             summary="Accept (rate yourself) or dismiss an evidence suggestion")
def answer_suggestion(request, payload: GrowthSuggestionIn):
    selectors.require_signed_in(request.user)
    with request_fields(skill="skill_id"):
        decision = services.answer_suggestion(by=request.user, skill=_skill(payload.skill_id), accept=payload.accept,
                                              level=payload.level)
    return {"skill_id": decision.skill_id, "status": decision.status}


# --- coverage -----------------------------------------------------------------------------------


@router.get("/coverage", response={200: GrowthCoverageOut, **errors(400)},
            summary="Team × skill: people at the level or above, for the teams you see")
def coverage(request, level: int = 3):
    if not 1 <= level <= 10:
        raise ValidationError({"level": "Pick a level from 1 to 10."})
    found = selectors.coverage(viewer=request.user, level=level)
    return {"level": level, "teams": [{"id": t.pk, "name": t.name} for t in found.teams],
            "skills": [{"id": s.pk, "name": s.name} for s in found.skills],
            "cells": [{"team_id": t.pk, "skill_id": s.pk, "people": found.counts.get((t.pk, s.pk), 0),
                       "needed": found.needs[(t.pk, s.pk)].people if (t.pk, s.pk) in found.needs else None}
                      for t in found.teams for s in found.skills]}


@router.get("/teams/{team_id}/coverage", response={200: GrowthTeamCoverageOut, **errors(400)},
            summary="A team's gaps against its needs, single points of knowledge and (leads) its matrix")
def team_coverage(request, team_id: Id, level: int = 3):
    if not 1 <= level <= 10:
        raise ValidationError({"level": "Pick a level from 1 to 10."})
    found = selectors.team_coverage(viewer=request.user, team_id=team_id, level=level)
    return {"team_id": team_id, "level": level,
            "gaps": [{"skill_id": n.skill_id, "skill": n.skill.name, "level": n.level, "needed": n.people, "have": have}
                     for n, have in found.gaps],
            "single_points": [{"skill_id": s.pk, "skill": s.name, "person_id": p.pk if p else None}
                              for s, p in found.single_points],
            "matrix": [{"person_id": p.pk, "levels": {str(s.pk): found.levels[(p.pk, s.pk)] for s in found.skills
                                                      if (p.pk, s.pk) in found.levels}} for p in found.members]}


@router.put("/teams/{team_id}/needs", response={200: GrowthNeedOut, **errors(403)},
            summary="State what a team needs: people at a level in a skill")
def set_need(request, team_id: Id, payload: GrowthNeedIn):
    team = selectors.team_for(viewer=request.user, team_id=team_id)
    with request_fields(skill="skill_id"):
        need = services.set_need(by=request.user, team=team, skill=_skill(payload.skill_id), level=payload.level,
                                 people=payload.people)
    return {"team_id": team.pk, "skill_id": need.skill_id, "skill": need.skill.name, "level": need.level,
            "people": need.people}


# --- plans --------------------------------------------------------------------------------------


def _plan_out(plan) -> dict:
    return {"id": plan.pk, "person_id": plan.person_id, "title": plan.title, "status": plan.status,
            "created_at": plan.created_at, "url": reverse("growth:plan", args=[plan.pk])}


def _activity_out(a: Activity) -> dict:
    return {"id": a.pk, "kind": a.kind, "title": a.title, "goal_id": a.goal_id, "due_on": a.due_on,
            "path_id": a.path_id, "entry_id": a.entry_id, "action_id": a.action_id, "done_at": a.done_at}


def _plan_detail(viewer, plan_id: int) -> dict:
    plan = selectors.plan_detail(viewer=viewer, plan_id=plan_id)
    progress = selectors.plan_progress(plan)
    return {**_plan_out(plan),
            "goals": [{"id": g["goal"].pk, "skill_id": g["goal"].skill_id, "skill": g["goal"].skill.name,
                       "target_level": g["goal"].target_level, "by_date": g["goal"].by_date,
                       "current_level": g["current"], "reached": g["reached"]} for g in progress["goals"]],
            "activities": [_activity_out(a) for a in plan.activities.all()],
            "check_ins": [{"id": c.pk, "by_id": c.by_id, "note": c.note, "at": c.at} for c in plan.check_ins.all()],
            "done": progress["done"], "total": progress["total"], "percent": progress["percent"]}


@router.get("/plans", response=list[GrowthPlanOut], summary="Development plans you may see, newest first")
@paginate(Pagination)
def list_plans(request, person_id: Id | None = None):
    return Shown(selectors.plans_visible(viewer=request.user, person_id=person_id), _plan_out)


@router.post("/plans", response={201: GrowthPlanDetailOut, **errors(403)}, summary="Start a development plan")
def create_plan(request, payload: GrowthPlanIn):
    person = person_ref(payload.person_id, field="person_id", active=True)
    plan = services.create_plan(by=request.user, person=person, title=payload.title)
    return Status(201, _plan_detail(request.user, plan.pk))


@router.get("/plans/{plan_id}", response=GrowthPlanDetailOut, summary="A plan with goals, activities, check-ins")
def get_plan(request, plan_id: Id):
    return _plan_detail(request.user, plan_id)


@router.post("/plans/{plan_id}/goals", response={201: GrowthGoalOut, **errors(403)}, summary="Add a goal")
def add_goal(request, plan_id: Id, payload: GrowthGoalIn):
    plan = selectors.plan_detail(viewer=request.user, plan_id=plan_id)
    with request_fields(skill="skill_id"):
        goal = services.add_goal(by=request.user, plan=plan, skill=_skill(payload.skill_id),
                                 target_level=payload.target_level, by_date=payload.by_date)
    current = selectors.effective_levels([plan.person_id]).get((plan.person_id, goal.skill_id))
    return Status(201, {"id": goal.pk, "skill_id": goal.skill_id, "skill": goal.skill.name,
                        "target_level": goal.target_level, "by_date": goal.by_date, "current_level": current,
                        "reached": (current or 0) >= goal.target_level})


@router.post("/plans/{plan_id}/activities", response={201: GrowthActivityOut, **errors(403)},
             summary="Add an activity (one with a due date is tracked as an action, with reminders)")
def add_activity(request, plan_id: Id, payload: GrowthActivityIn):
    plan = selectors.plan_detail(viewer=request.user, plan_id=plan_id)
    goal = None
    if payload.goal_id is not None:
        goal = next((g for g in plan.goals.all() if g.pk == payload.goal_id), None)
        if goal is None:
            raise ValidationError({"goal_id": "Pick a goal of this plan."})
    path = None
    if payload.path_id is not None:
        path = LearningPath.objects.filter(pk=payload.path_id).first()
        if path is None:
            raise ValidationError({"path_id": f"No learning path with id {payload.path_id}."})
    with request_fields(path="path_id", entry="entry_id", goal="goal_id"):
        activity = services.add_activity(by=request.user, plan=plan, kind=payload.kind, title=payload.title,
                                         goal=goal, due_on=payload.due_on, path=path,
                                         entry=_entry(request.user, payload.entry_id))
    return Status(201, _activity_out(activity))


@router.post("/activities/{activity_id}/complete", response={200: GrowthActivityOut, **errors(403)},
             summary="Mark a plan activity done (its action, if any, is closed too)")
def complete_activity(request, activity_id: Id):
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    return _activity_out(services.complete_activity(by=request.user, activity=activity))


@router.post("/plans/{plan_id}/check-ins", response={201: GrowthCheckInOut, **errors(403)},
             summary="A manager's check-in on a plan")
def add_check_in(request, plan_id: Id, payload: GrowthCheckInIn):
    plan = selectors.plan_detail(viewer=request.user, plan_id=plan_id)
    entry = services.check_in(by=request.user, plan=plan, note=payload.note)
    return Status(201, {"id": entry.pk, "by_id": entry.by_id, "note": entry.note, "at": entry.at})


# --- paths --------------------------------------------------------------------------------------


def _path_out(path) -> dict:
    return {"id": path.pk, "title": path.title, "description": path.description, "skill_id": path.skill_id,
            "target_level": path.target_level, "steps": path.step_count, "done": path.done_count,
            "url": reverse("growth:path", args=[path.pk])}


def _path_detail(viewer, path_id: int) -> dict:
    path, steps, done = selectors.path_detail(viewer=viewer, path_id=path_id)
    return {"id": path.pk, "title": path.title, "description": path.description, "skill_id": path.skill_id,
            "target_level": path.target_level, "completed": bool(steps) and all(s.pk in done for s in steps),
            "steps": [{"id": s.pk, "position": s.position, "kind": s.kind, "title": s.title, "url": s.url,
                       "entry_id": s.entry_id, "done": s.pk in done} for s in steps]}


@router.get("/paths", response=list[GrowthPathOut], summary="Learning paths, with your progress")
@paginate(Pagination)
def list_paths(request):
    return Shown(selectors.paths(viewer=request.user), _path_out)


@router.post("/paths", response={201: GrowthPathDetailOut}, summary="Create a learning path")
def create_path(request, payload: GrowthPathIn):
    skill = _skill(payload.skill_id) if payload.skill_id is not None else None
    with request_fields(skill="skill_id"):
        path = services.create_path(by=request.user, title=payload.title, description=payload.description,
                                    skill=skill, target_level=payload.target_level)
    return Status(201, _path_detail(request.user, path.pk))


@router.get("/paths/{path_id}", response=GrowthPathDetailOut, summary="A learning path's steps and your progress")
def get_path(request, path_id: Id):
    return _path_detail(request.user, path_id)


@router.post("/paths/{path_id}/steps", response={201: GrowthStepOut, **errors(403)}, summary="Add a step")
def add_step(request, path_id: Id, payload: GrowthStepIn):
    path, _, _ = selectors.path_detail(viewer=request.user, path_id=path_id)
    with request_fields(entry="entry_id"):
        step = services.add_step(by=request.user, path=path, kind=payload.kind, title=payload.title, url=payload.url,
                                 entry=_entry(request.user, payload.entry_id))
    return Status(201, {"id": step.pk, "position": step.position, "kind": step.kind, "title": step.title,
                        "url": step.url, "entry_id": step.entry_id, "done": False})


@router.post("/steps/{step_id}/complete", response=GrowthPathDetailOut, summary="Mark a step done for yourself")
def complete_step(request, step_id: Id):
    selectors.require_signed_in(request.user)
    step = PathStep.objects.filter(pk=step_id).first()
    if step is None:
        raise Http404("No such step.")
    services.complete_step(by=request.user, step=step)
    return _path_detail(request.user, step.path_id)


# --- mentoring ----------------------------------------------------------------------------------


def _pair_out(pair, *, goals: bool = True) -> dict:
    return {"id": pair.pk, "mentor_id": pair.mentor_id, "mentee_id": pair.mentee_id,
            "goals": pair.goals if goals else "", "status": pair.status, "started_at": pair.started_at}


@router.get("/pairs", response=list[GrowthPairOut], summary="Your mentoring pairs (as mentor or mentee)")
@paginate(Pagination)
def list_pairs(request):
    return Shown(selectors.pairs_of(viewer=request.user), _pair_out)


@router.post("/pairs", response={201: GrowthPairOut, **errors(403)}, summary="Start a mentoring pair")
def start_pair(request, payload: GrowthPairIn):
    mentor = person_ref(payload.mentor_id, field="mentor_id", active=True)
    mentee = person_ref(payload.mentee_id, field="mentee_id", active=True)
    with request_fields(mentor="mentor_id"):
        pair = services.start_pair(by=request.user, mentor=mentor, mentee=mentee, goals=payload.goals)
    return Status(201, _pair_out(pair))


@router.get("/pairs/{pair_id}", response=GrowthPairDetailOut,
            summary="A mentoring pair with its meeting notes (the pair only)")
def get_pair(request, pair_id: Id):
    pair = selectors.pair_detail(viewer=request.user, pair_id=pair_id)
    return {**_pair_out(pair), "notes": [{"id": n.pk, "author_id": n.author_id, "met_on": n.met_on, "body": n.body}
                                         for n in pair.notes.all()]}


@router.post("/pairs/{pair_id}/notes", response={201: GrowthNoteOut}, summary="Add a meeting note")
def add_note(request, pair_id: Id, payload: GrowthNoteIn):
    pair = selectors.pair_detail(viewer=request.user, pair_id=pair_id)
    note = services.add_note(by=request.user, pair=pair, body=payload.body, met_on=payload.met_on)
    return Status(201, {"id": note.pk, "author_id": note.author_id, "met_on": note.met_on, "body": note.body})


@router.post("/pairs/{pair_id}/end", response={200: GrowthPairOut, **errors(403)}, summary="End a mentoring pair")
def end_pair(request, pair_id: Id):
    # Learning leads and admins end any pair (as on the pages); only the pair reads its goals.
    pair = selectors.pair_to_end(viewer=request.user, pair_id=pair_id)
    return _pair_out(services.end_pair(by=request.user, pair=pair),
                     goals=permissions.can_see_pair(request.user, pair))


# Matching rounds (offers, requests, rounds, proposals) under /growth/mentoring.
from learnloop.growth.matching_api import router as matching_router  # noqa: E402

router.add_router("/mentoring", matching_router)
