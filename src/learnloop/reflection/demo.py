"""Demo reflection: a year of Harbourline's retros, reviews, postmortems, pre-mortems and critiques.

Sessions are created with the reflection services and their actions with the action engine's
services (`at=`, a moment read from the demo's clock, backdates them); lessons are promoted
through `follow_up.promote_to_lesson`, so provenance is real. Cards, groups, votes and
why-chains are bulk-created, because doing 1,500 cards one service call at a time would double
the demo's time; they follow the same rules the services enforce: alias and anonymous cards
carry a writer hash (and an alias) and no author, votes are tallies and differently derived hashes.

Teams differ on purpose: some follow through on almost everything, some let actions slide, so
the follow-through figures have something to show. A private random generator keeps this module
the same for a seed whatever earlier modules draw.
"""

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from learnloop.actions import repeats as action_repeats
from learnloop.actions import services as actions
from learnloop.demo.data import load_demo_data
from learnloop.knowledge.models import EntryVersion, Provenance
from learnloop.org.models import Membership, TeamKind, TeamRole
from learnloop.reflection import follow_up, services
from learnloop.reflection.demo_outcomes import build_outcomes
from learnloop.reflection.models import (
    PHASE_ORDER,
    Anonymity,
    Card,
    CheckIn,
    Group,
    Mode,
    Participant,
    Phase,
    Session,
    TemplateScope,
    VoteMark,
    WhyStep,
)
from learnloop.reflection.writer_keys import alias_for, card_hash, checkin_hash, dot_hash


@dataclass(frozen=True)
class Theme:
    """Something a team keeps talking about in its retros (demo_data/themes.yaml)."""

    title: str
    good: tuple[str, ...]
    bad: tuple[str, ...]
    ideas: tuple[str, ...]
    actions: tuple[str, ...]
    lesson: tuple[str, str]  # (title, body)
    from_month: int = 0  # months into the year before the team first talks about it


def _themes(data: dict) -> dict[str, tuple[Theme, ...]]:
    return {
        slug: tuple(
            Theme(theme["title"], tuple(theme["good"]), tuple(theme["bad"]), tuple(theme["ideas"]),
                  tuple(theme["actions"]), (theme["lesson"]["title"], theme["lesson"]["body"]),
                  theme.get("from_month", 0))
            for theme in themes
        )
        for slug, themes in data.items()
    }


# The cards, sessions and follow-up notes Harbourline's teams wrote, kept as data (demo_data/).
THEMES = _themes(load_demo_data("learnloop.reflection", "themes.yaml"))
_SESSIONS = load_demo_data("learnloop.reflection", "sessions.yaml")
REVIEWS, INCIDENTS = _SESSIONS["reviews"], _SESSIONS["incidents"]
PREMORTEMS, CRITIQUES = _SESSIONS["premortems"], _SESSIONS["critiques"]
GENERIC_GOOD, GENERIC_BAD, GENERIC_IDEAS = (_SESSIONS[f"generic_{kind}"] for kind in ("good", "bad", "ideas"))
_FOLLOW_UP = load_demo_data("learnloop.reflection", "follow_up.yaml")
NOT_DOING_REASONS, EVIDENCE, DECISION_REASONS = (
    _FOLLOW_UP["not_doing_reasons"], _FOLLOW_UP["evidence"], _FOLLOW_UP["decision_reasons"]
)

# The few actions a team agrees again (demo_data/repeats.yaml), by (team slug, first title).
REPEATS = {(item["team"], item["title"]): item for item in load_demo_data("learnloop.reflection", "repeats.yaml")}

# Topics that keep coming up in their team even after an action on them was found to work: the
# demo's designed "it worked, yet here it is again" story (a repeat with a forced effect, such as
# Payments' Monday on-call handover). Any other topic settles once its fix held: the team's later
# cards on it say what goes well or what to try next, no longer what hurts (_Builder.settle_topics).
RECURRING_DESPITE_FIX = {
    (team, theme.title)
    for team, themes in THEMES.items()
    for theme in themes
    if any(REPEATS.get((team, title), {}).get("effect") for title in theme.actions)
}
# The kinds of card a settled topic still gets.
SETTLED_KINDS = ("good", "lesson", "ideas")

# How many of the actions not due by today the demo member owns at least.
MEMBER_RUNNING = 2

# Sessions whose actions are their own (an incident's, a pre-mortem's): every other session draws
# on the team's themes, whose actions are spread over the year so the last months have some too.
OWN_ACTIONS = ("blameless-postmortem", "pre-mortem", "candid-critique")

