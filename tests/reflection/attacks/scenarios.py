"""Realistic reflection sessions, played by people through the web UI and the API, with the truth
about who wrote and voted what kept here, in the test, and nowhere in the application.

Every request goes through `Person.request`, which also writes the line a web server or reverse
proxy would log: client address, time, method, path and status (never the body). Everyone
signs in through the real sign-in form from their own address, so the audit log maps addresses
to people the way it does in production.
"""

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.test import Client

from learnloop.knowledge import services as knowledge
from learnloop.reflection import services as reflection
from learnloop.reflection.models import Card, Group
from learnloop.reflection.writer_keys import HEADER
from tests import factories
from tests.reflection.attacks import routes

NAMES = ["Ava Lindqvist", "Ben Okafor", "Chloe Martin", "Dev Patel", "Elif Kaya", "Finn Murphy", "Gia Russo",
         "Hugo Weber", "Ines Duarte", "Jonas Berg"]
PHRASES = [
    "Release notes are written after the release", "Nobody owns the flaky payment tests",
    "Pairing on incidents helped a lot", "Standups run long on Mondays", "Staging is down too often",
    "Code reviews wait two days", "The new runbook saved us on Tuesday", "Too many meetings before noon",
    "Deploy approvals are unclear", "On-call handover is rushed", "Customer feedback arrives late",
    "Demo day kept us focused", "Alerts fire for things nobody acts on", "We keep re-estimating the same story",
    "Design docs help new joiners", "Retro actions are forgotten", "The build takes twenty minutes",
    "Support tickets bypass triage", "Feature flags are never cleaned up", "We celebrate launches, not fixes",
]


@dataclass
class LogLine:
    address: str
    at: datetime
    method: str
    path: str
    status: int


@dataclass
class Person:
    """One person at their own computer: a browser and, for API sessions, a token client."""

    row: object
    address: str
    log: list
    browser: Client = None
    api: Client = None
    keys: dict = field(default_factory=dict)  # session id -> writer key (API)

    def sign_in(self) -> None:
        self.browser = Client(REMOTE_ADDR=self.address)
        response = self.request("POST", routes.login(), {"username": self.row.email, "password": factories.PASSWORD})
        assert response.status_code == 302, f"{self.row.email} could not sign in"

    def request(self, method: str, path: str, data=None, *, api: bool = False, key: str | None = None):
        at = datetime.now(UTC)
        if api:
            if self.api is None:
                self.api = factories.token_client(self.row)
            extra = {"REMOTE_ADDR": self.address, "headers": {HEADER: key} if key else {}}
            body = json.dumps(data) if data is not None else ""
            response = self.api.generic(method, path, body, content_type="application/json", **extra)
        else:
            response = self.browser.get(path) if method == "GET" else self.browser.post(path, data or {})
        self.log.append(LogLine(self.address, at, method, path, response.status_code))
        return response

    def post(self, path_and_data) -> None:
        path, data = path_and_data
        response = self.request("POST", path, data)
        assert response.status_code == 302, f"POST {path} answered {response.status_code}"

    def call(self, method_path_body, key: str | None = None, expect=(200, 201, 204)):
        method, path, body = method_path_body
        response = self.request(method, path, body, api=True, key=key)
        assert response.status_code in expect, f"{method} {path}: {response.status_code} {response.content[:300]}"
        return response


@dataclass
class Scenario:
    """One played session and the truth about it (kept only here)."""

    name: str
    session_id: int
    facilitator_id: int
    writers: list  # person ids who wrote cards
    voters: list  # person ids who voted
    card_author: dict = field(default_factory=dict)  # card id (str) -> person id
    votes: dict = field(default_factory=dict)  # group id (str) -> Counter(person id -> dots)
    deleted_texts: list = field(default_factory=list)
    replaced_texts: list = field(default_factory=list)  # texts as first written, before an edit

    @property
    def cards_by_person(self) -> Counter:
        return Counter(self.card_author.values())

    @property
    def votes_by_person(self) -> Counter:
        total = Counter()
        for voters in self.votes.values():
            total.update(voters)
        return total


