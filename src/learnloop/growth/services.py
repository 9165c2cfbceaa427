"""Every write in growth: keyword-only arguments, `by=` the actor, permission checks, one
transaction, and an activity event. The framework's file import/export is in transfer.py."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from learnloop.actions import services as action_services
from learnloop.actions.models import ACTIVE_STATUSES, Effect
from learnloop.activity.services import record_activity
from learnloop.growth import permissions
from learnloop.growth.models import (
    DEFAULT_LEVEL_DESCRIPTORS,
    Activity,
    ActivityKind,
    CheckIn,
    Goal,
    GrowthProfile,
    LearningPath,
    MeetingNote,
    MentoringPair,
    PairStatus,
    PathStep,
    Plan,
    PlanStatus,
    RaterRole,
    Rating,
    Skill,
    SkillCategory,
    SkillEvent,
    SkillStatus,
    StepCompletion,
    StepKind,
    SuggestionDecision,
    SuggestionStatus,
    TeamSkillNeed,
)
from learnloop.org.membership import is_active_person

NAME_MAX = 80
TEXT_MAX = 5000


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _actor(by) -> None:
    if not is_active_person(by):
        raise ValidationError("Sign in as an active person to do this.")


def _text(value, *, field: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ValidationError({field: "This is required."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep it under {limit} characters."})
    return value


def _event(subject, verb: str, *, by, at, data=None, team=None) -> None:
    record_activity(verb=f"growth.{verb}", subject=subject, actor=by, team=team, data=data, at=at)


# --- the framework --------------------------------------------------------------------------------


def clean_levels(levels) -> list[str]:
    if not levels:
        return list(DEFAULT_LEVEL_DESCRIPTORS)
    if isinstance(levels, str):
        levels = [line for line in levels.splitlines() if line.strip()]
    levels = [str(level).strip() for level in levels]
    if not 2 <= len(levels) <= 10 or any(not level or len(level) > 300 for level in levels):
        raise ValidationError({"level_descriptors": "Give 2 to 10 level descriptors, one per level, "
                                                    "each under 300 characters."})
    return levels


def clean_aliases(aliases) -> str:
    if isinstance(aliases, list | tuple):
        aliases = ",".join(str(a) for a in aliases)
    parts = [a.strip().lower() for a in str(aliases or "").split(",") if a.strip()]
    value = ",".join(dict.fromkeys(parts))
    if len(value) > 400:
        raise ValidationError({"aliases": "Keep the aliases under 400 characters."})
    return value


def create_category(*, by, name: str, description: str = "", position: int = 0) -> SkillCategory:
    _actor(by)
    permissions.require(permissions.can_manage_framework(by), "Only learning leads and admins edit the framework.")
    name = _text(name, field="name", required=True, limit=NAME_MAX)
    if SkillCategory.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a category named {name}."})
    return SkillCategory.objects.create(name=name, description=_text(description, field="description"),
                                        position=position)


def _check_skill_name(name: str, *, exclude=None) -> str:
    name = _text(name, field="name", required=True, limit=NAME_MAX)
    others = Skill.objects.filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError({"name": f"There is already a skill named {name}."})
    return name


def create_skill(*, by, name: str, category: SkillCategory, description: str = "", aliases="",
                 level_descriptors=None, team=None, at: datetime | None = None) -> Skill:
    _actor(by)
    permissions.require(permissions.can_manage_framework(by) or (team is not None
                                                                 and permissions.can_manage_team(by, team)),
                        "Only learning leads and admins edit the framework; team leads add their team's skills.")
    now = _now(at)
    with transaction.atomic():
        skill = Skill.objects.create(
            name=_check_skill_name(name), category=category, description=_text(description, field="description"),
            aliases=clean_aliases(aliases), level_descriptors=clean_levels(level_descriptors), team=team,
            created_at=now,
        )
        SkillEvent.objects.create(skill=skill, verb="created", by=by, at=now)
        _event(skill, "skill_created", by=by, at=now, team=team)
    return skill


def update_skill(*, by, skill: Skill, at: datetime | None = None, **fields) -> Skill:
    _actor(by)
    permissions.require(permissions.can_edit_skill(by, skill), "Only learning leads and admins edit the framework.")
    allowed = {"name", "category", "description", "aliases", "level_descriptors"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    changed = []
    if "name" in fields:
        fields["name"] = _check_skill_name(fields["name"], exclude=skill)
    if "description" in fields:
        fields["description"] = _text(fields["description"], field="description")
    if "aliases" in fields:
        fields["aliases"] = clean_aliases(fields["aliases"])
    if "level_descriptors" in fields:
        fields["level_descriptors"] = clean_levels(fields["level_descriptors"])
        _check_levels_in_use(skill, len(fields["level_descriptors"]))
    for name, value in fields.items():
        before = getattr(skill, name)
        if before != value:
            changed.append(_change_note(name, before, value))
            setattr(skill, name, value)
    if changed:
        now = _now(at)
        with transaction.atomic():
            skill.save()
            SkillEvent.objects.create(skill=skill, verb="changed", detail=", ".join(changed)[:500], by=by, at=now)
    return skill


def _change_note(field: str, before, after) -> str:
    """What a SkillEvent says about one changed field: enough to read the skill's history."""
    if field == "name":
        return f"name (was {before})"
    if field == "category":
        return f"category (was {before})"
    if field == "level_descriptors" and len(before) != len(after):
        return f"level descriptors ({len(before)} → {len(after)} levels)"
    return field.replace("_", " ")


