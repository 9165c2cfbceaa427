"""The `learnloop` command: Learnloop's operator commands on top of Django's.

Each command is a Django management command in the app that owns it, so `learnloop X` and
`python -m django X` are the same thing; this wrapper only picks the settings and prints a
short overview instead of Django's full list.

Analysis commands that need no database (DJANGO_FREE) run without starting Django at all:
starting it costs more CPU than analysing a file. Nothing heavy is imported here
(tests/test_cli_imports.py keeps it so).
"""

import importlib
import os
import sys
from pathlib import Path

# (command, action) -> a module with main(argv, write=, fail=) that needs no database.
DJANGO_FREE = {
    ("experiment", "analyze"): "learnloop.experiments.analyze_cli",
    ("experiment", "compute"): "learnloop.experiments.compute_cli",
    ("survey", "reliability"): "learnloop.surveys.reliability_cli",
    ("insights", "themes"): "learnloop.insights.themes_cli",
    ("growth", "match"): "learnloop.analytics.mentor_matching_cli",
    ("systems", "simulate"): "learnloop.analytics.systems.simulate_cli",
    ("systems", "loops"): "learnloop.analytics.systems.loops_cli",
    ("network", "analyze"): "learnloop.network.analyze_cli",
}

# The --help of Learnloop's Django commands, written by learnloop.cli_help from their parsers.
HELP_FILE = Path(__file__).with_name("cli_help.json")
HELP_FLAGS = ("--help", "-h")

OVERVIEW = """\
usage: learnloop COMMAND [options]

Learnloop's commands:
  serve [--host H --port P]    serve the web app and API (default 127.0.0.1:8000)
  migrate                      create or upgrade the database schema
  demo [--seed N] [--only APP] create or refresh the demo organization
  createadmin                  create an admin account, or promote someone to admin
  import teams|people FILE     import from CSV, all rows or none [--dry-run]
  people orphans               open work deactivated people still own (actions, checks, entries) [--format json]
  people hand-over EMAIL       give a deactivated person's open work on: --to EMAIL --as ADMIN_EMAIL
  knowledge import DIR         Markdown files as knowledge entries, all or none: --as EMAIL [--dry-run]
  knowledge practices import   import the learning-practice library's playbooks (idempotent) [--as EMAIL] [--dry-run]
  knowledge export DIR         every knowledge entry as Markdown files plus entries.json
  search rebuild               rebuild the knowledge search index from the database
  experiment analyze FILE      per-variant aggregates (CSV/JSON): effects, intervals, p-value or chance to win
  experiment compute           a metric computed in the warehouse: --source URL --exposure-sql FILE --metric-sql FILE
  experiment refresh EXPERIMENT  its warehouse-defined metrics as today's snapshot --as EMAIL [--source URL ...]
  experiment refresh-due       queue the scheduled warehouse refreshes that are due (cron) [--run]
  survey reliability FILE.csv  scale reliability: --items COL,... [--reverse COL,...] --scale MIN-MAX [--group COL]
  survey close CAMPAIGN        close a campaign and publish its results [--wait] [--as EMAIL]
  insights themes FILE         recurring themes in a CSV of short texts (id,text[,team,date]) [--format json]
  growth match FILE            best mentor assignment for a JSON document of mentors and mentees [--format json]
  systems simulate MODEL_FILE  run a Vensim/XMILE model (PySD) [--param N=V ...] [--return-columns A,B] [--format json]
  systems loops MODEL.json     feedback loops and archetypes of a causal loop diagram [--format json]
  network analyze EDGES_FILE   centralities and communities of a CSV edge list [--directed] [--weight COL]
  metrics show [--team T]      the learning metrics and health index of the organization or a team [--format json]
  strategy refresh [--queue]   read every key result bound to a metric and keep the day's value
  insights regroup             regroup the organization's texts into themes, keeping corrections [--queue]
  sessions advance             daily: move asynchronous sessions past passed phase deadlines
  survey remind                daily: remind who hasn't answered an open survey in its last days [--now]
  actions remind|digest        queue due reminders / the weekly digest [--now] [--dry-run]
  knowledge remind             daily: tell owners their entries are due for review [--now] [--dry-run]
  worker [--batch]             run the background task queue (reminders, digests, survey emails)
  tasks list|retry|purge       the task queue: what waits, runs or is dead-lettered; retry; clean up
  scim token-create NAME       a provisioning token for an identity provider's SCIM client --by ADMIN_EMAIL
  scim tokens|token-revoke     list provisioning tokens / revoke one by its prefix --by ADMIN_EMAIL
  audit purge-addresses        daily: blank audit-log client addresses past their retention [--days N]
  backup FILE                  consistent online backup of all data
  restore FILE                 replace all data with a verified backup
  export FILE                  all data as JSON (without secrets)

Run `learnloop COMMAND --help` for a command's options, `learnloop help --all` for every
command Django provides. Configuration comes from the environment: see docs/configuration.md.
"""


def cached_help(arguments: list[str]) -> str | None:
    """The stored help for `COMMAND [ACTION] --help` (cli_help.py), or None to let Django answer."""
    if not 2 <= len(arguments) <= 3 or arguments[-1] not in HELP_FLAGS:
        return None
    if any(argument.startswith("-") for argument in arguments[:-1]):
        return None
    import json

    try:
        stored = json.loads(HELP_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a damaged or missing file only costs the fast path
    if stored.get("python") != python_version():
        return None  # argparse lays help out differently from one Python to the next
    return stored.get("texts", {}).get(" ".join(arguments[:-1]))


def python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments in (["help"], ["-h"], ["--help"]):
        sys.stdout.write(OVERVIEW)
        return
    if arguments == ["--version"]:
        from learnloop import __version__

        sys.stdout.write(f"learnloop {__version__}\n")
        return
    if tuple(arguments[:2]) in DJANGO_FREE:
        module = importlib.import_module(DJANGO_FREE[tuple(arguments[:2])])
        status = module.main(arguments[2:], write=sys.stdout.write, fail=sys.stderr.write)
        if status:
            sys.exit(status)
        return
    if (text := cached_help(arguments)) is not None:
        sys.stdout.write(text)  # what Django would print, without starting it (cli_help.py)
        return
    if arguments[:2] == ["help", "--all"]:
        arguments = ["help"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["learnloop", *arguments])


if __name__ == "__main__":
    main()
