"""Every read in growth, scoped to the viewer, with a fixed number of queries per page.

How a person's level in a skill is read (their *effective level*): the latest manager rating if
there is one, else their latest self rating, else the latest peer rating.

How evidence is tied to skills: a knowledge entry counts for a skill when one of its tags or
knowledge skills equals the skill's name or one of its aliases (case-insensitive). Actions,
reflection sessions and experiments carry no tags, so they count for a skill when the skill's
name or an alias appears in their title (case-insensitive, whole words).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from learnloop.actions.models import Action, Effect, Status
from learnloop.growth import permissions
from learnloop.growth.models import (
    Activity,
    CheckIn,
    GrowthProfile,
    LearningPath,
    MeetingNote,
    MentoringPair,
    PathStep,
    Plan,
    RaterRole,
    Rating,
    Skill,
    SkillCategory,
    SkillStatus,
    StepCompletion,
    SuggestionDecision,
    TeamSkillNeed,
)
from learnloop.growth.workshop_selectors import evidence as workshop_evidence
from learnloop.knowledge.models import Application, Entry, Visibility
from learnloop.org.membership import active_members, is_active_person, member_team_ids, team_access
from learnloop.org.models import Membership, Person, Team

SUGGEST_AT = 3  # evidence items on a skill before it is suggested
DEFAULT_COVERAGE_LEVEL = 3


def _signed_in(viewer) -> None:
    if not is_active_person(viewer):
        raise PermissionDenied("Sign in to see growth.")


# --- the framework --------------------------------------------------------------------------------


def categories_with_skills(*, include_inactive: bool = False) -> list[SkillCategory]:
    skills = Skill.objects.select_related("team", "merged_into").order_by("name", "id")
    if not include_inactive:
        skills = skills.filter(status=SkillStatus.ACTIVE)
    return list(SkillCategory.objects.prefetch_related(Prefetch("skills", queryset=skills)))


def skills(*, status: str | None = SkillStatus.ACTIVE, team_id: int | None = None):
    qs = Skill.objects.select_related("category", "team", "merged_into").order_by("name", "id")
    if status:
        qs = qs.filter(status=status)
    if team_id is not None:
        qs = qs.filter(Q(team__isnull=True) | Q(team_id=team_id))
    return qs


def skill_detail(skill_id: int) -> Skill:
    skill = (Skill.objects.select_related("category", "team", "merged_into")
             .prefetch_related("events__by", "merged_from").filter(pk=skill_id).first())
    if skill is None:
        raise Http404("No such skill.")
    return skill


# --- levels ---------------------------------------------------------------------------------------

_ROLE_RANK = {RaterRole.MANAGER: 0, RaterRole.SELF: 1, RaterRole.PEER: 2}


def effective_levels(person_ids) -> dict[tuple[int, int], int]:
    """(person id, skill id) → effective level, over active skills, in one query."""
    latest: dict[tuple[int, int, str], tuple] = {}
    rows = (Rating.objects.filter(person_id__in=list(person_ids), skill__status=SkillStatus.ACTIVE)
            .order_by("rated_at", "id").values_list("person_id", "skill_id", "role", "level"))
    for person_id, skill_id, role, level in rows:
        latest[(person_id, skill_id, role)] = level
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for (person_id, skill_id, role), level in latest.items():
        key, rank = (person_id, skill_id), _ROLE_RANK[role]
        if key not in best or rank < best[key][0]:
            best[key] = (rank, level)
    return {key: level for key, (_, level) in best.items()}


# --- profiles -------------------------------------------------------------------------------------


def _profile_flags(person) -> tuple[bool, str]:
    profile = GrowthProfile.objects.filter(person=person).values_list("shared", "headline").first()
    return profile or (False, "")


def visible_person(*, viewer, person_id: int) -> tuple[Person, bool, str]:
    """The person whose profile the viewer asks for, or 404 when they may not see it (a profile
    that isn't shared with the viewer looks like one that doesn't exist)."""
    _signed_in(viewer)
    person = Person.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise Http404("No such profile.")
    shared, headline = _profile_flags(person)
    if not permissions.can_see_profile(viewer, person, shared=shared):
        raise Http404("No such profile.")
    return person, shared, headline


def people_visible(*, viewer, query: str = ""):
    """People whose profile the viewer may see, by name."""
    _signed_in(viewer)
    qs = Person.objects.filter(is_active=True).order_by("full_name", "id")
    if query:
        qs = qs.filter(full_name__icontains=query)
    if permissions.sees_everyone(viewer):
        return qs
    led = team_access(viewer).led
    return qs.filter(Q(pk=viewer.pk) | Q(growth_profile__shared=True) | Q(memberships__team_id__in=led)).distinct()


@dataclass
class SkillRow:
    skill: Skill
    effective: int | None = None
    ratings: list = field(default_factory=list)  # latest per rater, newest first
    evidence: list = field(default_factory=list)


@dataclass
class EvidenceItem:
    kind: str  # authored, verified, reused, action, session, experiment
    title: str
    url: str = ""


@dataclass
class Profile:
    person: Person
    shared: bool
    headline: str
    rows: list[SkillRow]
    suggestions: list[dict]
    evidence_total: int
    can_see_plans: bool
    is_own: bool
    can_rate_as: str | None


def _words_pattern(terms) -> re.Pattern | None:
    terms = sorted((t for t in terms if t), key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE)


def evidence_for(person, *, viewer, active_skills) -> dict[int, list[EvidenceItem]]:
    """skill id → evidence items from what the platform holds about the person (see the module
    docstring for how items are tied to skills; workshops count for the skills they develop).
    Eight queries whatever the data."""
    term_to_skills: dict[str, set[int]] = defaultdict(set)
    for skill in active_skills:
        for term in skill.match_terms():
            term_to_skills[term].add(skill.pk)
    found: dict[int, list[EvidenceItem]] = defaultdict(list)
    own = viewer.pk == person.pk
    entries = (Entry.objects.filter(Q(author=person) | Q(last_verified_by=person), obsolete_at__isnull=True)
               .prefetch_related("tags", "skills").order_by("-updated_at", "-id"))
    if not own:
        entries = entries.filter(visibility=Visibility.EVERYONE)
    reuse = dict(Application.objects.filter(entry__author=person).exclude(person=person)
                 .values("entry_id").annotate(n=Count("id")).values_list("entry_id", "n"))
    for entry in entries:
        names = {t.name.lower() for t in entry.tags.all()} | {s.name.lower() for s in entry.skills.all()}
        skill_ids = set().union(*(term_to_skills.get(n, set()) for n in names)) if names else set()
        url = f"/knowledge/{entry.pk}/"
        for skill_id in skill_ids:
            if entry.author_id == person.pk:
                found[skill_id].append(EvidenceItem(f"authored {entry.get_kind_display().lower()}", entry.title, url))
                if reuse.get(entry.pk):
                    found[skill_id].append(EvidenceItem(f"reused by others ({reuse[entry.pk]}×)", entry.title, url))
            if entry.last_verified_by_id == person.pk and entry.author_id != person.pk:
                found[skill_id].append(EvidenceItem("verified", entry.title, url))
    active_ids = {skill.pk for skill in active_skills}
    for skill_id, kind, title, url in workshop_evidence(person, own=own):  # attended or hosted
        if skill_id in active_ids:
            found[skill_id].append(EvidenceItem(kind, title, url))
    pattern = _words_pattern(term_to_skills)
    if pattern is None:
        return found

    def tie(kind, title, url):
        for term in {m.lower() for m in pattern.findall(title)}:
            for skill_id in term_to_skills[term]:
                found[skill_id].append(EvidenceItem(kind, title, url))

    for pk, title in Action.objects.filter(owner=person, status=Status.DONE, effect=Effect.WORKED).values_list(
            "pk", "title"):
        tie("action closed and effective", title, f"/actions/{pk}/")
    Session = apps.get_model("reflection", "Session")
    for pk, title in Session.objects.filter(facilitator=person).values_list("pk", "title"):
        tie("session facilitated", title, f"/sessions/{pk}/")
    Experiment = apps.get_model("experiments", "Experiment")
    for pk, title in Experiment.objects.filter(owner=person).values_list("pk", "title"):
        tie("experiment run", title, f"/experiments/{pk}/")
    return found


def profile(*, viewer, person_id: int) -> Profile:
    person, shared, headline = visible_person(viewer=viewer, person_id=person_id)
    active = list(Skill.objects.filter(status=SkillStatus.ACTIVE).select_related("category"))
    by_id = {s.pk: s for s in active}
    latest: dict[tuple[int, int], Rating] = {}
    for rating in (Rating.objects.filter(person=person, skill__status=SkillStatus.ACTIVE)
                   .select_related("rater").order_by("rated_at", "id")):
        latest[(rating.skill_id, rating.rater_id)] = rating
    levels = effective_levels([person.pk])
    rows: dict[int, SkillRow] = {}
    for (skill_id, _), rating in latest.items():
        row = rows.setdefault(skill_id, SkillRow(by_id[skill_id], levels.get((person.pk, skill_id))))
        row.ratings.append(rating)
    for row in rows.values():
        row.ratings.sort(key=lambda r: (r.rated_at, r.pk), reverse=True)
    evidence = evidence_for(person, viewer=viewer, active_skills=active)
    for skill_id, items in evidence.items():
        if skill_id in rows:
            rows[skill_id].evidence = items
    suggestions = []
    if viewer.pk == person.pk:
        decided = set(SuggestionDecision.objects.filter(person=person).values_list("skill_id", flat=True))
        for skill_id, items in evidence.items():
            if skill_id in rows or skill_id in decided or len(items) < SUGGEST_AT:
                continue
            suggestions.append({"skill": by_id[skill_id], "count": len(items), "evidence": items,
                                "text": _suggestion_text(by_id[skill_id], items)})
        suggestions.sort(key=lambda s: (-s["count"], s["skill"].name))
    is_own = viewer.pk == person.pk
    rate_as = (RaterRole.SELF if is_own else RaterRole.MANAGER if permissions.leads_person(viewer, person)
               else RaterRole.PEER)
    return Profile(person=person, shared=shared, headline=headline,
                   rows=sorted(rows.values(), key=lambda r: (r.skill.category.position, r.skill.category.name,
                                                             r.skill.name)),
                   suggestions=suggestions, evidence_total=sum(len(v) for v in evidence.values()),
                   can_see_plans=permissions.can_see_plans(viewer, person), is_own=is_own, can_rate_as=rate_as)


def _suggestion_text(skill, items) -> str:
    kinds = defaultdict(int)
    for item in items:
        kinds[item.kind.split(" (")[0]] += 1
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"Your work shows {skill.name}: {parts}. Add it to your profile?"


def suggestion_count(*, viewer, skill) -> int:
    active = [skill]
    return len(evidence_for(viewer, viewer=viewer, active_skills=active).get(skill.pk, []))


# --- team coverage ----------------------------------------------------------------------------------


def visible_teams(*, viewer):
    _signed_in(viewer)
    teams = Team.objects.filter(archived_at__isnull=True)
    if not permissions.sees_everyone(viewer):
        access = team_access(viewer)
        teams = teams.filter(pk__in=access.member_or_lead)
    return teams.order_by("name", "id")


@dataclass
class Coverage:
    level: int
    teams: list
    skills: list
    counts: dict  # (team id, skill id) → people at ≥ level
    needs: dict  # (team id, skill id) → TeamSkillNeed


def coverage(*, viewer, level: int = DEFAULT_COVERAGE_LEVEL) -> Coverage:
    """Team × skill: how many of each team's active members are at `level` or above. Four queries."""
    teams = list(visible_teams(viewer=viewer))
    team_ids = [t.pk for t in teams]
    members = defaultdict(set)
    for team_id, person_id in Membership.objects.filter(team_id__in=team_ids, person__is_active=True).values_list(
            "team_id", "person_id"):
        members[team_id].add(person_id)
    levels = effective_levels(set().union(*members.values()) if members else set())
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for team_id, people in members.items():
        for (person_id, skill_id), held in levels.items():
            if person_id in people and held >= level:
                counts[(team_id, skill_id)] += 1
    needs = {(n.team_id, n.skill_id): n for n in TeamSkillNeed.objects.filter(team_id__in=team_ids)}
    skill_ids = {s for _, s in counts} | {s for _, s in needs}
    skill_list = list(Skill.objects.filter(pk__in=skill_ids, status=SkillStatus.ACTIVE).order_by("name", "id"))
    return Coverage(level=level, teams=teams, skills=skill_list, counts=dict(counts), needs=needs)


