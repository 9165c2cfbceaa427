"""Markdown import throughput (prints figures; it is not a test).

    uv run python bench/markdown_import.py --files 2000     # a fresh SQLite database
    uv run python bench/markdown_import.py --files 2000 --database-url postgres://…/x_bench

Writes `--files` Markdown notes (front matter with tags, a title that repeats every 20 files,
a body of 80–400 words) into a temporary folder, then imports them through
`learnloop knowledge import`'s code path (`read_folder` + `import_markdown`, the operator's
import) four times: the first import (every file created), the same folder again (every file
unchanged), again after editing 5 % of the files (those updated), and again after editing
every file (`all_edited`). CPU time of this process
(time.process_time; the database server's own time on PostgreSQL is not included) and elapsed
(wall) time, in files/s (on PostgreSQL the wall figure includes the server's work),
and the process's peak resident memory after each import (`*_peak_rss_mb`: the import streams a
folder a chunk at a time, so this should not grow with the number of files).
The last line holds every figure as key=value pairs.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

UNUSABLE = "!"  # no password: this person never signs in
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

WORDS = (
    "deploy", "rollback", "migration", "schema", "queue", "consumer", "partition", "latency", "budget",
    "review", "incident", "pager", "runbook", "cache", "index", "replica", "backup", "restore", "audit",
    "release", "feature", "flag", "canary", "metric", "alert", "owner", "team", "service", "contract",
    "retry", "timeout", "circuit", "breaker", "secret", "rotation", "certificate", "cluster", "node",
    "storage",
)


def write_notes(folder: Path, count: int, rng: random.Random) -> None:
    for number in range(count):
        title = f"Note on {rng.choice(WORDS)} and {rng.choice(WORDS)} {number % (count // 20 or 1)}"
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 400)))
        tags = ", ".join(sorted(set(rng.sample(WORDS, 2))))
        (folder / f"team-{number % 7}").mkdir(exist_ok=True)
        (folder / f"team-{number % 7}" / f"note-{number:06}.md").write_text(
            f"---\ntitle: {title}\ntype: lesson\ntags: [{tags}]\n---\n{body}.\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="learnloop-import-") as temporary:
        workdir = Path(temporary)
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        os.environ["LEARNLOOP_DATA_DIR"] = str(workdir / "data")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from learnloop.knowledge.models import Entry
        from learnloop.knowledge.transfer import import_markdown, read_folder
        from learnloop.org.models import Person

        call_command("migrate", verbosity=0, interactive=False)
        person = Person.objects.create(email="importer@bench.example", full_name="Importer", password=UNUSABLE)
        folder = workdir / "notes"
        folder.mkdir()
        rng = random.Random(5)
        write_notes(folder, args.files, rng)
        figures = {"files": args.files}

        def run(label: str) -> None:
            started, wall = time.process_time(), time.perf_counter()
            files, errors = read_folder(folder)
            report = import_markdown(by=person, files=files, dry_run=False, read_errors=errors, operator=True)
            spent, wall = time.process_time() - started, time.perf_counter() - wall
            assert report.imported, report.errors[:5]
            figures[f"{label}_cpu_s"] = round(spent, 2)
            figures[f"{label}_files_per_s"] = round(args.files / spent, 1)
            figures[f"{label}_wall_files_per_s"] = round(args.files / wall, 1)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
            figures[f"{label}_peak_rss_mb"] = round(peak)
            print(f"{label:>10}: {report.summary()}  {spent:.2f} s CPU, {args.files / spent:,.0f} files/s; "
                  f"{wall:.2f} s wall, {args.files / wall:,.0f} files/s; peak RSS {peak:,.0f} MB")

        run("first")
        assert Entry.objects.count() == args.files
        run("again")
        edited = sorted(folder.rglob("*.md"))[:: 20]
        for path in edited:
            path.write_text(path.read_text().replace("\n---\n", "\n---\nEdited. ", 1))
        run("edited")
        for path in sorted(folder.rglob("*.md")):
            path.write_text(path.read_text().replace("\n---\n", "\n---\nAll edited. ", 1))
        run("all_edited")
        print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
