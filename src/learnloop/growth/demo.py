"""Demo growth: Harbourline's skills framework (the shipped starter, about forty skills), self,
manager and peer ratings for everyone, team needs, development plans for a third of the people,
ten learning paths and active mentoring pairs, all through the services with dates from the demo
clock. The prose is in demo_data/growth.yaml."""

from datetime import timedelta

from learnloop.demo.data import load_demo_data
from learnloop.growth import demo_matching, demo_workshops, services, transfer
from learnloop.growth.models import Skill
from learnloop.knowledge.models import Entry
from learnloop.org.models import Membership, OrgRole, TeamRole


def build(context) -> None:
    data = load_demo_data("learnloop.growth", "growth.yaml")
    rng, clock = context.rng, context.clock
    people = [p for p in context.people if p.is_active]
    admin = next(p for p in people if p.role == OrgRole.ADMIN)
    transfer.load_starter(by=admin, at=clock.days_ago(300))
    skills = {s.name: s for s in Skill.objects.all()}

    teams_of: dict[int, list[str]] = {}
    leads_of: dict[str, list] = {}
    members_of: dict[str, list] = {}
    for person_id, slug, role in Membership.objects.filter(person__is_active=True).values_list(
            "person_id", "team__slug", "role").order_by("team__slug", "person_id"):
        teams_of.setdefault(person_id, []).append(slug)
        (leads_of if role == TeamRole.FACILITATOR else members_of).setdefault(slug, []).append(person_id)
    by_id = {p.pk: p for p in people}
    notes = data["rating_notes"]
    held: dict[int, dict[str, int]] = {}

    # Ratings: everyone rates themselves on their team's skills and a few common ones; their team
    # lead rates most of those; some peers rate each other.
    for person in people:
        slugs = teams_of.get(person.pk, [])
        pool = [name for slug in slugs for name in data["team_skills"].get(slug, [])]
        pool = list(dict.fromkeys(pool + rng.sample(data["everyone"], 2)))
        chosen = pool[:6] if len(pool) <= 6 else rng.sample(pool, 6)
        held[person.pk] = {}
        for name in chosen:
            level = rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 4, 2, 1])[0]
            at = clock.days_ago(rng.randint(30, 200))
            services.rate(by=person, person=person, skill=skills[name], level=level, role="self",
                          note=rng.choice(notes["self"]), at=at)
            held[person.pk][name] = level
            lead_ids = [i for slug in slugs for i in leads_of.get(slug, []) if i != person.pk and i in by_id]
            if lead_ids and rng.random() < 0.7:
                manager_level = max(1, min(5, level + rng.choice([-1, 0, 0, 1])))
                services.rate(by=by_id[lead_ids[0]], person=person, skill=skills[name], level=manager_level,
                              role="manager", note=rng.choice(notes["manager"]), at=at + timedelta(days=10))
                held[person.pk][name] = manager_level
        if rng.random() < 0.5:
            services.set_sharing(by=person, person=person, shared=True)
    for person in people:  # peers rate people who share their profile
        mates = [i for slug in teams_of.get(person.pk, []) for i in members_of.get(slug, []) if i != person.pk]
        if mates and held[person.pk] and rng.random() < 0.3 and (
                profile := services.profile_for(person)) and profile.shared:
            rater = by_id.get(rng.choice(mates))
            if rater is not None:
                name = rng.choice(sorted(held[person.pk]))
                services.rate(by=rater, person=person, skill=skills[name], level=held[person.pk][name], role="peer",
                              note=rng.choice(notes["peer"]), at=clock.days_ago(rng.randint(5, 30)))

    # Needs: each team's lead asks for two or three people at level 3 in its core skills.
    for slug, names in data["team_skills"].items():
        lead_ids = [i for i in leads_of.get(slug, []) if i in by_id]
        team = context.teams.get(slug)
        if not lead_ids or team is None:
            continue
        for name in names[:3]:
            services.set_need(by=by_id[lead_ids[0]], team=team, skill=skills[name], level=3,
                              people=rng.choice([2, 3]))

    # Ten learning paths: the knowledge base's entries on the skill, then outside resources.
    paths = []
    for spec in data["paths"]:
        skill = skills[spec["skill"]]
        author = rng.choice([admin, *[p for p in people if p.role == OrgRole.LEARNING_LEAD]])
        path = services.create_path(by=author, title=spec["title"], description=spec["description"], skill=skill,
                                    target_level=spec["target"], at=clock.days_ago(250))
        terms = list(skill.match_terms())
        entries = list(Entry.objects.filter(obsolete_at__isnull=True, visibility="everyone", kind__in=[
            "lesson", "playbook", "decision"], tags__name__in=terms).distinct().order_by("id")[:3])
        for entry in entries:
            services.add_step(by=author, path=path, kind="entry", entry=entry)
        for kind, title, url in spec["external"]:
            services.add_step(by=author, path=path, kind=kind, title=title, url=url)
        paths.append(path)
    path_for = {p.skill_id: p for p in paths}

    # Plans for a third of the people, made with their lead where they have one.
    planned = sorted(rng.sample(people, len(people) // 3), key=lambda p: p.pk)
    for person in planned:
        mine = held.get(person.pk) or {}
        if not mine:
            continue
        name = min(sorted(mine), key=lambda n: mine[n])
        skill = skills[name]
        lead_ids = [i for slug in teams_of.get(person.pk, []) for i in leads_of.get(slug, []) if i != person.pk]
        author = by_id.get(lead_ids[0]) if lead_ids and lead_ids[0] in by_id else person
        started = clock.days_ago(rng.randint(40, 150))
        plan = services.create_plan(by=author, person=person, title=rng.choice(data["plan_titles"]).format(
            skill=name), at=started)
        goal = services.add_goal(by=author, plan=plan, skill=skill, target_level=min(skill.max_level, mine[name] + 1),
                                 by_date=(clock.days_ago(-rng.randint(60, 240))).date())
        if skill.pk in path_for:
            services.add_activity(by=author, plan=plan, kind="path", path=path_for[skill.pk], goal=goal,
                                  due_on=clock.days_ago(rng.randint(-60, 20)).date(), at=started)
        for kind in rng.sample(sorted(data["activities"]), 2):
            title = rng.choice(data["activities"][kind]).format(skill=name)
            due = clock.days_ago(rng.randint(-90, 30)).date() if rng.random() < 0.8 else None
            activity = services.add_activity(by=author, plan=plan, kind=kind, title=title, goal=goal, due_on=due,
                                             at=started)
            if due is not None and due < clock.date and rng.random() < 0.6:
                services.complete_activity(by=person, activity=activity, at=clock.on(due))
        if author is not person:
            services.check_in(by=author, plan=plan, note=rng.choice(data["check_ins"]),
                              at=started + timedelta(days=30))

    # Mentoring pairs: a mentee with a plan gets someone at level 4+ in the skill, not their lead.
    goals = data["mentoring"]["goals"]
    pairs = 0
    for person in planned:
        if pairs >= 8:
            break
        mine = held.get(person.pk) or {}
        if not mine:
            continue
        name = min(sorted(mine), key=lambda n: mine[n])
        lead_ids = set(i for slug in teams_of.get(person.pk, []) for i in leads_of.get(slug, []))
        mentors = [p for p in people if p.pk != person.pk and p.pk not in lead_ids
                   and held.get(p.pk, {}).get(name, 0) >= 4]
        if not mentors:
            continue
        mentor = mentors[rng.randrange(len(mentors))]
        started = clock.days_ago(rng.randint(20, 120))
        pair = services.start_pair(by=person, mentor=mentor, mentee=person, goals=goals[pairs % len(goals)],
                                   at=started)
        for week in range(rng.randint(1, 3)):
            services.add_note(by=rng.choice([mentor, person]), pair=pair,
                              body=rng.choice(data["mentoring"]["notes"]),
                              met_on=(started + timedelta(days=14 * (week + 1))).date(),
                              at=started + timedelta(days=14 * (week + 1)))
        pairs += 1

    # Mentor matching: offers, requests, a closed round with accepted pairs and an open one.
    demo_matching.build(context, data=data, people=people, held=held, skills=skills)
    # Past workshops with feedback, upcoming ones with sign-ups.
    demo_workshops.build(context, load_demo_data("learnloop.growth", "workshops.yaml"))