@dataclass
class TeamCoverage:
    team: Team
    level: int
    members: list
    skills: list
    levels: dict  # (person id, skill id) → effective level
    gaps: list  # (need, have)
    single_points: list  # (skill, person or None)
    can_manage: bool
    shows_names: bool


def team_coverage(*, viewer, team_id: int, level: int = DEFAULT_COVERAGE_LEVEL) -> TeamCoverage:
    _signed_in(viewer)
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not permissions.can_see_team(viewer, team):
        raise Http404("No such team.")
    people = list(active_members(team))
    levels = effective_levels([p.pk for p in people])
    needs = list(TeamSkillNeed.objects.filter(team=team, skill__status=SkillStatus.ACTIVE).select_related("skill"))
    held_ids = {skill_id for (_, skill_id) in levels}
    skill_list = list(Skill.objects.filter(Q(pk__in=held_ids) | Q(needs__team=team), status=SkillStatus.ACTIVE)
                      .distinct().order_by("name", "id"))
    gaps = []
    for need in needs:
        have = sum(1 for p in people if levels.get((p.pk, need.skill_id), 0) >= need.level)
        if have < need.people:
            gaps.append((need, have))
    by_person = {p.pk: p for p in people}
    single = []
    for skill in skill_list:
        holders = [pid for pid in by_person if levels.get((pid, skill.pk), 0) >= level]
        if len(holders) == 1:
            single.append((skill, by_person[holders[0]]))
    shows_names = permissions.can_manage_team(viewer, team)
    return TeamCoverage(team=team, level=level, members=people if shows_names else [], skills=skill_list,
                        levels=levels if shows_names else {}, gaps=gaps,
                        single_points=[(s, p if shows_names else None) for s, p in single],
                        can_manage=shows_names, shows_names=shows_names)


