"""Load benchmark: many people using one served instance at once (prints figures; it is not a test).

    uv run python bench/load.py                  # 50 users for 60 s on SQLite
    uv run python bench/load.py --quick          # 10 users for 15 s: under a minute with the setup
    uv run python bench/load.py --users 50 --duration 30
    uv run python bench/load.py --quick --scale 10   # the same against a 10x organization (1,500 people)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME uv run python bench/load.py --quick

What it does:

1. a fresh instance: a temporary data directory (and SQLite file), or on PostgreSQL the database
   DATABASE_URL names, which must not exist yet: the benchmark creates it and drops it when done
   (it never drops a database it did not create); `learnloop migrate`, then `learnloop demo`
   (the Harbourline organization; `--scale N` builds it N times larger with `learnloop demo
   --scale N`, so pages and queries that grow with the organization show up as slower figures);
2. what people need to act, made with the services (as a person would through the app): an API
   token per virtual user (demo people who belong to a team), an open survey campaign whose
   single-use links go to the users, and per team a reflection session in its reflect phase
   (cards) and one in its vote phase (groups to vote on, 50 votes each);
3. `learnloop serve` on a free loopback port, as operators run it (gunicorn, its default workers
   and threads); the browser users sign in one after the other (before the measured window);
   then N virtual users, one thread each, who pause 0.2–2 s between requests
   (`--think`) and pick each request from a realistic mix: mostly reads (knowledge entries, the
   action list, a survey report, the web pages of search and of a report, through a signed-in
   browser session), searches, and writes (knowledge entries, reflection cards, votes, action
   edits and comments, survey answers);
4. per endpoint: requests, errors, p50/p95/p99 latency; overall throughput and error count;
5. after the server stops, every write acknowledged with a 2xx is looked up in the database:
   `acked` versus `present` (a gap means a lost write).

Latency figures depend on the machine and on whatever else runs on it: compare runs made in the
same conditions. The last line holds the figures as key=value pairs.
"""

import argparse
import atexit
import contextlib
import datetime
import hashlib
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench_databases import temporary_database

