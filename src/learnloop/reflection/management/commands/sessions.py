"""`learnloop sessions advance`: move asynchronous sessions past phases whose deadline has passed.

Sessions also move on whenever someone opens them; run this daily (or hourly) from cron so a
session nobody looks at still moves, and its participants see the new phase when they come back.
"""

from django.core.management.base import BaseCommand

from learnloop.reflection.services import advance_due_sessions


class Command(BaseCommand):
    help = "Asynchronous reflection sessions: `sessions advance` moves those whose phase deadline has passed."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="advance")
        actions.add_parser("advance", help="Move asynchronous sessions past phases whose deadline has passed.")

    def handle(self, *args, action, **options):
        moved = advance_due_sessions()
        for session in moved:
            self.stdout.write(f"{session.team.name}: {session.title} is now in {session.get_phase_display().lower()}.")
        if not moved:
            self.stdout.write("No asynchronous session has a phase deadline that has passed.")