HISTORY_DAYS = 365
# How often each team reflects (days between sessions) and how well it follows through.
TEAM_HABITS = {
    "payments": (14, "strong"),
    "site-reliability": (16, "strong"),
    "support": (18, "strong"),
    "platform": (21, "steady"),
    "mobile-apps": (21, "steady"),
    "data-infrastructure": (24, "steady"),
    "product-management": (24, "steady"),
    "user-research": (30, "steady"),
    "people-operations": (30, "steady"),
    "design-systems": (35, "weak"),
    "customer-success": (35, "weak"),
    "finance": (42, "weak"),
}
# (share done, share not doing, share of answered checks that worked); the rest stays open.
FOLLOW_THROUGH = {"strong": (0.84, 0.08, 0.72), "steady": (0.70, 0.10, 0.62), "weak": (0.48, 0.12, 0.45)}
# Teams that mark actions done and schedule the effectiveness check, but nobody ever answers it
# (the strategy's barriers page reads this as missing leadership support).
CHECKS_LEFT_UNANSWERED = {"people-operations"}
RETRO_FORMATS = ("start-stop-continue", "four-ls", "mad-sad-glad", "sailboat")
# Which kind of card goes in which retro column.
RETRO_COLUMNS = {
    "start-stop-continue": {"start": "ideas", "stop": "bad", "continue": "good"},
    "four-ls": {"liked": "good", "learned": "lesson", "lacked": "bad", "longed_for": "ideas"},
    "mad-sad-glad": {"mad": "bad", "sad": "bad", "glad": "good"},
    "sailboat": {"wind": "good", "anchor": "bad", "rocks": "bad", "island": "ideas"},
}
RETRO_TITLES = {
    "start-stop-continue": "Sprint {n} retro",
    "four-ls": "Sprint {n} retro (4Ls)",
    "mad-sad-glad": "Sprint {n} retro: how did it feel?",
    "sailboat": "Quarter check-in {n}",
}
CHECK_IN_QUESTION = "One word for how you arrive today?"
CHECK_IN_ANSWERS = ("Caffeinated", "Curious", "Tired", "Focused", "Hopeful", "Scattered", "Rested", "Busy",
                    "Optimistic", "Distracted", "Ready", "Cautious")
# Sessions running now: (team, template, phase, anonymity, mode, title)
LIVE_SESSIONS = (
    ("payments", "start-stop-continue", Phase.REFLECT, Anonymity.NAMED, Mode.LIVE, ""),  # the next sprint's retro
    ("platform", "sailboat", Phase.GROUP, Anonymity.ALIAS, Mode.ASYNC, "Half-year check-in"),
    ("support", "mad-sad-glad", Phase.VOTE, Anonymity.ANONYMOUS, Mode.LIVE, "Peak season: how did it feel?"),
    ("site-reliability", "four-ls", Phase.DISCUSS, Anonymity.ANONYMOUS, Mode.LIVE, "On-call rotation retro"),
    (
        "product-management",
        "pre-mortem",
        Phase.PREPARE,
        Anonymity.ALIAS,
        Mode.ASYNC,
        "Pre-mortem: live tracking for consignees",
    ),
)


@dataclass
class Crew:
    team: object
    lead: object
    members: list  # everyone in the team, leavers included
    active: list

    def present_on(self, day) -> list:
        """People who still worked here on that day."""
        return [p for p in self.members if p.is_active or (p.deactivated_at and p.deactivated_at.date() > day)]


@dataclass
class Plan:
    """One session to build: what it is about and the cards it gets."""

    crew: Crew
    template: str
    title: str
    held_on: object
    anonymity: str = Anonymity.NAMED
    mode: str = Mode.LIVE
    phase: str = Phase.CLOSED
    # [(column, text, theme or None)]; cards sharing a group key are grouped together.
    cards: list = field(default_factory=list)
    card_kinds: dict = field(default_factory=dict)  # text of a topic's card -> good, bad, ideas or lesson
    groups: dict = field(default_factory=dict)  # group key -> title
    why_chains: dict = field(default_factory=dict)  # card text -> whys
    action_titles: list = field(default_factory=list)
    lessons: list = field(default_factory=list)  # [(group key, title, body)]
    work_owner: object = None
    topic: str = ""  # the team's retro topic a session with its own actions addresses, if any
    participant_people: list = field(default_factory=list)


