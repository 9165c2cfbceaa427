"""The attack suite's shared evidence: four sessions played once per test run, and everything
an attacker could take away from them."""

import dataclasses
import json
import os

import pytest
from django.test import override_settings

from tests.reflection.attacks.evidence import read_raw, take_export_and_backup
from tests.reflection.attacks.judge import RESULTS
from tests.reflection.attacks.scenarios import play_all


class Evidence:
    def __init__(self, scenarios, log, snapshots, final, taken):
        self.scenarios, self.log = scenarios, log
        self.snapshots, self.final, self.taken = snapshots, final, taken

    def sources_for(self, scenario) -> list:
        """Export and backup (after all sessions), and the raw database at the end of this
        session's reflect phase, at the end of its voting, and after all sessions."""
        own = [s for s in self.snapshots if s.name.endswith(f"@ {scenario.name}@reflect-end")
               or s.name.endswith(f"@ {scenario.name}@vote-end")]
        return [*self.taken, *own, self.final]


@pytest.fixture(scope="session")
def evidence(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built with real commits (no test transaction around it): xmin, rowids and free pages are
    what they are in production. The tests using it are transactional, so pytest-django runs them
    after the other tests and empties the database afterwards."""
    directory = tmp_path_factory.mktemp("attacks")
    snapshots = []
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        scenarios, log, _ = play_all(lambda label: snapshots.append(read_raw(label, directory)))
        final = read_raw("final", directory)
        taken = take_export_and_backup(directory)
    return Evidence(scenarios, log, snapshots, final, taken)


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    if os.environ.get("ATTACK_RESULTS"):  # every score, for reports: ATTACK_RESULTS=path.json
        with open(os.environ["ATTACK_RESULTS"], "w") as out:
            json.dump([dataclasses.asdict(r) | {"ok": r.ok} for r in RESULTS], out, indent=1)
    best = {}
    for result in RESULTS:
        key = (result.attack, result.scenario, result.kind)
        if key not in best or (result.linked, -result.limit) > (best[key].linked, -best[key].limit):
            best[key] = result
    terminalreporter.section("anonymity attacks: best link per attack, session and kind")
    for (attack, scenario, kind), result in sorted(best.items()):
        verdict = "ok" if all(r.ok for r in RESULTS if (r.attack, r.scenario, r.kind) == (attack, scenario, kind)) \
            else "LINKS"
        terminalreporter.write_line(
            f"{verdict:5} {attack:28} {scenario:22} {kind:5} {result.linked:3}/{result.total:<3} "
            f"(chance {result.chance:4.1f}, limit {result.limit:4.1f}) via {result.source} [{result.variant}]")