# --- plans ------------------------------------------------------------------------------------------


def plans_visible(*, viewer, person_id: int | None = None):
    _signed_in(viewer)
    qs = (Plan.objects.select_related("person", "created_by")
          .annotate(activity_count=Count("activities", distinct=True),
                    done_count=Count("activities", filter=Q(activities__done_at__isnull=False), distinct=True),
                    goal_count=Count("goals", distinct=True)))
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if permissions.sees_everyone(viewer):
        return qs
    led = team_access(viewer).led
    return qs.filter(Q(person=viewer) | Q(person__memberships__team_id__in=led)).distinct()


def plan_detail(*, viewer, plan_id: int) -> Plan:
    plan = (Plan.objects.select_related("person", "created_by")
            .prefetch_related(
                "goals__skill",
                Prefetch("activities", queryset=Activity.objects.select_related("path", "entry", "goal__skill",
                                                                                "action")),
                Prefetch("check_ins", queryset=CheckIn.objects.select_related("by")))
            .filter(pk=plan_id).first())
    if plan is None or not permissions.can_see_plans(viewer, plan.person):
        raise Http404("No such plan.")
    return plan


def plan_progress(plan) -> dict:
    activities = list(plan.activities.all())
    done = sum(1 for a in activities if a.done_at)
    levels = effective_levels([plan.person_id])
    goals = [{"goal": g, "current": levels.get((plan.person_id, g.skill_id)),
              "reached": (levels.get((plan.person_id, g.skill_id)) or 0) >= g.target_level} for g in plan.goals.all()]
    timeline = sorted(a.done_at for a in activities if a.done_at)
    return {"done": done, "total": len(activities), "percent": round(100 * done / len(activities)) if activities else 0,
            "goals": goals, "timeline": [(at, i + 1) for i, at in enumerate(timeline)]}


