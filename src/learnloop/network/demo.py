"""The demo's knowledge-flow network: Harbourline's analytics guild (demo_data/guild.yaml).

The other modules' data already hold the rest of the story: Finance keeps to itself and Site
Reliability's exchanges with other teams all go through one engineer (knowledge/demo_data/
crossings.yaml). What no module makes is a community that cuts across the org chart: eight people
from five teams in three departments who keep one metric catalogue, trade playbooks and answer
each other's questions. Written through the knowledge services and dated by the demo clock, with
a random stream of its own, so the other modules' data stay what they were.
"""

import random
from datetime import timedelta

from learnloop.demo.data import load_demo_data
from learnloop.knowledge import services
from learnloop.knowledge.models import Answer
from learnloop.org.models import Membership

GUILD = load_demo_data("learnloop.network", "guild.yaml")
APPLICATIONS = 180  # over the year: each member applies the others' entries about twice a month
OUTCOMES = ("worked", "worked", "worked", "partly")


def _members() -> list:
    chosen, taken = [], set()
    for slug, title in GUILD["members"]:
        rows = Membership.objects.filter(team__slug=slug, person__title=title, person__is_active=True).select_related(
            "person").order_by("person_id")
        person = next((row.person for row in rows if row.person_id not in taken), None)
        if person is not None:
            chosen.append(person)
            taken.add(person.pk)
    return chosen


def build(context) -> None:
    rng = random.Random(f"network-{context.seed}")
    clock = context.clock
    members = _members()
    if len(members) < 4:
        return
    entries = []
    for index, spec in enumerate(GUILD["entries"]):
        author = members[index % len(members)]
        days_ago = rng.randint(330, 360)
        entry = services.create_entry(by=author, kind=spec["kind"], title=spec["title"], body=spec.get("body", ""),
                                      tags=spec["tags"], at=clock.days_ago(days_ago) + timedelta(hours=11))
        entries.append((entry, author, days_ago))
        for number, text in enumerate(spec.get("answers", ())):
            answerer = rng.choice([person for person in members if person != author])
            moment = clock.days_ago(days_ago - 1 - number) + timedelta(hours=14)
            answer = services.add_answer(by=answerer, question=entry, body=text, at=moment)
            Answer.objects.filter(pk=answer.pk).update(created_at=moment)
    usable = [(entry, author, days_ago) for entry, author, days_ago in entries if entry.kind != "question"]
    for _ in range(APPLICATIONS):
        entry, author, days_ago = rng.choice(usable)
        person = rng.choice([member for member in members if member != author])
        moment = clock.days_ago(rng.randint(1, days_ago - 2)) + timedelta(hours=rng.randint(9, 17))
        services.record_application(by=person, entry=entry, context=f"{GUILD['name']}: {rng.choice(GUILD['places'])}",
                                    applied_on=moment.date(), outcome=rng.choice(OUTCOMES), at=moment)
    context.extra["network_guild"] = members
    context.announce(f"network: the {GUILD['name'].lower()} ({len(members)} people from "
                     f"{len({m.pk for m in members})} teams) trades {APPLICATIONS} applications of its entries")
