"""Closing a large survey campaign through the web while other people keep writing (prints figures;
it is not a test).

    uv run python bench/survey_close.py                 # 10,000 respondents on SQLite
    uv run python bench/survey_close.py --quick         # 1,000 respondents: under a minute
    uv run python bench/survey_close.py --respondents 50000 --writers 20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NEW_NAME uv run python bench/survey_close.py --quick

What it does:

1. a fresh instance: a temporary data directory (and SQLite file), or the PostgreSQL database
   DATABASE_URL names, which the run creates (it refuses a name that exists) and drops when it
   ends (bench/bench_databases.py); `learnloop migrate`, `learnloop demo --only org`;
2. an organization of the size asked for (departments of ten teams of 25 people, made in bulk),
   one open campaign for everyone, launched with the services (so its attributes are generalized
   as in production), and answers from 80% of the invitees, stored as `submit_response` stores
   them (in bulk, without its per-answer shuffle, which is not what is measured here);
3. `learnloop serve --with-worker` on a free loopback port; writer threads (demo people with API
   tokens) create knowledge entries without pause; after a few seconds of that, a learning lead
   signed in through the web presses "Close campaign" (the form POST);
4. it polls the campaign (API) until the worker has published the release, keeps the writers
   going two more seconds, and reports: the close request's latency, how long until the results
   were published, and the writers' requests, errors and latencies before/while/after closing.

Wall-clock figures depend on the machine and whatever else runs on it. The last line holds the
figures as key=value pairs.
"""

import argparse
import atexit
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_databases import temporary_database
from load import LEARNLOOP, ROOT, free_port, percentile, run_step, wait_until_up

RESPONSE_RATE = 0.8
TEAM_SIZE = 25
TEAMS_PER_DEPARTMENT = 10
PASSWORD = "learnloop-demo"  # noqa: S105 (the demo organization's published password)


# --- inside the instance's environment ---------------------------------------------------------------