class Organization:
    """The people of one team, signed in, and a knowledge entry they give feedback on (a named
    activity event, the kind that sits between anonymous ones in the event stream)."""

    def __init__(self, log: list):
        self.log = log
        department = factories.team(name="Engineering", kind="department")
        self.team = factories.team(name="Checkout", parent=department)
        fac = factories.person(email="fay.facilitator@example.org", full_name="Fay Facilitator")
        factories.membership(fac, self.team, role="facilitator")
        self.facilitator = Person(fac, "10.8.0.2", log)
        self.members = []
        for number, name in enumerate(NAMES):
            row = factories.person(email=f"{name.split()[0].lower()}@example.org", full_name=name)
            factories.membership(row, self.team)
            self.members.append(Person(row, f"10.8.0.{10 + number}", log))
        for person in [self.facilitator, *self.members]:
            person.sign_in()
        self.entry = knowledge.create_entry(by=fac, kind="lesson", title="How we run retros",
                                            body="Keep it short and kind.")
        self.template = reflection.builtin_template("start-stop-continue")


def _session_id(response) -> int:
    return int(re.search(r"/sessions/(\d+)/", response["Location"]).group(1))


class Play:
    """Drives one session from creation to discussion."""

    def __init__(self, org: Organization, name: str, *, seed: int, people: list, api: bool = False,
                 anonymity: str = "anonymous", raise_midway: bool = False, facilitator_writes: bool = False,
                 snapshot=None):
        self.org, self.name, self.rng, self.api = org, name, random.Random(seed), api
        self.people, self.snapshot = people, snapshot or (lambda label: None)
        self.anonymity, self.raise_midway, self.facilitator_writes = anonymity, raise_midway, facilitator_writes
        self.fac = org.facilitator
        self.texts: dict[str, int] = {}  # current text -> person id
        self.counter = 0

    # --- helpers -----------------------------------------------------------------------------------------

    def _phase(self, phase: str) -> None:
        self.fac.post((routes.phase(self.session_id), {"phase": phase}))

    def _text(self) -> str:
        self.counter += 1
        return f"{self.rng.choice(PHRASES)} ({self.name} {self.counter})"

    def _card(self, text: str) -> Card | None:
        return Card.objects.filter(session_id=self.session_id, text=text).first()

    def _maybe_browse(self, person: Person) -> None:
        """Now and then someone looks something up in the knowledge base first (a named event)."""
        if self.rng.random() < 0.35:
            # Called directly rather than through the page: only its event matters here, and the
            # knowledge page is slow to render in a test.
            knowledge.give_feedback(by=person.row, entry=self.org.entry, helpful=self.rng.random() < 0.8)

    # --- the session --------------------------------------------------------------------------------------

    def run(self) -> Scenario:
        response = self.fac.request("POST", "/sessions/", {
            "team": self.org.team.pk, "template": self.org.template.pk, "title": f"Retro: {self.name}",
            "anonymity": self.anonymity, "vote_budget": 3, "mode": "live",
        })
        assert response.status_code == 302, "the facilitator could not start a session"
        self.session_id = _session_id(response)
        self._phase("reflect")
        writers = list(self.people) + ([self.fac] if self.facilitator_writes else [])
        self._join(writers)
        self._reflect(writers)
        self.snapshot(f"{self.name}@reflect-end")
        self._phase("group")
        self._group()
        self._phase("vote")
        votes = self._vote()
        self.snapshot(f"{self.name}@vote-end")
        self._phase("discuss")
        self._check_tallies(votes)
        scenario = Scenario(self.name, self.session_id, self.fac.row.pk, [p.row.pk for p in writers],
                            [p.row.pk for p in self.people])
        scenario.card_author = self._card_truth()
        scenario.votes = votes
        scenario.deleted_texts, scenario.replaced_texts = self.deleted, self.replaced
        return scenario

    def _join(self, writers: list) -> None:
        order = list(writers)
        self.rng.shuffle(order)
        for person in order:
            if self.api:
                person.keys[self.session_id] = person.call(routes.api_join(self.session_id)).json()["writer_key"]
            else:
                person.request("GET", routes.board(self.session_id))

    def _write(self, person: Person, text: str) -> None:
        self._maybe_browse(person)
        column = self.rng.choice(["start", "stop", "continue"])
        if self.api:
            person.call(routes.api_write_card(self.session_id, column, text), key=person.keys[self.session_id])
        else:
            person.post(routes.write_card(self.session_id, column, text))
        self.texts[text] = person.row.pk

    def _reflect(self, writers: list) -> None:
        plan = [person for person in writers for _ in range(self.rng.randint(2, 5))]
        self.rng.shuffle(plan)  # people write at interleaved times
        self.deleted, self.replaced = [], []
        changes = {len(plan) // 3: "edit", len(plan) // 2: "delete", (2 * len(plan)) // 3: "edit"}
        for step, person in enumerate(plan):
            if self.raise_midway and step == len(plan) // 2:
                self.fac.post((routes.anonymity(self.session_id), {"anonymity": "anonymous"}))
            text = self._text()
            self._write(person, text)
            if step in changes:
                self._change_own_card(person, changes[step])

    def _change_own_card(self, person: Person, change: str) -> None:
        own = [text for text, author in self.texts.items() if author == person.row.pk]
        card = self._card(own[-1])  # the card just written: same anonymity as now
        if card is None:
            return  # not written through yet (a fix may hold writes back); nothing to change
        key = person.keys.get(self.session_id)
        if change == "edit":
            new_text = self._text() + " (edited)"
            if self.api:
                person.call(routes.api_edit_card(self.session_id, card.pk, new_text), key=key)
            else:
                person.post(routes.edit_card(self.session_id, card.pk, new_text))
            self.replaced.append(own[-1])
            self.texts[new_text] = self.texts.pop(own[-1])
        else:
            if self.api:
                person.call(routes.api_delete_card(self.session_id, card.pk), key=key)
            else:
                person.post(routes.delete_card(self.session_id, card.pk))
            self.deleted.append(own[-1])
            del self.texts[own[-1]]

    def _group(self) -> None:
        """The facilitator puts two pairs of similar cards together (ids go in the form body)."""
        cards = list(Card.objects.filter(session_id=self.session_id).order_by("text"))
        for pair in (cards[0:2], cards[2:4]):
            self.fac.post((routes.group_cards(self.session_id),
                           {"cards": [str(c.pk) for c in pair], "title": f"Theme: {pair[0].text[:30]}"}))

    def _vote(self) -> dict:
        groups = [str(pk) for pk in Group.objects.filter(session_id=self.session_id).order_by("title")
                  .values_list("pk", flat=True)]
        weights = [self.rng.random() ** 3 for _ in groups]  # a few topics draw most votes
        plan = [person for person in self.people for _ in range(3)]
        self.rng.shuffle(plan)
        votes: dict[str, Counter] = {}
        withdrawn = False
        for person in plan:
            group = self.rng.choices(groups, weights)[0]
            self._cast(person, group)
            votes.setdefault(group, Counter())[person.row.pk] += 1
            if not withdrawn and votes[group][person.row.pk] == 1 and self.rng.random() < 0.2:
                # Changes their mind once: takes the dot back and puts it elsewhere.
                self._cast(person, group, withdraw=True)
                votes[group][person.row.pk] -= 1
                other = self.rng.choices(groups, weights)[0]
                self._cast(person, other)
                votes.setdefault(other, Counter())[person.row.pk] += 1
                withdrawn = True
        return {group: +voters for group, voters in votes.items() if +voters}

    def _cast(self, person: Person, group: str, *, withdraw: bool = False) -> None:
        if not withdraw:
            self._maybe_browse(person)
        if self.api:
            person.call(routes.api_vote(self.session_id, group, withdraw=withdraw), key=person.keys[self.session_id])
        else:
            person.post(routes.vote(self.session_id, group, withdraw=withdraw))

    def _check_tallies(self, votes: dict) -> None:
        """The votes really landed: tallies, shown from the discuss phase, match what was cast."""
        shown = self.fac.call(("GET", f"{routes.API}/{self.session_id}/groups", None)).json()["items"]
        assert {g["id"]: g["votes"] for g in shown if g["votes"]} == {
            group: sum(voters.values()) for group, voters in votes.items()}, f"{self.name}: votes went missing"

    def _card_truth(self) -> dict:
        rows = dict(Card.objects.filter(session_id=self.session_id).values_list("text", "pk"))
        assert set(rows) == set(self.texts), f"{self.name}: the cards written are not the cards stored"
        return {str(rows[text]): author for text, author in self.texts.items()}


def play_all(snapshot) -> tuple[list[Scenario], list[LogLine], Organization]:
    """The four sessions of the attack suite (a)–(d), one after another, as on a busy day."""
    log: list[LogLine] = []
    org = Organization(log)
    members = org.members
    plays = [
        Play(org, "web", seed=11, people=members[:8], snapshot=snapshot),
        Play(org, "api", seed=12, people=members[1:8], api=True, snapshot=snapshot),
        Play(org, "named-then-anonymous", seed=13, people=members[2:8], anonymity="named", raise_midway=True,
             snapshot=snapshot),
        Play(org, "facilitator-writes", seed=14, people=members[:9], facilitator_writes=True, snapshot=snapshot),
    ]
    return [play.run() for play in plays], log, org