def _check_levels_in_use(skill: Skill, levels: int) -> None:
    """A scale can't shrink below a level already recorded on the skill (a rating, need or goal)."""
    highest = max([
        Rating.objects.filter(skill=skill).aggregate(m=Max("level"))["m"] or 0,
        TeamSkillNeed.objects.filter(skill=skill).aggregate(m=Max("level"))["m"] or 0,
        Goal.objects.filter(skill=skill).aggregate(m=Max("target_level"))["m"] or 0,
    ])
    if levels < highest:
        raise ValidationError({"level_descriptors": f"Level {highest} is in use on this skill (a rating, need or "
                                                    f"goal): keep at least {highest} levels."})


def retire_skill(*, by, skill: Skill, reason: str = "", at: datetime | None = None) -> Skill:
    """Hide it from new ratings, needs and goals; what was recorded on it stays."""
    _actor(by)
    permissions.require(permissions.can_manage_framework(by), "Only learning leads and admins retire skills.")
    if skill.status != SkillStatus.ACTIVE:
        raise ValidationError(f"{skill.name} is already {skill.get_status_display().lower()}.")
    now = _now(at)
    with transaction.atomic():
        skill.status, skill.retired_at = SkillStatus.RETIRED, now
        skill.save(update_fields=["status", "retired_at"])
        SkillEvent.objects.create(skill=skill, verb="retired", detail=_text(reason, field="reason", limit=500),
                                  by=by, at=now)
    return skill


def restore_skill(*, by, skill: Skill, at: datetime | None = None) -> Skill:
    _actor(by)
    permissions.require(permissions.can_manage_framework(by), "Only learning leads and admins restore skills.")
    if skill.status != SkillStatus.RETIRED:
        raise ValidationError("Only a retired skill can be restored.")
    now = _now(at)
    with transaction.atomic():
        skill.status, skill.retired_at = SkillStatus.ACTIVE, None
        skill.save(update_fields=["status", "retired_at"])
        SkillEvent.objects.create(skill=skill, verb="restored", by=by, at=now)
    return skill


def merge_skill(*, by, skill: Skill, into: Skill, at: datetime | None = None) -> Skill:
    """Merge `skill` into the survivor `into`: ratings, needs, goals, paths and suggestion answers
    move to the survivor; the merged skill stays (status merged, pointing at it) with its history."""
    _actor(by)
    permissions.require(permissions.can_manage_framework(by), "Only learning leads and admins merge skills.")
    if skill.pk == into.pk:
        raise ValidationError({"into": "Merge a skill into another skill."})
    if skill.status == SkillStatus.MERGED:
        raise ValidationError(f"{skill.name} was already merged into another skill.")
    if into.status != SkillStatus.ACTIVE:
        raise ValidationError({"into": "Merge into an active skill."})
    now = _now(at)
    with transaction.atomic():
        moved = Rating.objects.filter(skill=skill).update(skill=into)
        for need in TeamSkillNeed.objects.filter(skill=skill):
            survivor_need = TeamSkillNeed.objects.filter(team_id=need.team_id, skill=into).first()
            if survivor_need is None:
                need.skill = into
                need.save(update_fields=["skill"])
            else:  # keep the stricter of the two
                survivor_need.level = max(survivor_need.level, need.level)
                survivor_need.people = max(survivor_need.people, need.people)
                survivor_need.save(update_fields=["level", "people"])
                need.delete()
        Goal.objects.filter(skill=skill).update(skill=into)
        LearningPath.objects.filter(skill=skill).update(skill=into)
        SuggestionDecision.objects.filter(skill=skill).exclude(
            person_id__in=SuggestionDecision.objects.filter(skill=into).values("person_id")).update(skill=into)
        aliases = ",".join(dict.fromkeys([*into.match_terms() - {into.name.lower()}, *skill.match_terms()]))
        into.aliases = clean_aliases(aliases)[:400]
        into.save(update_fields=["aliases"])
        skill.status, skill.merged_into, skill.retired_at = SkillStatus.MERGED, into, now
        skill.save(update_fields=["status", "merged_into", "retired_at"])
        SkillEvent.objects.create(skill=skill, verb="merged", detail=f"into {into.name} ({moved} ratings moved)",
                                  by=by, at=now)
        SkillEvent.objects.create(skill=into, verb="absorbed", detail=f"{skill.name} merged in ({moved} ratings)",
                                  by=by, at=now)
    return skill