# --- paths ------------------------------------------------------------------------------------------


def paths(*, viewer):
    _signed_in(viewer)
    return (LearningPath.objects.select_related("skill", "created_by")
            .annotate(step_count=Count("steps", distinct=True),
                      done_count=Count("steps__completions", filter=Q(steps__completions__person=viewer),
                                       distinct=True))
            .order_by("title", "id"))


def path_detail(*, viewer, path_id: int):
    _signed_in(viewer)
    path = (LearningPath.objects.select_related("skill", "created_by")
            .prefetch_related(Prefetch("steps", queryset=PathStep.objects.select_related("entry")))
            .filter(pk=path_id).first())
    if path is None:
        raise Http404("No such learning path.")
    done = set(StepCompletion.objects.filter(step__path=path, person=viewer).values_list("step_id", flat=True))
    steps = list(path.steps.all())
    return path, steps, done


def suggested_paths(*, viewer, person) -> list:
    """Paths whose target skill is one the person is below the target in: a goal of theirs, or a
    gap of one of their teams."""
    levels = effective_levels([person.pk])
    wanted = set(Plan.objects.filter(person=person, status="active").values_list("goals__skill_id", flat=True))
    wanted |= set(TeamSkillNeed.objects.filter(team_id__in=member_team_ids(person)).values_list("skill_id", flat=True))
    wanted.discard(None)
    found = []
    for path in LearningPath.objects.filter(skill_id__in=wanted).select_related("skill").order_by("title", "id"):
        if levels.get((person.pk, path.skill_id), 0) < (path.target_level or path.skill.max_level):
            found.append(path)
    return found


