"""How often the demo organization agrees the same action again (the figure issue 14 asked to
bring down): builds the demo in a temporary SQLite database and prints key=value lines.

    .venv/bin/python bench/demo_repeats.py [--seed 42] [--only org,actions,reflection]

exact_*: actions whose title their own team agreed word for word before or after (the issue's
"302 of 373 actions repeat 69 titles within the same team"); detected_*: actions in a same-team
group found by the repeat detector (learnloop.analytics.repeats, the threshold in use), which also
catches rewordings; linked: actions their authors linked as "the same as #…".
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", default="", help="build only these demo parts (comma-separated)")
    parser.add_argument("--show", action="store_true", help="print each same-team group the detector finds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/demo.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from learnloop.actions.models import Action
        from learnloop.actions.repeats import detected_repeats, exact_title_repeats
        from learnloop.demo import build_demo

        call_command("migrate", verbosity=0)
        started = time.process_time()
        build_demo(seed=args.seed, only=tuple(part for part in args.only.split(",") if part) or ())
        built = time.process_time() - started
        rows = list(Action.objects.exclude(team=None).values_list("team_id", "title"))
        exact, detected = exact_title_repeats(rows), detected_repeats(rows)
        print(f"seed={args.seed} actions={exact.actions} build_cpu_s={built:.1f}")
        print(f"exact_repeating={exact.repeating} exact_titles={exact.groups} exact_share={exact.share:.3f}")
        print(f"detected_repeating={detected.repeating} detected_groups={detected.groups} "
              f"detected_share={detected.share:.3f}")
        print(f"linked={Action.objects.exclude(repeat_of=None).count()}")
        if args.show:
            from learnloop.analytics.repeats import repeat_clusters

            by_team: dict = {}
            for team_id, title in rows:
                by_team.setdefault(team_id, []).append(title)
            for team_id, titles in sorted(by_team.items()):
                for cluster in repeat_clusters(titles):
                    print(f"team={team_id} group=" + " | ".join(titles[index] for index in cluster.members))


if __name__ == "__main__":
    main()