# --- ratings and profiles -------------------------------------------------------------------------


def _active_skill(skill: Skill, *, field: str = "skill") -> None:
    if skill.status != SkillStatus.ACTIVE:
        raise ValidationError({field: f"{skill.name} is {skill.get_status_display().lower()}: pick an active skill."})


def _check_level(skill: Skill, level, *, field: str = "level") -> int:
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= skill.max_level:
        raise ValidationError({field: f"Pick a level from 1 to {skill.max_level}."})
    return level


def rate(*, by, person, skill: Skill, level: int, role: str | None = None, note: str = "",
         at: datetime | None = None) -> Rating:
    """Rate a person's skill: themselves (self), as one of their leads (manager), or as a peer who
    may see their profile. The role follows from who rates unless given."""
    _actor(by)
    if not is_active_person(person):
        raise ValidationError({"person": "Rate an active person."})
    if role is None:
        role = (RaterRole.SELF if by.pk == person.pk
                else RaterRole.MANAGER if permissions.leads_person(by, person) else RaterRole.PEER)
    if role not in RaterRole.values:
        raise ValidationError({"role": "Rate as self, peer or manager."})
    if role == RaterRole.SELF:
        permissions.require(by.pk == person.pk, "Only the person rates themselves.")
    elif role == RaterRole.MANAGER:
        permissions.require(permissions.leads_person(by, person), "Only a lead of one of their teams rates as manager.")
    else:
        permissions.require(by.pk != person.pk, "Rate yourself as self.")
        permissions.require(permissions.can_see_profile(by, person, shared=profile_for(person).shared),
                            "You may rate only people whose profile you can see.")
    _active_skill(skill)
    level = _check_level(skill, level)
    now = _now(at)
    with transaction.atomic():
        rating = Rating.objects.create(person=person, skill=skill, rater=by, role=role, level=level,
                                       note=_text(note, field="note"), rated_at=now)
        _event(rating, "rated", by=by, at=now, data={"role": role})
    return rating


def profile_for(person) -> GrowthProfile:
    profile = getattr(person, "_growth_profile_cache", None)
    if profile is None:
        profile = GrowthProfile.objects.filter(person=person).first() or GrowthProfile(person=person)
        person._growth_profile_cache = profile
    return profile


def set_sharing(*, by, person, shared: bool, headline: str | None = None) -> GrowthProfile:
    _actor(by)
    permissions.require(by.pk == person.pk, "Only the person decides whether their profile is shared.")
    profile, _ = GrowthProfile.objects.get_or_create(person=person)
    profile.shared = bool(shared)
    if headline is not None:
        profile.headline = _text(headline, field="headline", limit=200)
    profile.save()
    person._growth_profile_cache = profile
    return profile


def answer_suggestion(*, by, skill: Skill, accept: bool, level: int | None = None, evidence_count: int = 0,
                      at: datetime | None = None) -> SuggestionDecision:
    """Accept (rate yourself at `level`) or dismiss an evidence suggestion. Dismissed suggestions
    are not offered again for that skill."""
    _actor(by)
    _active_skill(skill)
    now = _now(at)
    if accept:
        if level is None:
            raise ValidationError({"level": "Pick the level you are at to add the skill."})
        _check_level(skill, level)
    with transaction.atomic():
        decision, _ = SuggestionDecision.objects.update_or_create(
            person=by, skill=skill,
            defaults={"status": SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DISMISSED,
                      "evidence_count": max(0, int(evidence_count)), "decided_at": now})
        if accept:
            rate(by=by, person=by, skill=skill, level=level, role=RaterRole.SELF,
                 note="Added from an evidence suggestion.", at=now)
    return decision