class _Builder:
    def __init__(self, context):
        self.context = context
        self.rng = random.Random(f"reflection-{context.seed}")
        self.clock = context.clock
        self.today = context.clock.date
        self.templates = {}
        self.promoted: set[tuple[int, str]] = set()
        self.next_sprint: dict[str, int] = {}
        # (team, action title) -> when the last such action was closed (None: still open).
        self.open_until: dict = {}
        # (team, action title) -> the actions agreed for it so far, first first.
        self.agreed: dict = {}
        # (team, topic title) -> the actions agreed on that topic of the team's themes.
        self.topic_actions: dict = {}
        self.retros_left: dict = {}  # team -> sessions still to build that draw on its themes' actions
        self.outcomes: dict = {}  # (team, "fate" or "effect") -> Counter of outcomes so far
        self.sessions: list[Session] = []
        self.actions: list = []
        self.member_login = dict(context.logins).get("member")
        self.member_running = 0  # actions not due yet given to the demo member

    # --- helpers --------------------------------------------------------------------------------

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def key(self) -> str:
        return f"demo{self.rng.getrandbits(160):040x}"

    def moment(self, day, hour: int = 10) -> datetime:
        return self.clock.on(day, hour, self.rng.randint(0, 59))

    def crews(self) -> list[Crew]:
        crews = []
        for team in sorted((t for t in self.context.teams.values() if t.kind == TeamKind.TEAM), key=lambda t: t.pk):
            memberships = list(Membership.objects.filter(team=team).select_related("person").order_by("person_id"))
            leads = [m.person for m in memberships if m.role == TeamRole.FACILITATOR and m.person.is_active]
            members = [m.person for m in memberships]
            if leads and team.slug in TEAM_HABITS:
                crews.append(Crew(team, leads[0], members, [p for p in members if p.is_active]))
        return crews

    # --- planning -------------------------------------------------------------------------------

    def plan_team(self, crew: Crew) -> list[Plan]:
        cadence, _ = TEAM_HABITS[crew.team.slug]
        days, day = [], self.today - timedelta(days=HISTORY_DAYS - self.rng.randint(0, cadence))
        while day < self.today - timedelta(days=5):
            days.append(day)
            day += timedelta(days=cadence + self.rng.randint(-3, 3))
        slug = crew.team.slug
        specials = (
            [("incident", item) for item in INCIDENTS if item["teams"][0] == slug]
            + [("review", item) for item in REVIEWS if item["team"] == slug]
            + [("premortem", item) for item in PREMORTEMS
               if item["team"] == slug and not self._is_live_premortem(item)]
            + [("critique", item) for item in CRITIQUES if item["team"] == slug]
        )
        slots = self.rng.sample(range(len(days) - 1), min(len(specials), len(days) - 1))
        special_at = dict(zip(slots, specials, strict=False))
        plans, sprint = [], self.rng.randint(20, 30)
        for index, held_on in enumerate(days):
            kind, item = special_at.get(index, ("retro", None))
            plan = getattr(self, f"plan_{kind}")(crew, held_on, item, sprint)
            sprint += 1
            plans.append(plan)
        self.next_sprint[crew.team.slug] = sprint
        self.retros_left[crew.team.pk] = sum(1 for plan in plans if plan.template not in OWN_ACTIONS)
        return plans

    @staticmethod
    def _is_live_premortem(item) -> bool:
        return any(live[1] == "pre-mortem" and live[0] == item["team"] for live in LIVE_SESSIONS)

    def _anonymity(self) -> str:
        roll = self.rng.random()
        return Anonymity.NAMED if roll < 0.55 else Anonymity.ALIAS if roll < 0.8 else Anonymity.ANONYMOUS

    def topics_on(self, crew: Crew, day) -> list[Theme]:
        """The team's topics it talks about by that day (a topic with `from_month` starts later)."""
        start = self.today - timedelta(days=HISTORY_DAYS)
        return [theme for theme in THEMES[crew.team.slug] if day >= start + timedelta(days=30 * theme.from_month)]

    def plan_retro(self, crew, held_on, _item, sprint, *, template=None, title=None) -> Plan:
        template = template or RETRO_FORMATS[sprint % len(RETRO_FORMATS)]
        plan = Plan(
            crew,
            template,
            title or RETRO_TITLES[template].format(n=sprint),
            held_on,
            anonymity=self._anonymity(),
            mode=Mode.ASYNC if self.rng.random() < 0.15 else Mode.LIVE,
        )
        topics = self.topics_on(crew, held_on)
        themes = self.rng.sample(topics, min(len(topics), self.rng.randint(2, 3)))
        mapping = RETRO_COLUMNS[template]
        written: set[str] = set()
        for theme in themes:
            plan.groups[theme.title] = theme.title
            for column, source in mapping.items():
                texts = [theme.lesson[0]] if source == "lesson" else list(getattr(theme, source))
                for text in self.rng.sample(texts, min(len(texts), self.rng.randint(0, 2))):
                    if text not in written:  # two columns can draw on the same kind of card
                        written.add(text)
                        plan.cards.append((column, text, theme.title))
                        plan.card_kinds[text] = source
            if not any(card[2] == theme.title for card in plan.cards):
                plan.cards.append((next(iter(mapping)), theme.ideas[0], theme.title))
                plan.card_kinds[theme.ideas[0]] = "ideas"
                written.add(theme.ideas[0])
            plan.action_titles.append((theme.title, list(theme.actions)))
            plan.lessons.append((theme.title, theme.lesson[0], theme.lesson[1]))
        generic = {"good": GENERIC_GOOD, "bad": GENERIC_BAD, "ideas": GENERIC_IDEAS, "lesson": GENERIC_GOOD}
        for column, source in self.rng.sample(sorted(mapping.items()), self.rng.randint(1, 2)):
            # The team's own wording of it, which drifts from month to month; chosen without a draw
            # of the shared random stream, so everything else the demo draws stays as it was.
            wordings = self.rng.choice(generic[source])
            text = wordings[(crew.team.pk + held_on.month) % len(wordings)]
            if text not in written:
                written.add(text)
                plan.cards.append((column, text, None))
        return plan

    def plan_review(self, crew, held_on, item, sprint) -> Plan:
        subject, intended, actual = item["subject"], item["intended"], item["actual"]
        plan = Plan(
            crew,
            "after-action-review",
            f"After-action review: {subject}",
            held_on,
            anonymity=Anonymity.NAMED if self.rng.random() < 0.7 else Anonymity.ALIAS,
        )
        theme = self.rng.choice(self.topics_on(crew, held_on))
        plan.groups.update({"plan": "What we set out to do", "facts": "What happened", theme.title: theme.title})
        plan.cards += [("intended", intended, "plan"), ("actual", actual, "facts")]
        plan.cards += [("difference", text, theme.title) for text in theme.bad[:2]]
        plan.cards += [("sustain_improve", text, theme.title) for text in (*theme.good[:1], *theme.ideas)]
        plan.card_kinds.update({text: "bad" for text in theme.bad[:2]})
        plan.card_kinds.update({**{text: "good" for text in theme.good[:1]}, **{text: "ideas" for text in theme.ideas}})
        plan.action_titles.append((theme.title, list(theme.actions)))
        plan.lessons.append((theme.title, theme.lesson[0], theme.lesson[1]))
        return plan

    def plan_incident(self, crew, held_on, item, sprint) -> Plan:
        plan = Plan(crew, "blameless-postmortem", f"Postmortem: {item['title']}", held_on, topic=item.get("topic", ""))
        for column in ("summary", "impact", "timeline", "went_well"):
            plan.groups[column] = {
                "summary": "Summary",
                "impact": "Impact",
                "timeline": "Timeline",
                "went_well": "What went well",
            }[column]
            plan.cards += [(column, text, column) for text in item[column]]
        for number, chain in enumerate(item["factors"]):
            key, factor, whys = f"factor-{number}", chain["factor"], chain["whys"]
            plan.groups[key] = factor
            plan.cards.append(("factors", factor, key))
            plan.why_chains[factor] = whys
        plan.action_titles.append(("factor-0", list(item["actions"])))
        plan.lessons.append(("factor-0", item["lesson"]["title"], item["lesson"]["body"]))
        return plan

    def plan_premortem(self, crew, held_on, item, sprint) -> Plan:
        project, reasons, signs, prevention = item["project"], item["reasons"], item["signs"], item["prevention"]
        plan = Plan(
            crew,
            "pre-mortem",
            f"Pre-mortem: {project}",
            held_on,
            anonymity=Anonymity.ALIAS if self.rng.random() < 0.5 else Anonymity.ANONYMOUS,
        )
        for number, reason in enumerate(reasons):
            plan.groups[f"reason-{number}"] = reason
            plan.cards.append(("failure_reasons", reason, f"reason-{number}"))
        plan.groups.update({"signs": "Early warning signs", "prevention": "What we do now"})
        plan.cards += [("warning_signs", text, "signs") for text in signs]
        plan.cards += [("prevention", text, "prevention") for text in prevention]
        plan.action_titles.append(("prevention", [text.rstrip(".") for text in prevention]))
        return plan

    def plan_critique(self, crew, held_on, item, sprint) -> Plan:
        work, working = item["work"], item["working"]
        not_working, suggestions = item["not_working"], item["suggestions"]
        plan = Plan(crew, "candid-critique", f"Critique: {work}", held_on)
        plan.work_owner = self.rng.choice(crew.active)
        plan.groups.update({"working": "Keep", "not_working": "Not working yet", "suggestions": "Suggestions"})
        plan.cards += [("working", text, "working") for text in working]
        plan.cards += [("not_working", text, "not_working") for text in not_working]
        plan.cards += [("suggestions", text, "suggestions") for text in suggestions]
        return plan

    def plan_live(self, crew, spec) -> Plan:
        _, template, phase, anonymity, mode, title = spec
        held_on = self.today - timedelta(days=0 if mode == Mode.LIVE else 2)
        if template == "pre-mortem":
            item = next(p for p in PREMORTEMS if p["team"] == crew.team.slug)
            plan = self.plan_premortem(crew, held_on, item, 0)
            plan.title = title
        else:
            sprint = self.next_sprint.get(crew.team.slug, 1)
            plan = self.plan_retro(crew, held_on, None, sprint, template=template, title=title or None)
        plan.phase, plan.anonymity, plan.mode = phase, anonymity, mode
        return plan

    # --- building -------------------------------------------------------------------------------

    def template(self, slug):
        if slug not in self.templates:
            self.templates[slug] = services.builtin_template(slug)
        return self.templates[slug]

    def fix_held(self, crew: Crew, topic: str, day) -> bool:
        """Whether an action the team agreed on this topic was found to work before that day."""
        return any(action.effect == "worked" and action.checked_at.date() < day
                   for action in self.topic_actions.get((crew.team.pk, topic), ()))

    def settle_topics(self, plan: Plan) -> None:
        """Once a fix on a topic held, the team's cards on it say what goes well or what to try, not
        what hurts (RECURRING_DESPITE_FIX excepted: it still hurts whenever it comes up). Decided
        when the session is built, in the order sessions happened, because only then is it known
        which earlier actions worked; no random draw, so the rest of the demo draws what it drew."""
        topics = {key for _, _, key in plan.cards if key in plan.groups and any(
            key == theme.title for theme in THEMES.get(plan.crew.team.slug, ()))}
        held = {topic for topic in topics if self.fix_held(plan.crew, topic, plan.held_on)}
        settled = {topic for topic in held if (plan.crew.team.slug, topic) not in RECURRING_DESPITE_FIX}
        themes = {theme.title: theme for theme in THEMES.get(plan.crew.team.slug, ())}
        bad_columns = [column for column, kind in RETRO_COLUMNS.get(plan.template, {}).items() if kind == "bad"]
        for topic in sorted(held - settled):
            # The designed recurrence: whenever the topic comes up, it still hurts.
            if bad_columns and not any(key == topic and plan.card_kinds.get(text) == "bad"
                                       for _, text, key in plan.cards):
                text = themes[topic].bad[len(plan.cards) % len(themes[topic].bad)]
                plan.cards.append((bad_columns[0], text, topic))
                plan.card_kinds[text] = "bad"
        if not settled:
            return
        kept = [card for card in plan.cards
                if card[2] not in settled or plan.card_kinds.get(card[1]) in SETTLED_KINDS]
        written = {text for _, text, _ in kept}
        good_columns = [column for column, kind in RETRO_COLUMNS.get(plan.template, {}).items() if kind == "good"]
        for topic in sorted(settled):
            if not any(key == topic for _, _, key in kept):
                text = themes[topic].good[0]
                if text not in written and good_columns:
                    kept.append((good_columns[0], text, topic))
                    written.add(text)
        plan.cards = kept

    def build_session(self, plan: Plan) -> Session:
        crew, rng = plan.crew, self.rng
        self.settle_topics(plan)
        present = [p for p in plan.crew.present_on(plan.held_on) if p is not crew.lead]
        facilitator = (
            crew.lead if rng.random() < 0.8 else rng.choice([p for p in present if p.is_active] or [crew.lead])
        )
        others = [p for p in present if p is not facilitator]
        people = [facilitator, *rng.sample(others, min(len(others), rng.randint(3, 7)))]
        if plan.phase != Phase.CLOSED and crew.team.slug == "payments" and self.member_login:
            facilitator = crew.lead
            people = [crew.lead, self.member_login] + [p for p in people if p not in (crew.lead, self.member_login)]
        if plan.work_owner is not None and plan.work_owner not in people:
            people.append(plan.work_owner)
        plan.participant_people = people
        started = self.moment(plan.held_on, 10 if plan.mode == Mode.LIVE else 9)
        deadlines = {}
        if plan.mode == Mode.ASYNC:
            deadlines = {"reflect": started + timedelta(days=3), "vote": started + timedelta(days=5)}
        session = services.create_session(
            by=facilitator,
            team=crew.team,
            template=self.template(plan.template),
            title=plan.title,
            goal=self._goal(plan),
            facilitator=facilitator,
            mode=plan.mode,
            phase_deadlines=deadlines,
            anonymity=plan.anonymity,
            vote_budget=3,
            work_owner=plan.work_owner,
            held_on=plan.held_on,
            at=started,
        )
        session.created_at = started - timedelta(days=rng.randint(1, 5))
        session.save(update_fields=["created_at"])
        if plan.phase == Phase.PREPARE:
            return session
        keys = {person.pk: self.key() for person in people}
        Participant.objects.bulk_create(
            [Participant(session=session, person=person) for person in people[1:]], ignore_conflicts=True
        )
        if plan.mode == Mode.LIVE and plan.phase != Phase.CLOSED:
            self.check_in(session, people, keys)
        cards = self.write_cards(session, plan, people, keys)
        groups = {}
        reached = PHASE_ORDER.index(plan.phase)
        if reached >= PHASE_ORDER.index(Phase.GROUP):
            groups = self.group(session, plan, cards, partly=plan.phase == Phase.GROUP)
        if reached >= PHASE_ORDER.index(Phase.VOTE):
            self.vote(session, people, keys, groups, partly=plan.phase == Phase.VOTE)
        if reached >= PHASE_ORDER.index(Phase.DISCUSS):
            self.discuss(session, plan, cards)
        session.phase = plan.phase
        session.revealed = reached >= PHASE_ORDER.index(Phase.GROUP)
        session.tallies_shown = reached >= PHASE_ORDER.index(Phase.DISCUSS)
        session.save(update_fields=["phase", "revealed", "tallies_shown"])
        if plan.phase == Phase.REFLECT:
            Participant.objects.filter(session=session, person__in=people[2::2]).update(done_with=Phase.REFLECT)
        if reached >= PHASE_ORDER.index(Phase.DISCUSS):
            self.follow_up(session, plan, groups, facilitator)
        if plan.phase == Phase.CLOSED:
            session.phase = Phase.CLOSED
            session.closed_at = (
                started
                + timedelta(hours=1, minutes=rng.randint(0, 40))
                + timedelta(days=6 if plan.mode == Mode.ASYNC else 0)
            )
            session.save(update_fields=["phase", "closed_at"])
        return session

    def check_in(self, session: Session, people, keys) -> None:
        """The check-in round of a session running now (closed sessions keep none). Its own random
        stream, so the rest of the demo is the same with or without it."""
        rng = random.Random(f"check-in {session.title}")
        session.checkin_question = CHECK_IN_QUESTION
        session.save(update_fields=["checkin_question"])
        rows = []
        for person in people:
            row = CheckIn(id=uuid.uuid4(), session=session, text=rng.choice(CHECK_IN_ANSWERS))
            if session.anonymity == Anonymity.NAMED:
                row.author = person
            else:
                row.writer_hash = checkin_hash(session.pk, keys[person.pk])
                if session.anonymity == Anonymity.ALIAS:
                    row.alias = alias_for(session.pk, keys[person.pk])
            rows.append(row)
        rng.shuffle(rows)
        CheckIn.objects.bulk_create(rows)

    def _goal(self, plan: Plan) -> str:
        if plan.template == "blameless-postmortem":
            return "Understand how it happened and what makes it less likely, without blame."
        if plan.template == "pre-mortem":
            return "Imagine it failed and find out why while there's still time to change course."
        if plan.template == "candid-critique":
            return f"Notes for {plan.work_owner.full_name}; they decide what to take."
        if plan.template == "after-action-review":
            return "Compare what we planned with what happened, and keep what worked."
        return ""

    def write_cards(self, session, plan, people, keys) -> list[tuple[Card, str | None]]:
        rng, made = self.rng, []
        aliases = {pk: alias_for(session.pk, key) for pk, key in keys.items()}
        # A critique's notes come from the others: the owner doesn't critique their own work.
        writers = [person for person in people if person != plan.work_owner] or people
        for column, text, group_key in plan.cards:
            writer = rng.choice(writers)
            if plan.phase == Phase.REFLECT and writer == self.member_login:
                writer = people[0]
            card = Card(id=self.uuid(), session=session, column=column, text=text, shuffle_key=rng.randrange(2**31))
            if session.anonymity == Anonymity.NAMED:
                card.author = writer
            else:
                card.writer_hash = card_hash(session.pk, keys[writer.pk], card.pk)
                if session.anonymity == Anonymity.ALIAS:
                    card.alias = aliases[writer.pk]
            made.append((card, group_key))
        if plan.phase == Phase.REFLECT and self.member_login in people:
            # The demo member has started writing: their own cards show on their board.
            made += [
                (
                    Card(
                        id=self.uuid(),
                        session=session,
                        column=column,
                        text=text,
                        author=self.member_login,
                        shuffle_key=rng.randrange(2**31),
                    ),
                    None,
                )
                for column, text in (
                    ("continue", "Pairing on the payout retries was really useful."),
                    ("start", "Write down which reconciliation mismatches are expected."),
                )
            ]
        timeline = [card for card, _ in made if card.column == "timeline"]
        if timeline and session.anonymity == Anonymity.NAMED:
            # A named postmortem's timeline reads in order; in hidden sessions the order stays random.
            for card, shuffle_key in zip(timeline, sorted(card.shuffle_key for card in timeline), strict=True):
                card.shuffle_key = shuffle_key
        stored = [card for card, _ in made]
        if session.anonymity != Anonymity.NAMED:
            # As the services do: hidden sessions' rows are stored in random order (shuffle.py).
            rng.shuffle(stored)
        Card.objects.bulk_create(stored)
        chains = [
            WhyStep(card=card, position=number, text=why)
            for card, _ in made
            for number, why in enumerate(plan.why_chains.get(card.text, ()), start=1)
        ]
        if session.anonymity != Anonymity.NAMED:
            rng.shuffle(chains)
        WhyStep.objects.bulk_create(chains)
        return made

    def group(self, session, plan, cards, *, partly: bool) -> dict:
        by_key: dict = {}
        for card, key in cards:
            by_key.setdefault(key or f"single-{card.pk}", []).append(card)
        groups = {}
        for key, members in by_key.items():
            if partly and (key.startswith("single-") or self.rng.random() < 0.5):
                continue
            title = plan.groups.get(key) or members[0].text[:120]
            groups[key] = Group(id=self.uuid(), session=session, title=title)
            for card in members:
                card.group = groups[key]
        Group.objects.bulk_create(groups.values())
        Card.objects.bulk_update([card for card, _ in cards if card.group_id], ["group"])
        return groups

    def vote(self, session, people, keys, groups, *, partly: bool) -> None:
        choices = list(groups.items())
        # Themes several people wrote about draw more votes than a lone card.
        weights = [1 if key.startswith("single-") else 3 for key, _ in choices]
        marks, used, dots = [], {}, Counter()
        for person in people:
            budget = self.rng.randint(0, 3) if partly else 3
            for _ in range(budget):
                _, group = self.rng.choices(choices, weights=weights)[0]
                # The n-th dot of this voter on this group gets its own hash, as in cast_vote.
                dot = dots[person.pk, group.pk]
                dots[person.pk, group.pk] += 1
                group.votes += 1
                marks.append(VoteMark(group=group, voter_hash=dot_hash(session.pk, keys[person.pk], group.pk, dot)))
                used[person.pk] = used.get(person.pk, 0) + 1
        Group.objects.bulk_update([group for _, group in choices], ["votes"])
        self.rng.shuffle(marks)  # stored in no voter's order, as cast_vote leaves them
        VoteMark.objects.bulk_create(marks)
        participants = list(Participant.objects.filter(session=session, person_id__in=used))
        for participant in participants:
            participant.votes_used = used[participant.person_id]
        Participant.objects.bulk_update(participants, ["votes_used"])

    def discuss(self, session, plan, cards) -> None:
        if plan.template != "candid-critique":
            return
        decided = []
        for card, _ in cards:
            if card.column in {"not_working", "suggestions"}:
                card.decision = "taken" if self.rng.random() < 0.7 else "not_taken"
                card.decision_reason = self.rng.choice(DECISION_REASONS[card.decision])
                decided.append(card)
        Card.objects.bulk_update(decided, ["decision", "decision_reason"])

    # --- actions and lessons --------------------------------------------------------------------

    def follow_up(self, session, plan, groups, facilitator) -> None:
        rng, crew = self.rng, plan.crew
        # Actions and lessons are agreed in the actions phase, before the session closes.
        phase_now, session.phase = session.phase, Phase.ACTIONS
        ranked = sorted(groups.items(), key=lambda item: -item[1].votes)
        top_keys = [key for key, _ in ranked[:3]]
        agreed = self.moment(plan.held_on, 11)
        chosen = [
            (key, titles) for key, titles in plan.action_titles if key in top_keys or len(plan.action_titles) == 1
        ]
        quota = self.quota(crew, plan)
        for key, titles in chosen[:3]:
            available = [title for title in titles if self.may_agree(crew, title, agreed)]
            # A deliberate repeat comes back whenever its theme does (whatever the quota): that is
            # what makes it one. The designed "worked, yet here it is again" one is agreed the first
            # time its theme is chosen too, so it has the year to come back in.
            again = [title for title in available if (crew.team.pk, title) in self.agreed
                     or REPEATS.get((crew.team.slug, title), {}).get("effect")]
            fresh = [title for title in available if title not in again]
            wanted = min(len(fresh), rng.randint(1, 2) - min(len(again), 1), max(quota, 0))
            picked = again[:1] + rng.sample(fresh, max(wanted, 0))
            quota -= len(picked) - len(again[:1])
            for title in picked:
                earlier = self.agreed.get((crew.team.pk, title), [])
                repeat = REPEATS.get((crew.team.slug, title), {})
                wordings = repeat.get("reworded") or [title]
                due = plan.held_on + timedelta(days=rng.randint(14, 35))
                owner = self.owner(crew, due)
                action = follow_up.create_session_action(
                    by=crew.lead,
                    session=session,
                    title=wordings[(len(earlier) - 1) % len(wordings)] if earlier else title,
                    owner=owner,
                    due_on=due,
                    priority=rng.choice(["normal", "normal", "high", "low"]),
                    group=groups.get(key),
                    at=agreed,
                )
                if earlier and repeat.get("linked"):
                    action_repeats.mark_repeat(by=crew.lead, action=action, repeat_of=earlier[0], at=agreed)
                if plan.phase == Phase.CLOSED:
                    self.play_out(action, crew, owner, agreed, due, effect=repeat.get("effect"))
                self.open_until[crew.team.pk, title] = action.closed_at
                self.agreed.setdefault((crew.team.pk, title), []).append(action)
                topic = plan.topic if plan.template in OWN_ACTIONS else key
                if topic:
                    self.topic_actions.setdefault((crew.team.pk, topic), []).append(action)
                self.actions.append(action)
            # What the facilitator wrote under the topic while discussing it (facilitation.py).
            if picked and key in groups:
                group = groups[key]
                group.decision = "We act on it: " + "; ".join(action.title for action in self.actions[-len(picked):])
                group.discussion_notes = (f"{group.votes} vote{'s' if group.votes != 1 else ''}; "
                                          f"the team agreed this is worth changing now.")
                group.save(update_fields=["decision", "discussion_notes"])
        for key, title, body in plan.lessons:
            if (crew.team.pk, title) in self.promoted or plan.phase != Phase.CLOSED or key not in groups:
                continue
            if plan.template == "blameless-postmortem" or (key in top_keys[:1] and rng.random() < 0.6):
                self.promote(session, crew, facilitator, groups[key], title, body, plan.held_on)
        session.phase = phase_now

    def quota(self, crew: Crew, plan: Plan) -> int:
        """How many actions this session may agree: about the team's unused theme actions over its
        sessions still to come (each theme action is agreed once, so they must last the year)."""
        if plan.template in OWN_ACTIONS:
            return 3
        left = self.retros_left.get(crew.team.pk, 1)
        self.retros_left[crew.team.pk] = max(left - 1, 0)
        unused = sum(1 for theme in THEMES[crew.team.slug] for title in theme.actions
                     if (crew.team.pk, title) not in self.agreed)
        return max(1, round(unused / max(left, 1) + self.rng.uniform(-0.4, 0.6)))

    def may_agree(self, crew: Crew, title: str, agreed) -> bool:
        """A team agrees each action once, except the few repeats.yaml names (up to their `times`),
        and never while the last one is still open."""
        earlier = self.agreed.get((crew.team.pk, title), [])
        if not earlier:
            return True
        if len(earlier) >= REPEATS.get((crew.team.slug, title), {}).get("times", 1):
            return False
        closed_at = self.open_until[crew.team.pk, title]
        return closed_at is not None and closed_at < agreed

    def owner(self, crew: Crew, due):
        people = list(crew.active)
        if self.member_login in people:
            if due >= self.today and self.member_running < MEMBER_RUNNING:
                # Their page shows work still running, whatever the draws before gave them.
                self.member_running += 1
                return self.member_login
            people.append(self.member_login)  # the demo member owns a fair few, to show on their page
        return self.rng.choice(people)

    def play_out(self, action, crew, owner, agreed, due, *, effect: str | None = None) -> None:
        """What became of the action, by today: the team's habits decide (`effect`: a repeat's
        answer, given whenever it is done)."""
        rng, now = self.rng, self.clock.today
        share_done, share_not_doing, share_worked = FOLLOW_THROUGH[TEAM_HABITS[crew.team.slug][1]]
        if rng.random() < 0.15:
            actions.add_comment(
                by=crew.lead,
                action=action,
                at=agreed + timedelta(days=2),
                body=rng.choice(
                    ("Can we pair on this?", "I'll take a first look this week.", "Blocked until the vendor replies.")
                ),
            )
        started = agreed + timedelta(days=rng.randint(1, 6))
        if due >= self.today:  # not due yet: mostly still being worked on
            roll = rng.random()
            if roll < 0.45 and started < now:
                actions.start_action(by=owner, action=action, at=started)
            elif roll < 0.6:
                closed = agreed + timedelta(days=rng.randint(2, 7))
                if closed < now:
                    self.complete(action, owner, closed, share_worked)
            return
        closed = min(
            agreed + timedelta(days=rng.randint(5, (due - agreed.date()).days + 12)),
            now - timedelta(hours=rng.randint(2, 72)),
        )
        fate = "done" if effect else self.next_in_share(
            (crew.team.pk, "fate"),
            {"done": share_done, "not_doing": share_not_doing, "left": 1 - share_done - share_not_doing},
        )
        if effect:
            actions.complete_action(by=owner, action=action, effect=effect, evidence=rng.choice(EVIDENCE[effect]),
                                    at=closed)
        elif fate == "done":
            if rng.random() < 0.4:
                actions.start_action(by=owner, action=action, at=min(started, closed - timedelta(hours=1)))
            self.complete(action, owner, closed, share_worked)
        elif fate == "not_doing":
            actions.decline_action(by=crew.lead, action=action, reason=rng.choice(NOT_DOING_REASONS), at=closed)
        elif rng.random() < 0.5:
            actions.start_action(by=owner, action=action, at=started)

    def next_in_share(self, counter_key, shares: dict) -> str:
        """The outcome furthest behind its share so far (with a little noise), so each team's figures
        come out close to its habits instead of wherever a few dozen dice rolls land."""
        counts = self.outcomes.setdefault(counter_key, Counter())
        total = sum(counts.values()) + 1
        outcome = max(shares, key=lambda name: shares[name] * total - counts[name] + self.rng.random() * 0.6)
        counts[outcome] += 1
        return outcome

    def complete(self, action, owner, closed, share_worked) -> None:
        rng = self.rng
        evidence = EVIDENCE
        shares = {"unknown": 0.12, "worked": 0.88 * share_worked, "did_not_work": 0.88 * (1 - share_worked)}
        if action.team.slug in CHECKS_LEFT_UNANSWERED:
            # Draw what the other teams draw, so the rest of the demo stays as it was.
            later = rng.random() < 0.3
            check_on = closed.date() + timedelta(days=rng.randint(21, 56) if later else 21)
            if not later or check_on <= self.today - timedelta(days=21):
                rng.choice(evidence[self.next_in_share((action.team_id, "effect"), shares)])
            actions.complete_action(by=owner, action=action, check_on=check_on, at=closed)
            return
        if rng.random() < 0.3:  # checked later, on a scheduled date
            check_on = closed.date() + timedelta(days=rng.randint(21, 56))
            actions.complete_action(by=owner, action=action, check_on=check_on, at=closed)
            if check_on <= self.today - timedelta(days=21):  # answered; later ones are still due
                effect = self.next_in_share((action.team_id, "effect"), shares)
                actions.record_effectiveness(
                    by=owner,
                    action=action,
                    effect=effect,
                    evidence=rng.choice(evidence[effect]),
                    at=self.moment(check_on, 15),
                )
            return
        effect = self.next_in_share((action.team_id, "effect"), shares)
        actions.complete_action(
            by=owner, action=action, effect=effect, evidence=rng.choice(evidence[effect]), at=closed
        )

    def promote(self, session, crew, by, group, title, body, held_on) -> None:
        promoted_on = min(held_on + timedelta(days=self.rng.choice((0, 0, 1, 2, 3, 7, 12))), self.today)
        moment = self.moment(promoted_on, 16)
        entry = follow_up.promote_to_lesson(
            by=by if by.is_active else crew.lead,
            session=session,
            title=title,
            body=body,
            group=group,
            promoted_on=promoted_on,
            at=moment,
        )
        EntryVersion.objects.filter(entry=entry).update(created_at=moment)
        Provenance.objects.filter(entry=entry).update(created_at=moment)
        self.promoted.add((crew.team.pk, title))

    # --- custom templates -----------------------------------------------------------------------

    def custom_templates(self, crews, *, at) -> None:
        lead = dict(self.context.logins).get("learning lead")
        if lead is not None:
            services.create_template(
                by=lead,
                name="Quarterly team health check",
                kind="retro",
                scope=TemplateScope.ORGANIZATION,
                description="A short check-in every quarter: how the team is doing, not just the work.",
                columns=[
                    {"title": "Energy", "prompt": "What gave you energy this quarter?"},
                    {"title": "Drains", "prompt": "What drained it?"},
                    {"title": "One change", "prompt": "One thing we should change next quarter."},
                ],
                at=at,
            )
        payments = next((crew for crew in crews if crew.team.slug == "payments"), None)
        if payments is not None:
            services.clone_template(
                by=payments.lead,
                template=self.template("blameless-postmortem"),
                scope=TemplateScope.TEAM,
                team=payments.team,
                name="Payments incident review",
                at=at,
            )


def build(context) -> None:
    builder = _Builder(context)
    crews = builder.crews()
    services.ensure_builtin_templates()
    # The organization's own templates were written before the first session.
    builder.custom_templates(crews, at=context.clock.days_ago(HISTORY_DAYS + 10))
    plans = [plan for crew in crews for plan in builder.plan_team(crew)]
    by_slug = {crew.team.slug: crew for crew in crews}
    live = [builder.plan_live(by_slug[spec[0]], spec) for spec in LIVE_SESSIONS if spec[0] in by_slug]
    # Built in the order they happened, so ids follow time and earlier actions come up in later sessions.
    for plan in [*sorted(plans, key=lambda plan: (plan.held_on, plan.crew.team.pk)), *live]:
        builder.sessions.append(builder.build_session(plan))
    context.extra["reflection_sessions"] = builder.sessions
    context.extra["reflection_actions"] = builder.actions
    build_outcomes(context)