# --- mentoring --------------------------------------------------------------------------------------


def pairs_of(*, viewer):
    _signed_in(viewer)
    return (MentoringPair.objects.filter(Q(mentor=viewer) | Q(mentee=viewer))
            .select_related("mentor", "mentee").annotate(note_count=Count("notes")))


def all_pairs(*, viewer):
    """Learning leads and admins see who mentors whom (never the notes)."""
    permissions.require(permissions.sees_everyone(viewer), "Only learning leads and admins see every pair.")
    return MentoringPair.objects.select_related("mentor", "mentee").annotate(note_count=Count("notes"))


def pair_to_end(*, viewer, pair_id: int) -> MentoringPair:
    """A pair the viewer may end: their own, or any for learning leads and admins (who see who
    mentors whom, never the goals or notes). Anyone else gets the 404 of a pair they can't see."""
    pair = MentoringPair.objects.select_related("mentor", "mentee").filter(pk=pair_id).first()
    if pair is None or not (permissions.can_see_pair(viewer, pair) or permissions.sees_everyone(viewer)):
        raise Http404("No such mentoring pair.")
    return pair


def pair_detail(*, viewer, pair_id: int) -> MentoringPair:
    pair = (MentoringPair.objects.select_related("mentor", "mentee")
            .prefetch_related(Prefetch("notes", queryset=MeetingNote.objects.select_related("author")))
            .filter(pk=pair_id).first())
    if pair is None or not permissions.can_see_pair(viewer, pair):
        raise Http404("No such mentoring pair.")
    return pair


def require_signed_in(viewer) -> None:
    _signed_in(viewer)


def team_for(*, viewer, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not permissions.can_see_team(viewer, team):
        raise Http404("No such team.")
    return team


def activity_for(*, viewer, activity_id: int) -> Activity:
    activity = Activity.objects.select_related("plan__person", "action").filter(pk=activity_id).first()
    if activity is None or not permissions.can_see_plans(viewer, activity.plan.person):
        raise Http404("No such activity.")
    return activity
