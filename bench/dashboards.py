"""CPU time of the insights dashboards and the metrics API on a demo organization (not a test).

    LEARNLOOP_DATA_DIR=/tmp/demo uv run python bench/dashboards.py [--repeat 5]

LEARNLOOP_DATA_DIR must hold a database with the demo organization (`learnloop migrate` then
`learnloop demo`, or `learnloop demo --scale 10` for ten times the data). Each page is fetched
once to warm up (the survey figures of a closed campaign are computed once per process and
release, and the URLconf loads), then `--repeat` times through Django's test client as a learning
lead; the median CPU time (`time.process_time`) and the number of queries are printed per page.
Wall-clock time on a shared machine says more about the other work than about Learnloop.
The last line is `key=value` pairs: the slowest page's median in milliseconds.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")

PAGES = ["/insights/organization/", "/insights/teams/{department}/", "/insights/teams/{team}/",
         "/insights/organization/funnel.csv", "/api/v1/insights/metrics", "/api/v1/insights/health/teams"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    if not os.environ.get("LEARNLOOP_DATA_DIR") and not os.environ.get("DATABASE_URL"):
        sys.exit("Set LEARNLOOP_DATA_DIR (or DATABASE_URL) to a database with the demo organization.")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from learnloop.org.models import Person, Team

    lead = Person.objects.filter(role="learning_lead", is_active=True).order_by("pk").first()
    if lead is None:
        sys.exit("No learning lead: build the demo first (`learnloop demo`).")
    department = Team.objects.filter(kind="department", archived_at=None).order_by("pk").first()
    team = Team.objects.filter(kind="team", archived_at=None).order_by("pk").first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(lead)
    slowest = 0.0
    print(f"teams={Team.objects.count()} people={Person.objects.count()}")
    for page in PAGES:
        path = page.format(department=department.slug, team=team.slug)
        assert client.get(path).status_code == 200, path
        cpu = []
        for _ in range(arguments.repeat):
            start = time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            cpu.append(time.process_time() - start)
            assert response.status_code == 200, path
        median_ms = 1000 * statistics.median(cpu)
        slowest = max(slowest, median_ms)
        print(f"{path:45} cpu_ms_median={median_ms:7.1f} queries={len(queries.captured_queries)}")
    print(f"dashboard_cpu_ms_max={slowest:.1f} repeat={arguments.repeat}")


if __name__ == "__main__":
    main()
