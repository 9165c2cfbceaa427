"""Demo knowledge: about 400 entries that Harbourline's twelve teams wrote over two years.

Lessons, playbooks, decision records (with a superseded chain or two) and questions with
answers, from the text in demo_data/ (teams.yaml: what each team wrote; reactions.yaml: what
readers say). Every write goes through the services, so versions,
activity events, application counts and provenance are exactly what real use produces; each
step passes the moment it happened, read from the demo's clock, to the service as `at=`.
Freshness is spread on purpose: about 70% fresh, 15% due for review, 10% stale and 5% obsolete.
"""

import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from learnloop.demo.data import load_demo_data
from learnloop.knowledge import demo_daily, search, services
from learnloop.knowledge.models import (
    DEFAULT_REVIEW_DAYS,
    Answer,
    Application,
    EntryLink,
    EntryVersion,
    Feedback,
    Provenance,
)
from learnloop.org.models import Membership, TeamKind, TeamRole

TEAMS = load_demo_data("learnloop.knowledge", "teams.yaml")
_REACTIONS = load_demo_data("learnloop.knowledge", "reactions.yaml")
CONTRADICTIONS = _REACTIONS["contradictions"]
NEIGHBOURS = _REACTIONS["neighbours"]
OBSOLETE_REASONS = _REACTIONS["obsolete_reasons"]
APPLICATION_NOTES = _REACTIONS["application_notes"]
FEEDBACK_COMMENTS = _REACTIONS["feedback_comments"]
CROSSINGS = load_demo_data("learnloop.knowledge", "crossings.yaml")

TARGET_ENTRIES = 400
HISTORY_DAYS = 730
STATE_SHARES = (("stale", 0.10), ("due", 0.15), ("obsolete", 0.05))  # the rest is fresh
PHASES = ("kick-off", "pilot", "rollout", "first month")
OUTCOMES = (("worked", 55), ("partly", 25), ("did_not_work", 8), ("too_early", 12))
TEAM_ONLY_TITLES = {"Handling a resignation", "Approving a new vendor", "Rotating the payments API keys",
                    "Month-end close"}
# Edits that take a first draft to the final text, with the notes people leave for them.
EDIT_NOTES = {
    "draft": ["Ready for review", "Removed 'Draft' from the title", "Reviewed with the team; no longer a draft"],
    "typo": ["Fixed a typo in the title", "Typo", "Title typo"],
    "todo": ["Removed the TODO", "Added the missing link, removed the TODO", "Cleaned up"],
    "partial": ["Added what we do now", "Finished the write-up", "Added the last part after the review"],
    "tags": ["Added tags", "Tagged for search", "Better tags"],
}
TODO_LINES = ["TODO: link the dashboard.", "TODO: add the ticket number.", "TODO: ask the team to check this."]


@dataclass
class Spec:
    """One entry to write, and the story of what happens to it."""

    team: str
    kind: str
    title: str
    body: str = ""
    partial_body: str = ""  # the first draft's shorter text
    sections: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    skills: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    supersedes: str | None = None
    status: str = "accepted"
    provenance: list = field(default_factory=list)
    # Filled in by the builder.
    age: int = 0  # days ago it was written
    accept_day: int = 0  # decisions: days ago they were accepted
    state: str = "fresh"
    interval: int = 180
    entry: object = None
    team_slugs: tuple = ()


class _Stamps:
    """Rows the services date by their model's default (versions, answers, ...) get the replayed
    time, all at the end in a few bulk updates."""

    KEYS = {  # model -> the fields that identify a row, and the fields to stamp
        EntryVersion: (("entry_id", "number"), ("created_at",)),
        Provenance: (("entry_id",), ("created_at",)),
        Answer: (("id",), ("created_at", "updated_at")),
        Application: (("id",), ("created_at",)),
        Feedback: (("entry_id", "person_id"), ("created_at",)),
        EntryLink: (("source_id", "target_id", "kind"), ("created_at",)),
    }

    def __init__(self):
        self.moments = defaultdict(dict)

    def add(self, model, key: tuple, moment) -> None:
        self.moments[model][key] = moment

    def apply(self) -> None:
        for model, (key_fields, fields) in self.KEYS.items():
            moments = self.moments[model]
            rows = []
            for row in model.objects.only("id", *key_fields):
                moment = moments.get(tuple(getattr(row, name) for name in key_fields))
                if moment is not None:
                    for name in fields:
                        setattr(row, name, moment)
                    rows.append(row)
            model.objects.bulk_update(rows, fields, batch_size=500)


