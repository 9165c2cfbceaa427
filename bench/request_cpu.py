"""CPU time per request of the load benchmark's mix (prints figures; it is not a test).

    uv run python bench/request_cpu.py               # 800 requests after 200 to warm up, SQLite
    uv run python bench/request_cpu.py --requests 300 --profile entry   # and a cProfile of one endpoint

bench/load.py measures latency, which on a machine shared with other work says more about that
work than about Learnloop. This replays the same virtual users and the same weighted mix (their
code is load.py's), one request at a time, through Django's test client inside this process,
and reports per endpoint the CPU time of each request (`time.process_time`: every thread of the
process, the search index's included) and its number of queries. The instance is load.py's: the
demo organization (cached in `.cache/bench-load/` like load.py's), with what `load.py` prepares
for 50 users. Requests don't pass through gunicorn, so its own small share is not counted.
Compare runs of different commits made one after the other; the figures still move by about
10 % with whatever else runs on the machine.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import load

BASE = "http://127.0.0.1"


def instance(data_dir: Path, users: int, seed: int) -> dict:
    """load.py's instance in `data_dir`: the cached demo (or a new one), prepared for `users`."""
    env = {**os.environ, "LEARNLOOP_DATA_DIR": str(data_dir), "PYTHONPATH": str(load.ROOT / "src")}
    env.pop("DEBUG", None)
    snapshot = load.demo_snapshot_dir()
    if (snapshot / "done").exists():
        shutil.copytree(snapshot, data_dir, dirs_exist_ok=True)
        (data_dir / "done").unlink()
    else:
        load.run_step(env, *load.LEARNLOOP, "migrate", "-v", "0")
        load.run_step(env, *load.LEARNLOOP, "demo")
    return load.run_step(env, sys.executable, load.__file__, "--internal-prepare", str(users), str(seed))


class Answer:
    """What load.py's users read from a `requests` response."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.content = response.content
        self.is_redirect = response.status_code in {301, 302, 303, 307, 308}

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")

    def json(self):
        return json.loads(self.content)


class TestClientSession:
    """The part of `requests.Session` load.py's users call, answered by Django's test client."""

    def __init__(self, handler):
        from django.test import Client

        self.client = Client(SERVER_NAME="127.0.0.1", raise_request_exception=False)
        self.client.handler = handler  # one handler (and middleware chain) for every user, as in a server
        self.headers = {}

    def request(self, method, url, timeout=None, json=None, params=None, data=None, headers=None,
                allow_redirects=True):
        import json as json_module

        path, send = url[len(BASE):], getattr(self.client, method.lower())
        headers = {**self.headers, **(headers or {})}
        if json is not None:
            return Answer(send(path, json_module.dumps(json), content_type="application/json", headers=headers))
        return Answer(send(path, params if method == "GET" else data or {}, headers=headers))

    def get(self, url, timeout=None):
        return self.request("GET", url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=800,
                        help="user actions measured (default 800; joining a session or opening a survey first "
                             "is a request of its own)")
    parser.add_argument("--warm-up", type=int, default=200, help="user actions made first, not measured (default 200)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", metavar="ENDPOINT",
                        help="write a cProfile of this endpoint's requests (its CPU figure then includes the profiler)")
    options = parser.parse_args()
    if os.environ.get("DATABASE_URL"):
        raise SystemExit("request_cpu.py measures SQLite instances only: unset DATABASE_URL")

    data_dir = Path(tempfile.mkdtemp(prefix="learnloop-cpu-"))
    try:
        world = instance(data_dir, options.users, 7)
        os.environ["LEARNLOOP_DATA_DIR"] = str(data_dir)
        os.environ.pop("DEBUG", None)
        load._django()
        measure(world, options)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(world: dict, options) -> None:
    import cProfile

    from django.db import connection
    from django.test.client import ClientHandler

    from learnloop.ops.warm import warm_up

    warm_up()  # as `learnloop serve` does before forking
    handler = ClientHandler(enforce_csrf_checks=False)
    cpu, queries, errors = defaultdict(list), defaultdict(list), defaultdict(int)
    measuring = False
    profile = cProfile.Profile() if options.profile else None

    class User(load.VirtualUser):
        def call(self, endpoint, method, path, session=None, redirect_ok=False, **kwargs):
            count = [0]

            def counted(execute, sql, params, many, context):
                count[0] += 1
                return execute(sql, params, many, context)

            profiled = profile is not None and measuring and endpoint == options.profile
            if profiled:
                profile.enable()
            started = time.process_time()
            with connection.execute_wrapper(counted):
                response = (session or self.api).request(method, self.base + path, **kwargs)
            spent = time.process_time() - started
            if profiled:
                profile.disable()
            ok = 200 <= response.status_code < 300 or (redirect_ok and response.is_redirect)
            if measuring:
                cpu[endpoint].append(spent * 1000)
                queries[endpoint].append(count[0])
                errors[endpoint] += not ok
            return response if ok else None

    rng = random.Random(options.seed)
    users = []
    for number, user in enumerate(world["users"]):
        virtual = User(BASE, user, world, load.Recorder(), stop_at=0, think=2.0, web=number < options.users // 5,
                       seed=rng.randrange(2**32))
        virtual.api = TestClientSession(handler)
        virtual.api.headers["Authorization"] = f"Bearer {user['token']}"
        if virtual.web:
            virtual.browser = TestClientSession(handler)
            virtual.sign_in()
        users.append(virtual)
    for step in range(options.warm_up + options.requests):
        measuring = step >= options.warm_up
        user = rng.choice(users)
        actions, weights = zip(*user.mix(), strict=True)
        user.rng.choices(actions, weights)[0]()

    print(f"{'endpoint':16} {'requests':>8} {'errors':>6} {'cpu ms':>7} {'p50':>6} {'p90':>6} {'queries':>7}")
    figures = {}
    for endpoint in sorted(cpu):
        times = cpu[endpoint]
        mean = sum(times) / len(times)
        print(f"{endpoint:16} {len(times):8} {errors[endpoint]:6} {mean:7.1f} {load.percentile(times, 0.5):6.1f} "
              f"{load.percentile(times, 0.9):6.1f} {sum(queries[endpoint]) / len(times):7.1f}")
        figures[f"{endpoint}_cpu_ms"] = round(mean, 1)
    every = [t for times in cpu.values() for t in times]
    figures["requests"] = len(every)
    figures["errors"] = sum(errors.values())
    figures["mean_cpu_ms"] = round(sum(every) / max(len(every), 1), 1)
    if profile is not None:
        path = Path(tempfile.gettempdir()) / f"request-cpu-{options.profile}.prof"
        profile.dump_stats(path)
        print(f"profile of {options.profile}: {path} (python -m pstats)")
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
