"""Demo workshops: past ones with attendance and feedback (released to their hosts, or withheld
below the anonymity threshold), and upcoming ones with sign-ups and a waiting list, through the
services with dates from the demo clock. The prose is in demo_data/workshops.yaml."""

import random
from datetime import timedelta

from learnloop.growth import workshops
from learnloop.growth.models import Skill
from learnloop.growth.selectors import effective_levels
from learnloop.org.models import Membership


def _host(skill, people, levels):
    """The person most skilled in the workshop's first skill (ties: the earliest)."""
    return min(people, key=lambda p: (-levels.get((p.pk, skill.pk), 0), p.pk))


def build(context, data: dict) -> None:
    """`data` is demo_data/workshops.yaml (read by growth.demo, the one module allowed to load
    demo prose)."""
    # A generator of its own, so adding workshops changes nothing the other demo parts draw.
    rng, clock = random.Random(f"workshops-{context.seed}"), context.clock  # noqa: S311 (demo data)
    people = sorted((p for p in context.people if p.is_active), key=lambda p: p.pk)
    skills = {s.name: s for s in Skill.objects.all()}
    levels = effective_levels([p.pk for p in people])
    members: dict[str, list[int]] = {}
    for person_id, slug in Membership.objects.filter(person__is_active=True).values_list(
            "person_id", "team__slug").order_by("person_id"):
        members.setdefault(slug, []).append(person_id)
    comments = data["comments"]
    for spec in data["workshops"]:
        linked = [skills[name] for name in spec["skills"]]
        team = context.teams.get(spec["team"]) if spec.get("team") else None
        pool = [p for p in people if team is None or p.pk in members.get(spec["team"], [])]
        host = _host(linked[0], pool, levels)
        starts = clock.days_ago(-spec["days"]) + timedelta(hours=spec["hour"])
        ends = starts + timedelta(hours=spec["hours"])
        planned = starts - timedelta(days=21)
        workshop = workshops.create_workshop(
            by=host, title=spec["title"], description=spec["description"], format=spec["format"],
            starts_at=starts, ends_at=ends, place=spec.get("place", ""), link=spec.get("link", ""),
            capacity=spec["capacity"], team=team, skills=linked, at=planned)
        others = [p for p in pool if p.pk != host.pk]
        joined = rng.sample(others, min(spec["signups"], len(others)))
        for number, person in enumerate(joined):
            workshops.sign_up(by=person, workshop=workshop, at=planned + timedelta(days=1, hours=3 * number))
        if spec["days"] >= 0:
            continue
        came = joined[:spec["attend"]]
        workshops.record_attendance(by=host, workshop=workshop, attended_ids=[p.pk for p in came], at=ends)
        for number, person in enumerate(rng.sample(came, min(spec["answer"], len(came)))):
            workshops.give_feedback(by=person, workshop=workshop,
                                    rating=rng.choices([2, 3, 4, 5], weights=[1, 3, 6, 4])[0],
                                    comment=rng.choice(comments), at=ends + timedelta(hours=6 + 5 * number))
        if spec["close"] == "host":
            workshops.close_feedback(by=host, workshop=workshop, at=ends + timedelta(days=7))
