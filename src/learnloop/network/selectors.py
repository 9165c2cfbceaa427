"""The knowledge-flow edges the platform already holds, read in a fixed number of queries.

An edge (source → target) means knowledge travelled from source to target:
- reuse: a lesson's author → the person who recorded applying it (knowledge.Application);
- answer: the answerer → the person who asked (knowledge.Answer, hidden answers left out);
- review: whoever last verified an entry → its author (knowledge.Entry.last_verified_by);
- session: everyone in a *named* reflection session ↔ everyone else in it, each pair 1/(n−1)
  each way so a person's sessions weigh the same whatever their size;
- handoff: the person who created an action → its owner, when their teams differ;
- experiment: an experiment's owner ↔ its creator when they differ (½ each way);
- mentoring: a mentor → their mentee (growth.MentoringPair), dated when the pair started; only the
  pair itself is read, never its goals or meeting notes;
- advice: a colleague named in a survey's advice question → the respondent who named them
  (surveys.AdviceTie, named and consented), dated when answered. services.py uses these only in
  team-level figures, for team pairs named by at least k respondents, never in a person's view.
Anonymous contributions never produce edges: alias and anonymous sessions are left out whole,
and no card, vote, survey answer or anonymous comment is read. Deactivated people are left out.
A person's team is the first team they joined (earliest membership); archived teams are ignored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

KINDS = ("reuse", "answer", "review", "session", "handoff", "experiment", "mentoring", "advice")


@dataclass(frozen=True)
class FlowEdge:
    source: int  # person id
    target: int
    kind: str
    on: date
    weight: float


def _day(value) -> date:
    return value.date() if hasattr(value, "date") else value


def platform_edges(since: date | None = None, until: date | None = None) -> list[FlowEdge]:
    """Every edge dated in [since, until) (either bound may be None), in a fixed order."""
    from learnloop.actions.models import Action
    from learnloop.experiments.models import Experiment
    from learnloop.growth.models import MentoringPair
    from learnloop.knowledge.models import Answer, Application, Entry
    from learnloop.org.models import Person
    from learnloop.reflection.models import Anonymity, Participant
    from learnloop.surveys.models import AdviceTie

    active = set(Person.objects.filter(is_active=True).values_list("id", flat=True))
    team_of = primary_teams()
    edges: list[FlowEdge] = []

    def add(source, target, kind, on, weight=1.0):
        on = _day(on)
        if source == target or source not in active or target not in active:
            return
        if (since and on < since) or (until and on >= until):
            return
        edges.append(FlowEdge(source, target, kind, on, weight))

    for author, reuser, on in Application.objects.values_list("entry__author_id", "person_id", "applied_on"):
        add(author, reuser, "reuse", on)
    answers = Answer.objects.filter(hidden_at__isnull=True).values_list("author_id", "question__author_id",
                                                                         "created_at")
    for answerer, asker, on in answers:
        add(answerer, asker, "answer", on)
    reviews = Entry.objects.filter(last_verified_by__isnull=False).values_list("last_verified_by_id", "author_id",
                                                                               "last_verified_at")
    for reviewer, author, on in reviews:
        add(reviewer, author, "review", on)
    sessions: dict[int, tuple[date, list[int]]] = {}
    named = Participant.objects.filter(session__anonymity=Anonymity.NAMED).order_by("session_id", "person_id")
    for session, person, held_on in named.values_list("session_id", "person_id", "session__held_on"):
        sessions.setdefault(session, (held_on, []))[1].append(person)
    for held_on, people in sessions.values():
        if len(people) < 2:
            continue
        share = 1.0 / (len(people) - 1)
        for a in people:
            for b in people:
                if a != b:
                    add(a, b, "session", held_on, share)
    for creator, owner, on in Action.objects.filter(owner__isnull=False).values_list("created_by_id", "owner_id",
                                                                                     "created_at"):
        if team_of.get(creator) != team_of.get(owner):
            add(creator, owner, "handoff", on)
    for owner, creator, on in Experiment.objects.values_list("owner_id", "created_by_id", "created_at"):
        add(owner, creator, "experiment", on, 0.5)
        add(creator, owner, "experiment", on, 0.5)
    for mentor, mentee, on in MentoringPair.objects.values_list("mentor_id", "mentee_id", "started_at"):
        add(mentor, mentee, "mentoring", on)
    for adviser, respondent, on in AdviceTie.objects.values_list("adviser_id", "respondent_id", "answered_on"):
        add(adviser, respondent, "advice", on)
    edges.sort(key=lambda edge: (edge.on, edge.kind, edge.source, edge.target))
    return edges


def primary_teams() -> dict[int, int]:
    """person id → the team they joined first (archived teams ignored)."""
    from learnloop.org.models import Membership

    team_of: dict[int, int] = {}
    rows = Membership.objects.filter(team__archived_at__isnull=True, person__is_active=True).order_by(
        "created_at", "id").values_list("person_id", "team_id")
    for person, team in rows:
        team_of.setdefault(person, team)
    return team_of


def team_names() -> dict[int, str]:
    from learnloop.org.models import Team

    return dict(Team.objects.filter(archived_at__isnull=True).values_list("id", "name"))


def team_tags() -> dict[int, set[str]]:
    """team id → the tags on knowledge the team owns or is named on (for shared themes)."""
    from learnloop.knowledge.models import Entry

    tags: dict[int, set[str]] = defaultdict(set)
    for owner_team, tag in Entry.objects.filter(owner_team__isnull=False, tags__isnull=False).values_list(
            "owner_team_id", "tags__name"):
        tags[owner_team].add(tag)
    for team, tag in Entry.objects.filter(teams__isnull=False, tags__isnull=False).values_list("teams__id",
                                                                                            "tags__name"):
        tags[team].add(tag)
    return tags


def team_themes(since: date | None = None, until: date | None = None) -> dict[int, dict[str, int]]:
    """team id → {recurring theme title: how many of the team's texts it holds in [since, until)},
    from insights' recurring themes (live ones only). Read through the app registry: insights and
    network are independent apps of one layer (pyproject's import contract), and this is the one
    place the network reads a theme."""
    from django.apps import apps

    ThemeItem = apps.get_model("insights", "ThemeItem")
    items = ThemeItem.objects.filter(team__isnull=False, theme__retired_at__isnull=True,
                                     theme__merged_into__isnull=True)
    if since:
        items = items.filter(on__gte=since)
    if until:
        items = items.filter(on__lt=until)
    themes: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for team, theme, name, label in items.values_list("team_id", "theme_id", "theme__name", "theme__label"):
        themes[team][name or label or f"Theme {theme}"] += 1
    return themes


def people_names(ids) -> dict[int, str]:
    from learnloop.org.models import Person

    return dict(Person.objects.filter(id__in=list(ids)).values_list("id", "full_name"))