ROOT = Path(__file__).resolve().parents[1]
LEARNLOOP = [sys.executable, "-m", "learnloop"]
WORDS = [
    "deploy", "rollback", "incident", "review", "onboarding", "customer", "payments", "latency", "alert",
    "runbook", "handover", "checklist", "retro", "release", "testing", "feedback", "pairing", "backlog",
    "migration", "outage", "dock", "schedule",
]
READ_ENDPOINTS = {"entry", "search", "actions", "report", "web_search", "web_report", "respond_form", "cards"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# --- inside the instance's environment (run as subprocesses with its DATA_DIR / DATABASE_URL) ---------


def _django():
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
    import django

    django.setup()


def prepare(users: int, seed: int) -> dict:
    """Tokens, an open campaign with its links, and sessions to write cards in and vote in."""
    _django()
    from datetime import timedelta

    from django.utils import timezone

    from learnloop.accounts.services import create_api_token
    from learnloop.actions import permissions as action_permissions
    from learnloop.actions.models import Action
    from learnloop.knowledge.models import Entry
    from learnloop.org.models import Membership, Person
    from learnloop.reflection import cards
    from learnloop.reflection import services as reflection
    from learnloop.reflection.models import Phase, Template
    from learnloop.surveys import services as surveys
    from learnloop.surveys.models import Campaign, Instrument, Invitation
    from learnloop.surveys.tokens import token_for

    rng = random.Random(seed)
    from learnloop.org.models import OrgRole

    admin = Person.objects.filter(role=OrgRole.ADMIN, is_active=True).order_by("pk").first()
    members = list(
        Person.objects.filter(is_active=True, memberships__isnull=False).exclude(role=OrgRole.ADMIN)
        .distinct().order_by("pk")
    )
    rng.shuffle(members)
    people = members[:users]
    if len(people) < users:
        raise SystemExit(f"the demo has only {len(people)} people in teams; ask for fewer users")

    # A survey open today, for everyone: its links are what the invitation emails would carry.
    today = timezone.localdate()
    instrument = Instrument.objects.order_by("pk").first()
    campaign = surveys.create_campaign(
        by=admin, name="Load benchmark pulse", instrument=instrument, opens_on=today,
        closes_on=today + timedelta(days=14),
    )
    surveys.launch_campaign(by=admin, campaign=campaign, notify=False)
    invitations = {i.person_id: i for i in Invitation.objects.filter(campaign=campaign)}
    closed = Campaign.objects.filter(status="closed").order_by("-closes_on").first()

    # Per team of the chosen people: a session to write cards in, one to vote in.
    template = Template.objects.filter(team__isnull=True, kind="retro").order_by("pk").first()
    column = template.columns[0]["key"]
    sessions = {}
    for team_id in sorted({m.team_id for m in Membership.objects.filter(person__in=people)}):
        membership = Membership.objects.filter(team_id=team_id).order_by("pk").first()
        host = membership.person
        writing = reflection.create_session(by=host, team=membership.team, template=template, title="Load: writing")
        writing = reflection.set_phase(by=host, session=writing, phase=Phase.REFLECT)
        voting = reflection.create_session(by=host, team=membership.team, template=template, title="Load: voting")
        voting = reflection.set_phase(by=host, session=voting, phase=Phase.REFLECT)
        reflection.join_session(by=host, session=voting)
        written = [cards.write_card(by=host, session=voting, column=column, text=f"Topic {n}", writer_key=None)
                   for n in range(4)]
        voting = reflection.set_phase(by=host, session=voting, phase=Phase.GROUP)
        groups = [str(cards.group_cards(by=host, session=voting, cards=[card], title=f"Theme {n}").pk)
                  for n, card in enumerate(written)]
        voting = reflection.set_vote_budget(by=host, session=voting, budget=50)
        voting = reflection.set_phase(by=host, session=voting, phase=Phase.VOTE)
        sessions[team_id] = {"writing": writing.pk, "voting": voting.pk, "groups": groups, "column": column}

    out = []
    for person in people:
        team_id = Membership.objects.filter(person=person).order_by("pk").values_list("team_id", flat=True).first()
        changeable = [a.pk for a in Action.objects.filter(team_id=team_id).order_by("pk")[:20]
                      if action_permissions.can_change(person, a)]
        visible = list(Action.objects.filter(action_permissions.visible_q(person)).order_by("pk")
                       .values_list("pk", flat=True)[:50])
        _, token = create_api_token(person=person, name="load benchmark")
        invitation = invitations.get(person.pk)
        out.append({
            "email": person.email, "token": token, "team": team_id, **sessions[team_id],
            "actions_changeable": changeable, "actions_visible": visible,
            "survey_token": token_for(invitation) if invitation else None,
            "invitation": invitation.pk if invitation else None,
        })
    entries = list(Entry.objects.filter(visibility="everyone").order_by("pk").values_list("pk", flat=True))
    return {"users": out, "entries": entries, "report_campaign": closed.pk, "open_campaign": campaign.pk}


def verify(acked: dict) -> dict:
    """How many of the acknowledged writes of each kind are in the database."""
    _django()
    from learnloop.actions.models import Action, ActionComment
    from learnloop.knowledge.models import Entry
    from learnloop.reflection.models import Card, VoteMark
    from learnloop.surveys.models import Invitation

    present = {
        "entry_create": Entry.objects.filter(pk__in=acked["entry_create"]).count(),
        "card_write": Card.objects.filter(pk__in=acked["card_write"]).count(),
        "action_comment": ActionComment.objects.filter(pk__in=acked["action_comment"]).count(),
        "survey_answer": Invitation.objects.filter(pk__in=acked["survey_answer"], responded=True).count(),
    }
    # Votes carry no id: every acknowledged vote must be a mark on its group.
    votes = defaultdict(int)
    for group in acked["vote"]:
        votes[group] += 1
    present["vote"] = sum(min(n, VoteMark.objects.filter(group_id=g).count()) for g, n in votes.items())
    # An edit is present when the action holds the last title acknowledged for it.
    titles = dict(Action.objects.filter(pk__in=[int(k) for k in acked["action_edit"]]).values_list("pk", "title"))
    present["action_edit"] = sum(1 for pk, title in acked["action_edit"].items() if titles.get(int(pk)) == title)
    return present


# --- the virtual users -------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = {}
        self.acked = {"entry_create": [], "card_write": [], "action_comment": [], "survey_answer": [], "vote": [],
                      "action_edit": {}}

    def record(self, endpoint: str, seconds: float, response, redirect_ok: bool = False) -> bool:
        ok = response is not None and (200 <= response.status_code < 300 or (redirect_ok and response.is_redirect))
        with self.lock:
            self.times[endpoint].append(seconds)
            if not ok:
                self.errors[endpoint] += 1
                detail = "no answer" if response is None else f"{response.status_code} {response.text[:200]}"
                self.samples.setdefault(endpoint, detail)
        return ok


class VirtualUser(threading.Thread):
    def __init__(self, base: str, user: dict, world: dict, recorder: Recorder, *, stop_at: float, think: float,
                 web: bool, seed: int):
        super().__init__(daemon=True)
        import requests

        self.base, self.user, self.world, self.recorder = base, user, world, recorder
        self.stop_at, self.think, self.web = stop_at, think, web
        self.rng = random.Random(seed)
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {user['token']}"
        self.browser = requests.Session() if web else None
        self.ready = threading.Event()  # set when every browser user has signed in
        self.writer_keys = {}
        self.votes_left = 50
        self.edits = 0

    # One request, timed and recorded; returns the response when it succeeded.
    def acknowledge(self, endpoint, what):
        """A write the server answered with a 2xx: it must be in the database after the run."""
        with self.recorder.lock:
            self.recorder.acked[endpoint].append(what)

    def call(self, endpoint, method, path, session=None, redirect_ok=False, **kwargs):
        session = session or self.api
        started = time.perf_counter()
        try:
            response = session.request(method, self.base + path, timeout=60, **kwargs)
        except Exception as error:
            response = None
            with self.recorder.lock:
                self.recorder.samples.setdefault(endpoint + " (exception)", repr(error)[:300])
        ok = self.recorder.record(endpoint, time.perf_counter() - started, response, redirect_ok)
        return response if ok else None

    def sign_in(self):
        page = self.browser.get(self.base + "/accounts/login/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.call("web_sign_in", "POST", "/accounts/login/", session=self.browser, allow_redirects=False,
                  redirect_ok=True,
                  data={"username": self.user["email"], "password": "learnloop-demo", "csrfmiddlewaretoken": token},
                  headers={"Referer": self.base + "/accounts/login/"})

    def writer_key(self, session_id: int):
        if session_id not in self.writer_keys:
            response = self.call("join", "POST", f"/api/v1/reflection/sessions/{session_id}/join")
            if response is None:
                return None
            self.writer_keys[session_id] = response.json()["writer_key"]
        return self.writer_keys[session_id]

    # --- what people do ---
    def read_entry(self):
        self.call("entry", "GET", f"/api/v1/knowledge/entries/{self.rng.choice(self.world['entries'])}")

    def search(self):
        query = " ".join(self.rng.sample(WORDS, self.rng.randint(1, 3)))
        self.call("search", "GET", "/api/v1/knowledge/entries", params={"q": query})

    def list_actions(self):
        self.call("actions", "GET", "/api/v1/actions")

    def report(self):
        self.call("report", "GET", f"/api/v1/surveys/campaigns/{self.world['report_campaign']}/report")

    def read_cards(self):
        session = self.user["writing"]
        key = self.writer_key(session)
        self.call("cards", "GET", f"/api/v1/reflection/sessions/{session}/cards", headers={"X-Writer-Key": key or ""})

    def create_entry(self):
        words = self.rng.sample(WORDS, 5)
        response = self.call("entry_create", "POST", "/api/v1/knowledge/entries", json={
            "kind": "lesson", "title": f"{' '.join(words).capitalize()} {self.rng.randrange(10**6)}",
            "body": f"What we learned about {words[0]} and {words[1]}: " + " ".join(self.rng.choices(WORDS, k=40)),
            "tags": [words[2]],
        })
        if response is not None:
            self.acknowledge("entry_create", response.json()["id"])

    def write_card(self):
        session = self.user["writing"]
        key = self.writer_key(session)
        if key is None:
            return
        response = self.call("card_write", "POST", f"/api/v1/reflection/sessions/{session}/cards",
                             headers={"X-Writer-Key": key},
                             json={"column": self.user["column"], "text": " ".join(self.rng.sample(WORDS, 6))})
        if response is not None:
            self.acknowledge("card_write", response.json()["id"])

    def vote(self):
        session = self.user["voting"]
        key = self.writer_key(session)
        if key is None or self.votes_left <= 0:
            return self.read_cards()
        group = self.rng.choice(self.user["groups"])
        response = self.call("vote", "POST", f"/api/v1/reflection/sessions/{session}/votes",
                             headers={"X-Writer-Key": key}, json={"group_id": group})
        if response is not None:
            self.votes_left = response.json()["votes_left"]
            self.acknowledge("vote", group)

    def edit_action(self):
        if not self.user["actions_changeable"]:
            return self.comment_action()
        action = self.rng.choice(self.user["actions_changeable"])
        self.edits += 1
        title = f"Load edit by {self.user['email'].split('@')[0]} #{self.edits}"
        # Another user may edit the same action at once; the title acknowledged last must be there.
        with self.recorder.lock:
            started = time.perf_counter()
        response = self.call("action_edit", "PATCH", f"/api/v1/actions/{action}", json={"title": title})
        if response is not None:
            with self.recorder.lock:
                previous = self.recorder.acked["action_edit"].get(action)
                if previous is None or previous[1] <= started:
                    self.recorder.acked["action_edit"][action] = (title, started)

    def comment_action(self):
        if not self.user["actions_visible"]:
            return self.list_actions()
        action = self.rng.choice(self.user["actions_visible"])
        response = self.call("action_comment", "POST", f"/api/v1/actions/{action}/comments",
                             json={"body": "Checked this with the team: " + " ".join(self.rng.sample(WORDS, 5))})
        if response is not None:
            self.acknowledge("action_comment", response.json()["id"])

    def answer_survey(self):
        token = self.user.get("survey_token")
        if not token:
            return self.report()
        form = self.call("respond_form", "GET", f"/api/v1/surveys/respond/{token}")
        if form is None:
            return
        questions = form.json()
        answers = {item["key"]: self.rng.randint(questions["scale_min"], questions["scale_max"])
                   for item in questions["items"] if item["kind"] == "likert"}
        answers.update({item["key"]: self.rng.randint(0, 10) for item in questions["items"]
                        if item["kind"] not in {"likert", "comment"}})
        response = self.call("survey_answer", "POST", f"/api/v1/surveys/respond/{token}", json={"answers": answers})
        self.user["survey_token"] = None  # single use, answered or not
        if response is not None:
            self.acknowledge("survey_answer", self.user["invitation"])

    def web_search(self):
        self.call("web_search", "GET", "/knowledge/", session=self.browser,
                  params={"q": self.rng.choice(WORDS)})

    def web_report(self):
        self.call("web_report", "GET", f"/surveys/campaigns/{self.world['report_campaign']}/report/",
                  session=self.browser)

    def mix(self) -> list:
        """(what the user does, weight): each request is drawn from these (request_cpu.py too)."""
        mix = [(self.read_entry, 20), (self.search, 20), (self.list_actions, 8), (self.report, 6),
               (self.read_cards, 6), (self.create_entry, 6), (self.write_card, 10), (self.vote, 8),
               (self.edit_action, 5), (self.comment_action, 5), (self.answer_survey, 4)]
        if self.web:
            mix += [(self.web_search, 8), (self.web_report, 4)]
        return mix

    def run(self):
        self.ready.wait()
        actions, weights = zip(*self.mix(), strict=True)
        time.sleep(self.rng.uniform(0, self.think))  # people don't all arrive in the same millisecond
        while time.perf_counter() < self.stop_at:
            self.rng.choices(actions, weights)[0]()
            time.sleep(self.rng.uniform(0.2, self.think))


# --- the instance --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_snapshot_dir(scale: int = 1) -> Path:
    """Where a freshly migrated demo instance is kept for the next run, named after everything
    that shapes it: the source (models, migrations, demo builders) and today's date (the demo's
    dates are relative to today). Each run still gets its own copy."""
    digest = hashlib.sha256(f"{datetime.date.today()} scale {scale}".encode())
    for path in sorted((ROOT / "src" / "learnloop").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".json", ".md", ".csv"}:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return ROOT / ".cache" / "bench-load" / digest.hexdigest()[:16]


def run_step(env, *args) -> dict | None:
    """A step in the instance's environment; steps of this file print their JSON result last."""
    started = time.perf_counter()
    result = subprocess.run([*args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(args[-3:])}")
    print(f"  {' '.join(a for a in args[1:] if not a.startswith('/'))[:60]}: {time.perf_counter() - started:.1f}s")
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None


def wait_until_up(base: str, server) -> None:
    import requests

    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            if requests.get(base + "/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10 users for 15 s")
    parser.add_argument("--users", type=int, help="virtual users (default 50, --quick 10)")
    parser.add_argument("--duration", type=float, help="seconds of load (default 60, --quick 15)")
    parser.add_argument("--think", type=float, default=2.0, help="longest pause between requests, s (default 2)")
    parser.add_argument("--web-share", type=float, default=0.2, help="share of users with a browser session")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=int, default=1, metavar="N",
                        help="an organization N times the demo's size (learnloop demo --scale N; default 1)")
    parser.add_argument("--serve-args", default="", help="extra options for learnloop serve, e.g. '--workers 4'")
    parser.add_argument("--no-cache", action="store_true",
                        help="build the demo even if a copy made from the same source today is cached")
    parser.add_argument("--keep", action="store_true", help="keep the data directory (its path is printed)")
    parser.add_argument("--internal-prepare", nargs=2, metavar=("USERS", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--internal-verify", metavar="FILE", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.internal_prepare:
        print(json.dumps(prepare(int(options.internal_prepare[0]), int(options.internal_prepare[1]))))
        return
    if options.internal_verify:
        print(json.dumps(verify(json.loads(Path(options.internal_verify).read_text()))))
        return

    users = options.users or (10 if options.quick else 50)
    duration = options.duration or (15.0 if options.quick else 60.0)
    data_dir = Path(tempfile.mkdtemp(prefix="learnloop-load-"))
    env = {**os.environ, "LEARNLOOP_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "src")}
    env.pop("DEBUG", None)
    database = os.environ.get("DATABASE_URL", "")
    engine = "postgresql" if database.startswith("postgres") else "sqlite"
    if engine == "postgresql":
        # Created here, dropped when the benchmark exits (also on an error): never someone else's.
        created = contextlib.ExitStack()
        created.enter_context(temporary_database(database))
        atexit.register(created.close)
    print(f"instance in {data_dir} on {engine}")
    snapshot = None if engine == "postgresql" or options.no_cache else demo_snapshot_dir(options.scale)
    if snapshot is not None and (snapshot / "done").exists():
        shutil.copytree(snapshot, data_dir, dirs_exist_ok=True)
        (data_dir / "done").unlink()
        print(f"  migrated demo copied from {snapshot}")
    else:
        run_step(env, *LEARNLOOP, "migrate", "-v", "0")
        run_step(env, *LEARNLOOP, "demo", "--scale", str(options.scale))
        if snapshot is not None:
            if snapshot.parent.exists():
                for stale in snapshot.parent.iterdir():  # older source or another day
                    shutil.rmtree(stale, ignore_errors=True)
            shutil.copytree(data_dir, snapshot)
            (snapshot / "done").touch()
    world = run_step(env, sys.executable, __file__, "--internal-prepare", str(users), str(options.seed))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [*LEARNLOOP, "serve", "--port", str(port), *options.serve_args.split()], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    recorder = Recorder()
    try:
        wait_until_up(base, server)
        rng = random.Random(options.seed)
        web_users = max(1, round(users * options.web_share)) if options.web_share > 0 else 0
        threads = [VirtualUser(base, user, world, recorder, stop_at=0, think=options.think,
                               web=number < web_users, seed=rng.randrange(2**32))
                   for number, user in enumerate(world["users"])]
        # Browser users sign in before the measured window (one after the other, as people
        # arrive): ten argon2 checks at once would only measure a burst nobody makes.
        for thread in threads:
            if thread.web:
                thread.sign_in()
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        for thread in threads:
            thread.stop_at = started + duration
            thread.ready.set()
        for thread in threads:
            thread.join(timeout=duration + 120)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        try:
            _, server_errors = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, server_errors = server.communicate()

    acked = {**recorder.acked, "action_edit": {str(k): v[0] for k, v in recorder.acked["action_edit"].items()}}
    acked_file = data_dir / "acked.json"
    acked_file.write_text(json.dumps(acked))
    present = run_step(env, sys.executable, __file__, "--internal-verify", str(acked_file))

    total = sum(len(v) for e, v in recorder.times.items() if e != "web_sign_in")  # in the measured window
    errors = sum(recorder.errors.values())
    print(f"\n{users} users for {duration:.0f} s on {engine}: {total} requests, {total / elapsed:.1f}/s, "
          f"{errors} errors")
    print(f"{'endpoint':16} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    figures = {"scale": options.scale, "users": users, "duration_s": round(duration), "database": engine,
               "requests": total,
               "throughput_rps": round(total / elapsed, 1), "errors": errors}
    for endpoint in sorted(recorder.times):
        times = recorder.times[endpoint]
        p50, p95, p99 = (percentile(times, q) * 1000 for q in (0.5, 0.95, 0.99))
        print(f"{endpoint:16} {len(times):8} {recorder.errors[endpoint]:6} {p50:8.0f} {p95:8.0f} {p99:8.0f}")
        figures[f"{endpoint}_p50_ms"] = round(p50)
        figures[f"{endpoint}_p95_ms"] = round(p95)
        figures[f"{endpoint}_p99_ms"] = round(p99)
    for endpoint, sample in recorder.samples.items():
        print(f"  first error on {endpoint}: {sample}")
    reads = [t for e, ts in recorder.times.items() if e in READ_ENDPOINTS for t in ts]
    writes = [t for e, ts in recorder.times.items() if e not in READ_ENDPOINTS | {"web_sign_in"} for t in ts]
    figures["read_p95_ms"] = round(percentile(reads, 0.95) * 1000)
    figures["write_p95_ms"] = round(percentile(writes, 0.95) * 1000)
    figures["median_ms"] = round(statistics.median(reads + writes) * 1000) if reads or writes else 0
    lost = 0
    print("\nwrites acknowledged (2xx) and present in the database afterwards:")
    for kind, ids in acked.items():
        print(f"  {kind:16} acked {len(ids):6}  present {present[kind]:6}")
        figures[f"{kind}_acked"] = len(ids)
        figures[f"{kind}_present"] = present[kind]
        lost += len(ids) - present[kind]
    figures["lost_writes"] = lost
    tracebacks = server_errors.count("Traceback")
    figures["server_tracebacks"] = tracebacks
    if tracebacks:
        print("\nthe server logged errors; the last one:\n" + server_errors[server_errors.rfind("Traceback"):][:3000])
    if options.keep:
        print(f"kept {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