# --- team needs -----------------------------------------------------------------------------------


def set_need(*, by, team, skill: Skill, level: int, people: int) -> TeamSkillNeed:
    _actor(by)
    permissions.require(permissions.can_manage_team(by, team), f"Only leads of {team.name} state its needs.")
    _active_skill(skill)
    _check_level(skill, level)
    if not isinstance(people, int) or not 1 <= people <= 1000:
        raise ValidationError({"people": "Say how many people (1 to 1000) the team needs at that level."})
    need, _ = TeamSkillNeed.objects.update_or_create(team=team, skill=skill,
                                                     defaults={"level": level, "people": people})
    return need


def remove_need(*, by, need: TeamSkillNeed) -> None:
    _actor(by)
    permissions.require(permissions.can_manage_team(by, need.team), "Only the team's leads change its needs.")
    need.delete()


# --- development plans ----------------------------------------------------------------------------


def _require_plan_editor(by, person) -> None:
    permissions.require(permissions.can_see_plans(by, person),
                        "Only the person, their team leads, learning leads and admins work on their plans.")


def create_plan(*, by, person, title: str, at: datetime | None = None) -> Plan:
    _actor(by)
    _require_plan_editor(by, person)
    now = _now(at)
    plan = Plan.objects.create(person=person, title=_text(title, field="title", required=True, limit=200),
                               created_by=by, created_at=now)
    _event(plan, "plan_created", by=by, at=now)
    return plan


def close_plan(*, by, plan: Plan) -> Plan:
    _actor(by)
    _require_plan_editor(by, plan.person)
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status"])
    return plan


def add_goal(*, by, plan: Plan, skill: Skill, target_level: int, by_date: date | None = None) -> Goal:
    _actor(by)
    _require_plan_editor(by, plan.person)
    _active_skill(skill)
    _check_level(skill, target_level, field="target_level")
    return Goal.objects.create(plan=plan, skill=skill, target_level=target_level, by_date=by_date)


def add_activity(*, by, plan: Plan, kind: str, title: str = "", goal: Goal | None = None,
                 due_on: date | None = None, path: LearningPath | None = None, entry=None,
                 at: datetime | None = None) -> Activity:
    """An activity with a due date is also an action owned by the person (created in their name),
    so the action engine's due-soon and overdue reminders cover it."""
    _actor(by)
    _require_plan_editor(by, plan.person)
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": "Pick one of: " + ", ".join(ActivityKind.values) + "."})
    if kind == ActivityKind.PATH and path is None:
        raise ValidationError({"path": "Pick the learning path to follow."})
    if kind == ActivityKind.READING and entry is None:
        raise ValidationError({"entry": "Pick the knowledge entry to read."})
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError({"goal": "Pick a goal of this plan."})
    title = _text(title, field="title", limit=200) or (path.title if path else entry.title if entry else "")
    if not title:
        raise ValidationError({"title": "Say what the activity is."})
    now = _now(at)
    with transaction.atomic():
        activity = Activity(plan=plan, goal=goal, kind=kind, title=title, due_on=due_on, path=path, entry=entry,
                            created_at=now)
        if due_on is not None:
            activity.action = action_services.create_action(
                by=plan.person, owner=plan.person, title=f"Development plan: {title}"[:300], due_on=due_on,
                description=f"From the development plan “{plan.title}”.", source_label=plan.title[:300],
                source_url=f"/growth/plans/{plan.pk}/", at=now)
        activity.save()
    return activity


def complete_activity(*, by, activity: Activity, at: datetime | None = None) -> Activity:
    _actor(by)
    _require_plan_editor(by, activity.plan.person)
    if activity.done_at is not None:
        raise ValidationError("This activity is already done.")
    now = _now(at)
    with transaction.atomic():
        activity.done_at = now
        activity.save(update_fields=["done_at"])
        action = activity.action
        if action is not None and action.status in ACTIVE_STATUSES:
            action_services.complete_action(by=activity.plan.person, action=action, effect=Effect.UNKNOWN,
                                            evidence="Done as a development plan activity.", at=now)
        _event(activity.plan, "activity_done", by=by, at=now, data={"activity": activity.pk})
    return activity


