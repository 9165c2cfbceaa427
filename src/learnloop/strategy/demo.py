"""Harbourline's learning strategy: an organization vision with two rounds of history (one
named, one anonymous), goals for the organization, its 4 departments and 12 teams with key
results bound to the metrics catalogue (a monthly history read from the year's data), a roadmap
of 15 initiatives with spend, links and dependencies, 6 champions, and team visions that put the
teams at different stages of the seven steps. Prose in demo_data/strategy.yaml.

Organization-wide: built once after `demo --scale` copies the sites (the organization has one
vision), through the services, every date from context.clock.
"""

import random
from datetime import timedelta

from learnloop.demo.data import load_demo_data
from learnloop.org.models import Membership, OrgRole, Person, Team, TeamKind, TeamRole
from learnloop.strategy import champions, services, vision
from learnloop.strategy.models import KeyResult

ORGANIZATION_WIDE = True
CONTENT = load_demo_data("learnloop.strategy", "strategy.yaml")
HISTORY_MONTHS = 4  # readings a month apart, the last one today
CONNECTED_SHARE = 0.35


def _people_of(team) -> list:
    return list(Person.objects.filter(memberships__team=team, is_active=True).order_by("pk"))


def _facilitator(team, fallback):
    found = (Membership.objects.filter(team=team, role=TeamRole.FACILITATOR, person__is_active=True)
             .select_related("person").order_by("pk").first())
    return found.person if found else fallback


def build(context) -> None:
    rng = random.Random(f"{context.seed}-strategy")
    lead = Person.objects.filter(role=OrgRole.LEARNING_LEAD, is_active=True).order_by("pk").first()
    if lead is None:
        return
    clock = context.clock
    today = clock.date
    people = list(Person.objects.filter(is_active=True).exclude(pk=lead.pk).order_by("pk"))
    _vision(lead, people, clock, rng)
    objectives = _goals(lead, today, clock)
    _roadmap(lead, objectives, today, clock)
    _champions(lead, rng, clock)
    _team_visions(lead, clock)
    context.extra["strategy"] = {"objectives": len(objectives["all"]), "key_results": KeyResult.objects.count()}


def _vision(lead, people, clock, rng) -> None:
    spec = CONTENT["vision"]
    org_vision = vision.create_vision(by=lead, title=spec["title"], draft=spec["first"], at=clock.days_ago(330))
    vision.publish(by=lead, vision=org_vision, summary="The first version", at=clock.days_ago(320))
    starts = (300, 70)
    for number, round_spec in enumerate(spec["rounds"]):
        opened = clock.days_ago(starts[number])
        round_ = vision.open_round(by=lead, vision=org_vision, question=round_spec["question"],
                                   anonymous=round_spec["anonymous"], at=opened)
        writers = rng.sample(people, len(round_spec["proposals"]))
        made = []
        for writer, item in zip(writers, round_spec["proposals"], strict=True):
            made.append((vision.propose(by=writer, round_=round_, kind=item["kind"], text=item["text"],
                                        replace=item.get("replace", ""), with_text=item.get("with_text", ""),
                                        writer_key=vision.new_key() if round_.anonymous else None), item))
        for proposal, _ in made:
            for supporter in rng.sample(people, rng.randint(1, 6)):
                if not round_.anonymous and supporter.pk == proposal.author_id:
                    continue
                vision.support(by=supporter, proposal=proposal,
                               writer_key=vision.new_key() if round_.anonymous else None)
        decided = clock.days_ago(starts[number] - 20)
        for proposal, item in made:
            if item["decision"] != "open":
                vision.decide(by=lead, proposal=proposal, accept=item["decision"] == "accept", reason=item["reason"],
                              at=decided)
        if number < len(spec["rounds"]) - 1:
            vision.close_round(by=lead, round_=round_, at=decided)
        org_vision.refresh_from_db()
        vision.publish(by=lead, vision=org_vision, summary=round_spec["summary"], at=decided)
    for person in people:
        if rng.random() < CONNECTED_SHARE:
            vision.mark_connected(by=person, vision=org_vision, at=clock.days_ago(rng.randint(1, 60)))