def prepare(respondents: int, writers: int, seed: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from learnloop.accounts.services import create_api_token
    from learnloop.org.models import Membership, OrgRole, Person, Team
    from learnloop.surveys import attributes, services
    from learnloop.surveys.models import Instrument, Invitation, ItemKind, Response

    rng = random.Random(seed)
    admin = Person.objects.filter(role=OrgRole.ADMIN, is_active=True).order_by("pk").first()
    invitees = round(respondents / RESPONSE_RATE)
    existing = Person.objects.filter(is_active=True).count()
    missing = max(0, invitees - existing)
    password = make_password(PASSWORD)
    started = time.perf_counter()
    with transaction.atomic():
        teams_needed = -(-missing // TEAM_SIZE)
        departments = [Team.objects.create(name=f"Division {n}", slug=f"division-{n}", kind="department")
                       for n in range(-(-teams_needed // TEAMS_PER_DEPARTMENT))]
        teams = Team.objects.bulk_create([
            Team(name=f"Crew {n}", slug=f"crew-{n}", kind="team", parent=departments[n // TEAMS_PER_DEPARTMENT])
            for n in range(teams_needed)
        ])
        joined = timezone.now() - timedelta(days=30)
        people = Person.objects.bulk_create([
            Person(email=f"bench{n}@example.org", full_name=f"Bench Person {n}", role=OrgRole.MEMBER,
                   password=password, date_joined=joined - timedelta(days=rng.randrange(2500)))
            for n in range(missing)
        ], batch_size=2000)
        Membership.objects.bulk_create([
            Membership(person=person, team=teams[n // TEAM_SIZE],
                       role="facilitator" if n % TEAM_SIZE == 0 else "member")
            for n, person in enumerate(people)
        ], batch_size=2000)
    print(f"  {missing} people in {len(teams)} teams: {time.perf_counter() - started:.1f}s", file=sys.stderr)

    services.install_built_in_instruments()
    instrument = Instrument.objects.get(slug="learning-organization")
    today = timezone.localdate()
    campaign = services.create_campaign(by=admin, name="Benchmark diagnostic", instrument=instrument,
                                        opens_on=today, closes_on=today + timedelta(days=14))
    started = time.perf_counter()
    services.launch_campaign(by=admin, campaign=campaign, notify=False)
    campaign.refresh_from_db()
    launch_seconds = time.perf_counter() - started
    items = list(instrument.items.exclude(kind=ItemKind.COMMENT))
    invitations = list(Invitation.objects.filter(campaign=campaign).order_by("pk"))
    answering = rng.sample(invitations, min(respondents, len(invitations)))
    responses = []
    for invitation in answering:
        team_key, tenure, role = attributes.stored_record(
            campaign.generalization, str(invitation.team_id) if invitation.team_id else "",
            invitation.tenure, invitation.role)
        level = rng.randint(2, 4)
        responses.append(Response(campaign=campaign, team_key=team_key, tenure=tenure, role=role, answers={
            item.key: rng.randint(0, 10) if item.kind == ItemKind.OUTCOME
            else max(1, min(5, level + rng.choice((-1, 0, 1)))) for item in items}))
        invitation.responded, invitation.token_hash = True, None
    with transaction.atomic():
        Response.objects.bulk_create(responses, batch_size=2000)
        Invitation.objects.bulk_update(answering, ["responded", "token_hash"], batch_size=2000)

    writer_people = list(Person.objects.filter(is_active=True, memberships__isnull=False)
                         .exclude(pk=admin.pk).distinct().order_by("pk")[:writers])
    tokens = [create_api_token(person=person, name="close benchmark")[1] for person in writer_people]
    return {"campaign": campaign.pk, "admin": admin.email, "tokens": tokens, "invited": len(invitations),
            "respondents": len(responses), "launch_s": round(launch_seconds, 1)}


# --- the run -------------------------------------------------------------------------------------------


class Writer(threading.Thread):
    """Creates knowledge entries one after another and records each request's time and outcome."""

    def __init__(self, base: str, token: str, seed: int):
        super().__init__(daemon=True)
        import requests

        self.base, self.rng = base, random.Random(seed)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.samples: list[tuple[float, float, bool]] = []  # (started, seconds, ok)
        self.first_error = ""
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                response = self.session.post(self.base + "/api/v1/knowledge/entries", timeout=120, json={
                    "kind": "lesson", "title": f"Close benchmark note {self.rng.randrange(10**9)}",
                    "body": "What we learned while the survey closed. " * 5, "tags": ["benchmark"],
                })
                ok = response.status_code == 201
                if not ok and not self.first_error:
                    self.first_error = f"{response.status_code}: {response.text[:200]}"
            except Exception as error:  # a refused or dropped connection is an error like a 5xx
                ok = False
                self.first_error = self.first_error or repr(error)[:200]
            self.samples.append((started, time.perf_counter() - started, ok))


def sign_in(session, base: str, email: str) -> None:
    page = session.get(base + "/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(base + "/accounts/login/", allow_redirects=False, timeout=60,
                          data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
                          headers={"Referer": base + "/accounts/login/"})
    if answer.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {answer.status_code}")


def summarize(samples, label: str, figures: dict) -> None:
    times = [seconds for _, seconds, _ in samples]
    errors = sum(1 for *_, ok in samples if not ok)
    p50, p95, worst = (percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000, max(times, default=0) * 1000)
    print(f"  {label:8} {len(samples):7} {errors:6} {p50:8.0f} {p95:8.0f} {worst:8.0f}")
    figures.update({f"writes_{label}": len(samples), f"write_errors_{label}": errors,
                    f"write_p50_ms_{label}": round(p50), f"write_p95_ms_{label}": round(p95),
                    f"write_max_ms_{label}": round(worst)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 respondents, 4 writers")
    parser.add_argument("--respondents", type=int, help="answers in the campaign (default 10,000; --quick 1,000)")
    parser.add_argument("--writers", type=int, help="writer threads (default 8; --quick 4)")
    parser.add_argument("--before", type=float, default=3.0, help="seconds of writing before the close (default 3)")
    parser.add_argument("--max-wait", type=float, default=900.0, help="give up on the decision after this many s")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the data directory (its path is printed)")
    parser.add_argument("--internal-prepare", nargs=3, metavar=("N", "WRITERS", "SEED"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.internal_prepare:
        print(json.dumps(prepare(*(int(value) for value in options.internal_prepare))))
        return
    import requests

    respondents = options.respondents or (1000 if options.quick else 10_000)
    writers = options.writers or (4 if options.quick else 8)
    data_dir = Path(tempfile.mkdtemp(prefix="learnloop-close-"))
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
    run_step(env, *LEARNLOOP, "migrate", "-v", "0")
    run_step(env, *LEARNLOOP, "demo", "--only", "org")
    world = run_step(env, sys.executable, __file__, "--internal-prepare", str(respondents), str(writers),
                     str(options.seed))
    print(f"  campaign: {world['respondents']} of {world['invited']} answered; launch took {world['launch_s']} s")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [*LEARNLOOP, "serve", "--with-worker", "--port", str(port)], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    campaign = world["campaign"]
    threads = []
    try:
        wait_until_up(base, server)
        browser = requests.Session()
        sign_in(browser, base, world["admin"])
        page = browser.get(f"{base}/surveys/campaigns/{campaign}/", timeout=60)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        api = requests.Session()
        api.cookies.update(browser.cookies)
        threads = [Writer(base, token, seed) for seed, token in enumerate(world["tokens"])]
        for thread in threads:
            thread.start()
        time.sleep(options.before)
        close_started = time.perf_counter()
        answer = browser.post(f"{base}/surveys/campaigns/{campaign}/close/", data={"csrfmiddlewaretoken": csrf},
                              headers={"Referer": f"{base}/surveys/campaigns/{campaign}/"}, allow_redirects=False,
                              timeout=300)
        close_seconds = time.perf_counter() - close_started
        if answer.status_code != 302:
            raise SystemExit(f"the close answered {answer.status_code}: {answer.text[:300]}")
        status, steps = "", []
        while time.perf_counter() - close_started < options.max_wait:
            state = api.get(f"{base}/api/v1/surveys/campaigns/{campaign}", timeout=120).json()
            status = state["status"]
            step = (state.get("closing") or {}).get("step")
            if step and (not steps or steps[-1] != step):
                steps.append(step)
            if status == "closed":
                break
            time.sleep(0.5)
        published_seconds = time.perf_counter() - close_started
        time.sleep(2)
    finally:
        for thread in threads:
            thread.stop.set()
        for thread in threads:
            thread.join(timeout=130)
        server.terminate()
        try:
            _, server_errors = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            _, server_errors = server.communicate()
        if not options.keep:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)

    published = status == "closed"
    print(f"\nclosed a campaign of {world['respondents']} respondents through the web on {engine}")
    print(f"  close request: {close_seconds * 1000:.0f} ms (answers stopped; decision queued)")
    print(f"  steps seen while polling: {' -> '.join(steps) or '-'}")
    print(f"  results published after {published_seconds:.1f} s" if published
          else f"  NOT published after {published_seconds:.0f} s (status {status})")
    samples = [sample for thread in threads for sample in thread.samples]
    closing_until = close_started + published_seconds
    print(f"\n{writers} writers (knowledge entries through the API):")
    print(f"  {'window':8} {'writes':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    figures = {"respondents": world["respondents"], "database": engine, "writers": writers,
               "close_ms": round(close_seconds * 1000), "published": int(published),
               "publish_s": round(published_seconds, 1), "launch_s": world["launch_s"]}
    summarize([s for s in samples if s[0] < close_started], "before", figures)
    summarize([s for s in samples if close_started <= s[0] < closing_until], "closing", figures)
    summarize([s for s in samples if s[0] >= closing_until], "after", figures)
    for thread in threads:
        if thread.first_error:
            print(f"  first error: {thread.first_error}")
            break
    figures["server_tracebacks"] = server_errors.count("Traceback")
    if figures["server_tracebacks"]:
        first = server_errors[server_errors.index("Traceback"):].splitlines()
        ends = next((n for n, line in enumerate(first) if line and not line.startswith((" ", "Traceback"))), 0)
        print("  first server error:", first[ends][:300])
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