# --- The entries' text -------------------------------------------------------------------------------


def _lesson_body(rng, happened, learned, practice) -> tuple[str, str]:
    layouts = [
        ("**What happened.** {h}", "**What we learned.** {l}", "**What we do now.** {p}"),
        ("{h}", "{l}", "**From now on:** {p}"),
        ("### Background\n\n{h}", "### The lesson\n\n{l}", "### In practice\n\n{p}"),
    ]
    parts = [part.format(h=happened, l=learned, p=practice) for part in rng.choice(layouts)]
    return "\n\n".join(parts), "\n\n".join(parts[:2])


def _playbook_body(when, steps, channel) -> tuple[str, str]:
    def render(items):
        numbered = "\n".join(f"{number}. {step}" for number, step in enumerate(items, start=1))
        return f"**When:** {when}\n\n{numbered}\n\nQuestions go to #{channel}."

    return render(steps), render(steps[:-1])


def _specs(rng) -> list[Spec]:
    specs: list[Spec] = []
    for slug, team in TEAMS.items():
        for lesson in team["lessons"]:
            body, partial = _lesson_body(rng, lesson["happened"], lesson["learned"], lesson["practice"])
            specs.append(Spec(slug, "lesson", lesson["title"], body, partial, tags=lesson["tags"]))
        for playbook in team["playbooks"]:
            body, partial = _playbook_body(playbook["when"], playbook["steps"], team["channel"])
            specs.append(Spec(slug, "playbook", playbook["title"], body, partial, tags=playbook["tags"]))
        for record in team["decisions"]:
            context, decision = record["context"], record["decision"]
            sections = {"context": context, "options": "\n".join(f"- {option}" for option in record["options"]),
                        "decision": decision, "consequences": record["consequences"]}
            decided = decision.split(". ")[0].rstrip(".")
            summary = f"{context.split('. ')[0].rstrip('.')}. Decision: {decided[:1].lower()}{decided[1:]}."
            specs.append(Spec(slug, "decision", record["title"], summary, summary, sections=sections,
                              tags=record["tags"], supersedes=record.get("supersedes"),
                              status=record.get("status", "accepted")))
        for question in team["questions"]:
            specs.append(Spec(slug, "question", question["title"], question["details"], question["details"],
                              tags=question["tags"], answers=question["answers"]))
        for system in team["systems"]:
            name, purpose, group, channel = system["name"], system["purpose"], system["group"], system["channel"]
            specs.append(Spec(
                slug, "question", f"How do I get access to {name}?",
                f"I need {name} {purpose}. Who approves it, and how long does it take?", tags=["access"],
                answers=[
                    f"Request the `{group}` group in the access portal. Someone from the team that runs {name} "
                    "approves it, usually within a working day.",
                    f"If it's urgent, ask in #{channel} and say what you need it for.",
                    "Once it's approved, sign out and in again so the new group is picked up.",
                ][: rng.randint(1, 3)],
            ))
        systems = [system["name"] for system in team["systems"]]
        steps = [
            f"Day one: laptop, accounts and an introduction in #{team['channel']}.",
            f"Request access to {systems[0]}, {systems[1]} and {systems[2]} (see the access questions).",
            "Read the team's accepted decision records, newest first, and ask about anything that surprises you.",
            f"Shadow {team['shadow']} during the first week.",
            "Deliver one small, real piece of work with your buddy by the end of week two.",
            "At the end of week two, tell your lead what was confusing, and fix one document yourself.",
        ]
        team_name = _team_name(slug)
        body, partial = _playbook_body("Someone joins the team.", steps, team["channel"])
        specs.append(Spec(slug, "playbook", f"{team_name} onboarding: the first two weeks", body, partial,
                          tags=["onboarding"]))
    # Retro takeaways fill the knowledge base up to its size, spread evenly over the teams.
    per_team = -(-(TARGET_ENTRIES - len(specs)) // len(TEAMS))
    retros = []
    for slug, team in TEAMS.items():
        candidates = [(project, phase) for project in team["projects"] for phase in (*PHASES, None)]
        titled: set[str] = set()
        for number, (project, phase) in enumerate(rng.sample(candidates, per_team), start=1):
            name = project[:1].upper() + project[1:]
            people = rng.randint(4, 11)
            intro = rng.choice([
                f"Notes from the retro after the {phase or 'project'}; {people} of us took part.",
                f"What we said we'd keep and change, from the {phase or 'end-of-project'} retro.",
                f"The takeaways we agreed on at the {phase or 'closing'} retro.",
            ])
            points = rng.sample(team["takeaways"], rng.randint(3, 5))
            # Titled by what the notes are about (their first takeaway not yet a title of this project's
            # notes), not by a template: insights' themes group titles by their words. Chosen without a
            # draw, so everything the demo draws after stays as it was (the network demo reads who
            # reuses whose entries).
            point = next((point for point in points if f"{project}: {point}" not in titled), points[0])
            titled.add(f"{project}: {point}")
            title = f"{name}: {point[:1].lower() + point[1:] if point[1:2].islower() else point}".rstrip(".")
            body = intro + "\n\n" + "\n".join(f"- {point}" for point in points)
            partial = intro + "\n\n" + "\n".join(f"- {point}" for point in points[:-1])
            project_tag = slugify(re.sub(r"^the ", "", project))[:60]
            retros.append(Spec(
                slug, "lesson", title, body, partial, tags=["retro", project_tag],
                provenance=[("retro", f"{slug}-{number}", f"{_team_name(slug)} retro: {project}, {phase or 'end'}")],
            ))
    specs.extend(retros[: max(0, TARGET_ENTRIES - len(specs))])
    return specs


def _team_name(slug: str) -> str:
    return {"mobile-apps": "Mobile Apps", "data-infrastructure": "Data Infrastructure",
            "site-reliability": "Site Reliability", "product-management": "Product Management",
            "design-systems": "Design Systems", "user-research": "User Research",
            "customer-success": "Customer Success", "people-operations": "People Operations"}.get(
        slug, slug.replace("-", " ").title())


# --- When things happen ----------------------------------------------------------------------------


def _plan_dates(specs: list[Spec], rng) -> None:
    by_title = {spec.title: spec for spec in specs}
    for spec in specs:
        spec.interval = DEFAULT_REVIEW_DAYS[spec.kind]
        if spec.kind != "decision" and rng.random() < 0.15:
            spec.interval = rng.choice([60, 90, 120, 240, 365])
        spec.age = rng.randint(5 if spec.kind == "question" else 2, HISTORY_DAYS)
        if spec.kind == "decision":
            if spec.status == "proposed":
                spec.age = rng.randint(3, 45)
            spec.accept_day = spec.age - rng.randint(1, min(40, spec.age - 1))
    # A record that supersedes another is written after the other was accepted.
    for spec in specs:
        chain = []
        current = spec
        while current.supersedes:
            chain.append(current)
            current = by_title[current.supersedes]
        if chain and spec is chain[0] and not any(other.supersedes == spec.title for other in specs):
            oldest = current
            oldest.age = rng.randint(560, HISTORY_DAYS)
            oldest.accept_day = oldest.age - rng.randint(5, 30)
            previous = oldest
            for record in reversed(chain):
                record.age = rng.randint(max(20, previous.accept_day // 3), previous.accept_day - 15)
                record.accept_day = record.age - rng.randint(3, min(30, record.age - 1))
                previous = record

    # Freshness: choose which entries are stale, due or obsolete among those old enough to be.
    order = list(range(len(specs)))
    rng.shuffle(order)
    taken: set[int] = set()
    for state, share in STATE_SHARES:
        wanted = round(share * len(specs))
        for index in order:
            if wanted == 0:
                break
            spec = specs[index]
            if index in taken or (spec.kind == "decision" and (spec.status == "proposed" or spec.supersedes)):
                continue
            old_enough = {"stale": spec.interval + 31, "due": spec.interval + 1, "obsolete": 10}[state]
            # Decision records are superseded or deprecated rather than marked obsolete.
            if spec.age >= old_enough and (state != "obsolete" or spec.kind != "decision"):
                spec.state = state
                taken.add(index)
                wanted -= 1


class _Crossings:
    """Who may carry knowledge across a team's border in the demo (demo_data/crossings.yaml): the
    closed team's crossings mostly stay inside it, and the contact team's go through its contact.
    Each rule only replaces a person the builder already drew, from a random stream of its own,
    so every other draw of the demo (and every other module's data) stays what it was."""

    def __init__(self, seed, members):
        self.rng = random.Random(f"knowledge-crossings-{seed}")
        self.members = members
        self.closed = dict(CROSSINGS["closed"])
        self.contacts = {}
        for slug, title in CROSSINGS["contacts"].items():
            self.contacts[slug] = next(p for p in members[slug] if p.is_active and p.title == title)

    def contact_for(self, slug):
        return self.contacts.get(slug)

    def _closed_refuses(self, *slugs) -> bool:
        chances = [self.closed[slug] for slug in slugs if slug in self.closed]
        return bool(chances) and self.rng.random() >= min(chances)

    def asker(self, team, asker_team, asker, insiders):
        """Who asks `team` a question the builder gave to `asker` of another team."""
        if self._closed_refuses(team, asker_team):
            return self.rng.choice(insiders)
        return self.contacts.get(asker_team, asker)

    def writer(self, team, kind, author):
        """The contact writes half of their team's lessons and playbooks."""
        contact = self.contacts.get(team)
        if contact is not None and kind in ("lesson", "playbook") and self.rng.random() < 0.5:
            return contact
        return author

    def applier(self, team, entry, person, person_team, readers, team_of):
        """Who applies `team`'s `entry`, in place of `person` (of `person_team`) the builder drew."""
        if person_team == team:
            return person
        insiders = [p for p in readers if team_of[p.pk].slug == team and p.pk != entry.author_id]
        if self._closed_refuses(team, person_team):
            return self.rng.choice(insiders) if insiders else person
        if team in self.contacts and entry.author_id != self.contacts[team].pk:
            return self.rng.choice(insiders) if insiders else person
        contact = self.contacts.get(person_team)
        if contact is not None and contact in readers:
            return contact
        return person


# --- Building ----------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, context):
        self.rng = context.rng
        self.today = context.clock.today
        self.teams = {slug: team for slug, team in context.teams.items() if team.kind == TeamKind.TEAM}
        self.people_by_id = {person.pk: person for person in context.people}
        self.members: dict[str, list] = defaultdict(list)  # team slug -> people, leads first
        self.leads: dict[str, list] = defaultdict(list)
        self.team_of: dict[int, object] = {}
        for membership in Membership.objects.select_related("team").order_by("team__slug", "role", "person_id"):
            person = self.people_by_id.get(membership.person_id)
            if person is None:
                continue
            self.team_of.setdefault(person.pk, membership.team)
            if membership.team.kind == TeamKind.TEAM:
                self.members[membership.team.slug].append(person)
                if membership.role == TeamRole.FACILITATOR:
                    self.leads[membership.team.slug].append(person)
        self.active = [person for person in context.people if person.is_active and person.pk in self.team_of]
        self.stamps = _Stamps()
        self.crossings = _Crossings(context.seed, self.members)

    def moment(self, days_ago: int):
        return self.today - timedelta(days=days_ago) + timedelta(minutes=self.rng.randint(8 * 60, 18 * 60))

    def active_members(self, slug: str, exclude=()) -> list:
        return [p for p in self.members[slug] if p.is_active and p not in exclude]

    def pick_author(self, spec: Spec):
        """Someone of the team who worked here then; now and then a person who has since left."""
        written = self.today - timedelta(days=spec.age)
        leavers = [p for p in self.members[spec.team]
                   if not p.is_active and p.deactivated_at and p.deactivated_at > written + timedelta(days=7)]
        if leavers and spec.kind != "question" and self.rng.random() < 0.3:
            return self.rng.choice(leavers)
        if spec.kind == "decision" and self.leads[spec.team] and self.rng.random() < 0.5:
            return self.leads[spec.team][0]
        if spec.kind == "question" and self.rng.random() < 0.75:
            asker_team = self.rng.choice([slug for slug in self.teams if slug != spec.team])
            asker = self.rng.choice(self.active_members(asker_team))
            return self.crossings.asker(spec.team, asker_team, asker, self.active_members(spec.team))
        author = self.rng.choice(self.active_members(spec.team))
        return self.crossings.writer(spec.team, spec.kind, author)

    def curator(self, spec: Spec):
        entry = spec.entry
        if entry.owner_person_id:
            return entry.owner_person
        return self.rng.choice(self.active_members(spec.team))

    def editor(self, spec: Spec):
        author = spec.entry.author
        return author if author.is_active and self.rng.random() < 0.7 else self.curator(spec)

    def readers(self, spec: Spec) -> list:
        """People who may see the entry: everyone, or its teams for a team-only entry."""
        entry = spec.entry
        if entry.visibility == "everyone":
            return self.active
        return [p for slug in spec.team_slugs for p in self.active_members(slug)]

    # --- one entry's life, in order ---

    def write(self, spec: Spec) -> None:
        rng = self.rng
        author = self.pick_author(spec)
        team = self.teams[spec.team]
        team_owned = (spec.kind == "question" or (spec.kind == "decision" and rng.random() < 0.8)
                      or not author.is_active or rng.random() < 0.55)
        team_only = spec.kind in {"lesson", "playbook"} and team_owned and (
            spec.title in TEAM_ONLY_TITLES or rng.random() < 0.1)
        teams = [team]
        if rng.random() < 0.3 and NEIGHBOURS.get(spec.team):
            teams.append(self.teams[rng.choice(NEIGHBOURS[spec.team])])
        spec.team_slugs = tuple(team.slug for team in teams)
        if spec.kind != "decision" and rng.random() < 0.6:
            spec.skills = rng.sample(TEAMS[spec.team]["skills"], rng.randint(1, 2))
        if rng.random() < 0.06 and not spec.provenance:
            spec.provenance = [("import", f"wiki/{spec.team}/{slugify(spec.title)[:30]}.md",
                                "Imported from the old wiki")]

        # The first draft: some entries start rough and are edited into shape.
        flaws = []
        if spec.kind != "question" and spec.age >= 6 and rng.random() < 0.4:
            flaws = rng.sample(list(EDIT_NOTES), rng.choice([1, 1, 2, 2, 3, 4, 5]))
        if spec.kind == "decision" and spec.status != "proposed" and spec.age - spec.accept_day < len(flaws) + 1:
            flaws = flaws[: max(0, spec.age - spec.accept_day - 1)]

        created = self.moment(spec.age)
        first = self.content(spec, set(flaws))
        author_was_active = author.is_active
        author.is_active = True  # a leaver wrote this while they still worked here
        try:
            entry = services.create_entry(
                by=author, kind=spec.kind, **first, owner_team=team if team_owned else None,
                teams=teams, visibility="team" if team_only else "everyone",
                review_interval_days=spec.interval, provenance=spec.provenance, at=created,
            )
        finally:
            author.is_active = author_was_active
        self.stamps.add(EntryVersion, (entry.pk, 1), created)
        self.stamps.add(Provenance, (entry.pk,), created)
        spec.entry = entry

        # Everything else happens on later days, up to yesterday (or until it became obsolete).
        last_day = 1
        if spec.state == "obsolete":
            last_day = rng.randint(1, spec.age - 1 - min(5, spec.age - 2))
        events = []  # (moment, action)
        edit_window = (spec.accept_day + 1 if spec.kind == "decision" and spec.status != "proposed" else last_day,
                       spec.age - 1)
        if flaws and edit_window[0] <= edit_window[1]:
            # Each edit fixes one flaw of the draft, in the order the edits happen.
            moments = sorted(self.moment(rng.randint(*edit_window)) for _ in flaws)
            remaining = set(flaws)
            for moment, flaw in zip(moments, rng.sample(flaws, len(flaws)), strict=True):
                remaining = remaining - {flaw}
                events.append((moment, ("edit", frozenset(remaining), rng.choice(EDIT_NOTES[flaw]))))
        if spec.kind == "decision" and spec.status != "proposed":
            accepted = self.moment(spec.accept_day)
            events.append((accepted, ("status", "accepted")))
            if spec.status == "deprecated" and spec.accept_day > 1:
                events.append((self.moment(rng.randint(1, spec.accept_day - 1)), ("status", "deprecated")))
        verify_day = self.verify_day(spec)
        if verify_day:
            events.append((self.moment(verify_day), ("verify",)))
        if spec.kind == "question" and spec.answers and spec.age > last_day:
            days = sorted((rng.randint(max(last_day, spec.age - 20), spec.age - 1) for _ in spec.answers),
                          reverse=True)
            for day, text in zip(days, spec.answers, strict=True):
                events.append((self.moment(day), ("answer", text)))
            if rng.random() < 0.75:
                accept_day = max(last_day, days[-1] - rng.randint(0, 3))
                events.append((self.today - timedelta(days=accept_day) + timedelta(hours=19), ("accept",)))
        if spec.age > last_day + 1:
            if spec.kind != "question" and rng.random() < 0.55:
                for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 6])):
                    events.append((self.moment(rng.randint(last_day, spec.age - 1)), ("apply",)))
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 5)):
                    events.append((self.moment(rng.randint(last_day, spec.age - 1)), ("feedback",)))
        if spec.state == "obsolete":
            events.append((self.today - timedelta(days=last_day) + timedelta(hours=19), ("obsolete",)))
        events.sort(key=lambda event: event[0])
        answers: list = []
        helped: set[int] = set()
        for moment, action in events:
            self.happen(spec, moment, action, answers, helped)

    def verify_day(self, spec: Spec) -> int | None:
        """When the owner last confirmed the entry, so that it ends up fresh, due or stale."""
        rng, age, interval = self.rng, spec.age, spec.interval
        if spec.state == "fresh":
            if age >= interval:
                return rng.randint(1, interval - 1)
            return rng.randint(1, age - 1) if age >= 2 and rng.random() < 0.25 else None
        if spec.state == "due":
            day = rng.randint(interval + 1, min(interval + 29, age))
            return day if day < age else None
        if spec.state == "stale":
            day = rng.randint(interval + 31, age)
            return day if day < age else None
        return None

    def content(self, spec: Spec, flaws: set) -> dict:
        title = spec.title
        if "typo" in flaws:
            words = title.split(" ")
            longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
            word = words[longest]
            if len(word) > 3:
                words[longest] = word[:1] + word[2] + word[1] + word[3:]
            title = " ".join(words)
        if "draft" in flaws:
            title = f"Draft: {title}"
        body = spec.partial_body if "partial" in flaws and spec.kind != "decision" else spec.body
        if "todo" in flaws:
            body = f"{body}\n\n{TODO_LINES[len(spec.title) % len(TODO_LINES)]}"
        fields = {"title": title, "body": body, "tags": spec.tags[:1] if "tags" in flaws else spec.tags,
                  "skills": spec.skills}
        if spec.kind == "decision":
            fields.update(spec.sections)
            if "partial" in flaws:
                fields["consequences"] = ""
        return fields

    def happen(self, spec: Spec, moment, action, answers: list, helped: set) -> None:
        rng, entry = self.rng, spec.entry
        kind = action[0]
        if kind == "edit":
            _, remaining, note = action
            services.update_entry(by=self.editor(spec), entry=entry, change_note=note,
                                  **self.content(spec, set(remaining)), at=moment)
            self.stamps.add(EntryVersion, (entry.pk, entry.version), moment)
        elif kind == "status":
            services.set_decision_status(by=self.curator(spec), entry=entry, status=action[1], at=moment)
        elif kind == "verify":
            curator = self.curator(spec)
            if not entry.owner_person_id and self.team_of[entry.author_id].slug != spec.team:
                curator = self.crossings.contact_for(spec.team) or curator
            services.verify_entry(by=curator, entry=entry, at=moment)
        elif kind == "answer":
            experts = self.active_members(spec.team, exclude=[entry.author]) or self.active
            answerer = rng.choice(experts)
            if self.team_of[entry.author_id].slug != spec.team:
                answerer = self.crossings.contact_for(spec.team) or answerer
            answer = services.add_answer(by=answerer, question=entry, body=action[1], at=moment)
            self.stamps.add(Answer, (answer.pk,), moment)
            answers.append(answer)
        elif kind == "accept" and answers and entry.author.is_active:
            services.accept_answer(by=entry.author, question=entry, answer=rng.choice(answers[:2]), at=moment)
        elif kind == "apply":
            readers = self.readers(spec)
            outsiders = [p for p in readers if self.team_of[p.pk].slug != spec.team]
            person = rng.choice(outsiders if outsiders and rng.random() < 0.7 else readers)
            person = self.crossings.applier(spec.team, entry, person, self.team_of[person.pk].slug, readers,
                                            self.team_of)
            team = self.team_of[person.pk]
            projects = TEAMS.get(team.slug, {}).get("projects") or ["day-to-day work"]
            application = services.record_application(
                by=person, entry=entry, context=f"{team.name}: {rng.choice(projects)}",
                applied_on=timezone.localdate(moment),
                outcome=rng.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0],
                note=rng.choice(APPLICATION_NOTES), at=moment,
            )
            self.stamps.add(Application, (application.pk,), moment)
        elif kind == "feedback":
            candidates = [p for p in self.readers(spec) if p.pk not in helped and p.pk != entry.author_id]
            if candidates:
                person = rng.choice(candidates)
                helped.add(person.pk)
                services.give_feedback(by=person, entry=entry, helpful=rng.random() < 0.85,
                                       comment=rng.choice(FEEDBACK_COMMENTS), at=moment)
                self.stamps.add(Feedback, (entry.pk, person.pk), moment)
        elif kind == "obsolete":
            services.mark_obsolete(
                by=self.curator(spec), entry=entry, reason=rng.choice(OBSOLETE_REASONS), at=moment
            )

    # --- across entries ---

    def supersede(self, specs: list[Spec]) -> None:
        by_title = {spec.title: spec for spec in specs}
        moves = sorted(
            ((self.today - timedelta(days=spec.accept_day) + timedelta(hours=19), spec) for spec in specs
             if spec.supersedes),
            key=lambda move: move[0],
        )
        for moment, successor in moves:
            old = by_title[successor.supersedes]
            services.set_decision_status(by=self.curator(old), entry=old.entry, status="superseded",
                                         superseded_by=successor.entry, at=moment)
            self.stamps.add(EntryLink, (successor.entry.pk, old.entry.pk, "supersedes"), moment)

    def link(self, specs: list[Spec]) -> None:
        rng = self.rng
        by_title = {spec.title: spec for spec in specs}
        pairs = []
        for slug in TEAMS:
            mine = [spec for spec in specs if spec.team == slug and spec.entry.visibility == "everyone"]
            onboarding = next((spec for spec in mine if spec.title.endswith("onboarding: the first two weeks")), None)
            for spec in mine:
                if onboarding and spec.title.startswith("How do I get access to"):
                    pairs.append((onboarding, spec, "related"))
            for _ in range(5):
                source, target = rng.sample(mine, 2)
                if set(source.tags) & set(target.tags) or rng.random() < 0.3:
                    pairs.append((source, target, "related"))
        for first, second in CONTRADICTIONS:
            pairs.append((by_title[first], by_title[second], "contradicts"))
        seen = set()
        for source, target, kind in pairs:
            key = (source.entry.pk, target.entry.pk, kind)
            hidden = "team" in (source.entry.visibility, target.entry.visibility)
            if key in seen or source is target or hidden:
                continue
            seen.add(key)
            day = max(1, min(source.age, target.age) - rng.randint(1, 30))
            moment = self.moment(day)
            by = source.entry.author if source.entry.author.is_active else self.curator(source)
            link = services.add_link(by=by, source=source.entry, target=target.entry, kind=kind, at=moment)
            self.stamps.add(EntryLink, (link.source_id, link.target_id, link.kind), moment)


def build(context) -> None:
    rng = context.rng
    specs = _specs(rng)
    _plan_dates(specs, rng)
    builder = _Builder(context)
    # Written in the order they were written, so ids follow time like in a real knowledge base.
    for spec in sorted(specs, key=lambda spec: -spec.age):
        builder.write(spec)
    builder.supersede(specs)
    builder.link(specs)
    _import_practice_library(builder, context)
    builder.stamps.apply()
    demo_daily.build(context, specs)
    context.extra["knowledge_entries"] = [spec.entry for spec in specs]
    search.rebuild()


def _import_practice_library(builder, context) -> None:
    """The admin imported the learning-practice library a few weeks ago, so the survey reports
    suggest its playbooks; at a fixed time, so the rest of the demo's randomness is unchanged."""
    from learnloop.knowledge.practice_library import import_library

    moment = context.clock.days_ago(40) + timedelta(hours=10)
    admin = next(person for person in context.people if person.is_admin)
    report = import_library(by=admin, via="demo", at=moment)
    for outcome in report.created:
        builder.stamps.add(EntryVersion, (outcome.entry_id, 1), moment)
        builder.stamps.add(Provenance, (outcome.entry_id,), moment)