def _goals(lead, today, clock) -> dict:
    spec = CONTENT["objectives"]
    starts, ends = today.replace(month=1, day=1), today.replace(month=12, day=31)
    found = {"all": [], "by_team": {}}
    key_results = []

    def objective(title, team, parent, owner):
        lapsed = team is not None and team.slug in spec["goals_not_renewed"]
        item = services.create_objective(
            by=lead, title=title, team=team, parent=parent, owner=owner,
            starts_on=starts.replace(year=starts.year - 1) if lapsed else starts,
            ends_on=ends.replace(year=ends.year - 1) if lapsed else ends, at=clock.days_ago(300))
        found["all"].append(item)
        return item

    def bound(item, kr):
        key_results.append(services.add_key_result(
            by=lead, objective=item, title=kr["title"].format(name=item.team.name if item.team else ""),
            metric_key=kr["metric"], baseline=kr["baseline"], target=kr["target"], window_days=90, read=False))

    top = objective(spec["organization"]["title"], None, None, lead)
    found["organization"] = top
    for kr in spec["organization"]["key_results"]:
        bound(top, kr)
    departments = list(Team.objects.filter(kind=TeamKind.DEPARTMENT, archived_at=None, parent=None).order_by("name"))
    for department in departments:
        middle = objective(f"{department.name} learns from what it does", department, top,
                           _facilitator(department, lead))
        for kr in spec["department"]:
            bound(middle, kr)
        for team in Team.objects.filter(parent=department, archived_at=None).order_by("name"):
            leaf = objective(f"{team.name} closes its loop", team, middle, _facilitator(team, lead))
            found["by_team"][team.slug] = leaf
            for kr in spec["team"]:
                bound(leaf, kr)
    for months_ago in range(HISTORY_MONTHS - 1, -1, -1):
        services.refresh_many(key_results, today=today - timedelta(days=30 * months_ago))
    return found


def _roadmap(lead, objectives, today, clock) -> None:
    from learnloop.experiments.models import Experiment
    from learnloop.reflection.models import Session

    made = {}
    for item in CONTENT["initiatives"]:
        team = Team.objects.filter(slug=item["team"]).first() if item["team"] else None
        serves = objectives["organization"] if item["objective"] == "organization" or team is None else \
            objectives["by_team"].get(team.slug)
        initiative = services.create_initiative(
            by=lead, title=item["title"], team=team, owner=_facilitator(team, lead) if team else lead,
            status=item["status"], starts_on=today + timedelta(days=item["start"]),
            ends_on=today + timedelta(days=item["start"] + item["days"]), budget_person_days=item["person_days"],
            budget_money=item["money"], budget_people=item["people"], objectives=[serves] if serves else [],
            depends_on=[made[title] for title in item.get("depends_on", [])], at=clock.days_ago(max(1, -item["start"])))
        made[item["title"]] = initiative
        if item["status"] in ("active", "done", "paused", "cancelled") and item["start"] < 0:
            share = 1.0 if item["status"] == "done" else 0.4
            services.add_spend(by=lead, initiative=initiative, kind="actual",
                               on=today + timedelta(days=item["start"] + 7),
                               person_days=item.get("spent_days", round(item["person_days"] * share, 1)),
                               money=round(item["money"] * share, 2), note="Time and costs booked so far")
        if team is not None:
            session = Session.objects.filter(team=team).order_by("-held_on", "pk").first()
            experiment = Experiment.objects.filter(team=team).order_by("-pk").first()
            if session is not None:
                services.add_link(by=lead, initiative=initiative, target_type="reflection.session",
                                  target_id=session.pk)
            if experiment is not None:
                services.add_link(by=lead, initiative=initiative, target_type="experiments.experiment",
                                  target_id=experiment.pk)


def _champions(lead, rng, clock) -> None:
    for item in CONTENT["champions"]:
        team = Team.objects.filter(slug=item["team"]).first() if item["team"] else None
        pool = _people_of(team) if team else list(Person.objects.filter(is_active=True, role=OrgRole.MEMBER)
                                                  .order_by("pk")[:40])
        if pool:
            champions.name_champion(by=lead, person=rng.choice(pool), team=team, topic=item["topic"],
                                    at=clock.days_ago(rng.randint(20, 200)))


def _team_visions(lead, clock) -> None:
    for item in CONTENT["team_visions"]:
        team = Team.objects.filter(slug=item["team"]).first()
        if team is None:
            continue
        owner = _facilitator(team, lead)
        team_vision = vision.create_vision(by=lead, title=f"{team.name}'s vision", team=team, draft=item["text"],
                                           owner=owner, at=clock.days_ago((item["published"] or 30) + 10))
        if item["published"] is not None:
            vision.publish(by=owner if owner.pk != lead.pk else lead, vision=team_vision,
                           at=clock.days_ago(item["published"]))
