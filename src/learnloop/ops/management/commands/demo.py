"""`learnloop demo`: create or refresh the demo organization (idempotent, deterministic)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learnloop.demo import DEMO_PASSWORD, DemoRefused, build_demo
from learnloop.ops.progress import stage


class Command(BaseCommand):
    help = "Create or refresh the demo organization. Refuses to touch a real organization."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--only", default="", metavar="APP[,APP]",
            help="Build only these apps' parts (e.g. org: people and teams without content).",
        )
        parser.add_argument(
            "--scale", type=int, default=1, metavar="N",
            help="Make the organization N times larger: the head office plus N-1 sites like it "
                 "(about 150 people each), for benchmarks and load tests (default 1).",
        )

    def handle(self, *args, seed, only, scale, **options):
        if scale < 1:
            raise CommandError("--scale takes a whole number from 1 up (1 is the ordinary demo).")
        labels = tuple(label.strip() for label in only.split(",") if label.strip())
        from learnloop.demo import demo_modules

        known = {label for label, _ in demo_modules()}
        unknown = sorted(set(labels) - known)
        if unknown:
            raise CommandError(f"No demo part named {', '.join(unknown)}; the parts are {', '.join(sorted(known))}.")
        try:
            context = build_demo(seed=seed, announce=stage, only=labels, scale=scale)
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write("")
        size = f" ({scale} sites, {len(context.people):,} people)" if scale > 1 else ""
        self.stdout.write(self.style.SUCCESS(f"The demo organization {context.organization.name} is ready{size}."))
        self.stdout.write(
            f"Sign in at {settings.BASE_URL}/ with any of these (password for all: {DEMO_PASSWORD}):"
        )
        for label, person in context.logins:
            self.stdout.write(f"  {label:<15} {person.email:<40} {person.full_name}, {person.title}")