def check_in(*, by, plan: Plan, note: str, at: datetime | None = None) -> CheckIn:
    _actor(by)
    permissions.require(by.pk != plan.person_id and permissions.can_see_plans(by, plan.person),
                        "Check-ins are written by the person's team lead, learning leads or admins.")
    now = _now(at)
    return CheckIn.objects.create(plan=plan, by=by, note=_text(note, field="note", required=True), at=now)


# --- learning paths -------------------------------------------------------------------------------


def create_path(*, by, title: str, description: str = "", skill: Skill | None = None,
                target_level: int | None = None, at: datetime | None = None) -> LearningPath:
    _actor(by)
    if skill is not None:
        _active_skill(skill)
        if target_level is not None:
            _check_level(skill, target_level, field="target_level")
    elif target_level is not None:
        raise ValidationError({"target_level": "A target level needs a skill."})
    now = _now(at)
    return LearningPath.objects.create(title=_text(title, field="title", required=True, limit=200),
                                       description=_text(description, field="description"), skill=skill,
                                       target_level=target_level, created_by=by, created_at=now)


def _require_path_editor(by, path: LearningPath) -> None:
    permissions.require(by.pk == path.created_by_id or permissions.sees_everyone(by),
                        "Only the path's author, learning leads and admins change it.")


def add_step(*, by, path: LearningPath, kind: str, title: str = "", url: str = "", entry=None) -> PathStep:
    _actor(by)
    _require_path_editor(by, path)
    if kind not in StepKind.values:
        raise ValidationError({"kind": "Pick one of: " + ", ".join(StepKind.values) + "."})
    title = _text(title, field="title", limit=200)
    url = _text(url, field="url", limit=500)
    if kind == StepKind.ENTRY:
        if entry is None:
            raise ValidationError({"entry": "Pick the knowledge entry."})
        title = title or entry.title[:200]
    elif not title:
        raise ValidationError({"title": "Name the resource."})
    if url and not url.startswith(("https://", "http://")):
        raise ValidationError({"url": "Give a web address starting with https:// or http://."})
    if kind == StepKind.URL and not url:
        raise ValidationError({"url": "Give the web address."})
    with transaction.atomic():
        position = (path.steps.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        return PathStep.objects.create(path=path, position=position, kind=kind, title=title, url=url,
                                       entry=entry if kind == StepKind.ENTRY else None)


def complete_step(*, by, step: PathStep, at: datetime | None = None) -> StepCompletion:
    _actor(by)
    try:
        with transaction.atomic():
            return StepCompletion.objects.create(step=step, person=by, completed_at=_now(at))
    except IntegrityError:
        return StepCompletion.objects.get(step=step, person=by)


def undo_step(*, by, step: PathStep) -> None:
    _actor(by)
    StepCompletion.objects.filter(step=step, person=by).delete()


# --- mentoring --------------------------------------------------------------------------------------


def start_pair(*, by, mentor, mentee, goals: str = "", at: datetime | None = None) -> MentoringPair:
    """A mentoring pair is started by the mentee, or by a learning lead or admin."""
    _actor(by)
    permissions.require(by.pk == mentee.pk or permissions.sees_everyone(by),
                        "A mentee asks for their mentor; learning leads and admins pair people.")
    if mentor.pk == mentee.pk:
        raise ValidationError({"mentor": "Pick someone else as the mentor."})
    if not is_active_person(mentor) or not is_active_person(mentee):
        raise ValidationError({"mentor": "Both people must be active."})
    if MentoringPair.objects.filter(mentor=mentor, mentee=mentee, status=PairStatus.ACTIVE).exists():
        raise ValidationError({"mentor": "These two are already a mentoring pair."})
    now = _now(at)
    return MentoringPair.objects.create(mentor=mentor, mentee=mentee, goals=_text(goals, field="goals"),
                                        created_by=by, started_at=now)


def end_pair(*, by, pair: MentoringPair) -> MentoringPair:
    _actor(by)
    permissions.require(permissions.can_see_pair(by, pair) or permissions.sees_everyone(by),
                        "Only the pair, learning leads and admins end a mentoring pair.")
    pair.status = PairStatus.ENDED
    pair.save(update_fields=["status"])
    return pair


def add_note(*, by, pair: MentoringPair, body: str, met_on: date | None = None,
             at: datetime | None = None) -> MeetingNote:
    _actor(by)
    permissions.require(permissions.can_see_pair(by, pair), "Only the mentor and the mentee write meeting notes.")
    now = _now(at)
    return MeetingNote.objects.create(pair=pair, author=by, body=_text(body, field="body", required=True),
                                      met_on=met_on or timezone.localdate(now), created_at=now)
