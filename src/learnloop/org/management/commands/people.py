"""`learnloop people orphans|hand-over`: what deactivated people still own, and handing it over.

`orphans` lists deactivated people who still own open actions, effectiveness checks, knowledge
entries to review or unfinished experiments (the report admins see at /people/orphans/).
`hand-over EMAIL --to EMAIL --as ADMIN_EMAIL` gives one of them's work to someone active, with
an audit event, exactly as the report's button does.
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from learnloop.org import selectors, services
from learnloop.org.models import Person


def _person(email: str, option: str) -> Person:
    person = Person.objects.filter(email__iexact=(email or "").strip()).first()
    if person is None:
        raise CommandError(f"{option}: nobody has the email {email}.")
    return person


class Command(BaseCommand):
    help = "People who left: `people orphans` lists what they still own; `people hand-over` gives it on."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="orphans|hand-over")
        orphans = verbs.add_parser("orphans", help="Deactivated people who still own open work.")
        orphans.add_argument("--format", choices=["text", "json"], default="text")
        hand_over = verbs.add_parser("hand-over", help="Give a deactivated person's open work to someone active.")
        hand_over.add_argument("email", help="The deactivated person's email.")
        hand_over.add_argument("--to", required=True, dest="to", help="Email of who takes it over.")
        hand_over.add_argument("--as", required=True, dest="as_email", help="Email of the admin doing it.")

    def handle(self, *args, verb, **options):
        if verb == "orphans":
            self._orphans(options["format"])
        else:
            self._hand_over(options["email"], options["to"], options["as_email"])

    def _orphans(self, output: str) -> None:
        rows = selectors.orphaned_ownership_for_operator()
        if output == "json":
            self.stdout.write(json.dumps([{
                "person": {"id": row["person"].pk, "email": row["person"].email, "full_name": row["person"].full_name},
                "deactivated_at": row["person"].deactivated_at.isoformat() if row["person"].deactivated_at else None,
                "items": row["items"], "total": row["total"],
            } for row in rows], indent=2))
            return
        if not rows:
            self.stdout.write("Nothing is orphaned: every deactivated person's open work has a new owner.")
            return
        for row in rows:
            owned = ", ".join(f"{item['count']} {item['label'].lower()}" for item in row["items"])
            self.stdout.write(f"{row['person'].email} ({row['person'].full_name}): {owned}")
        self.stdout.write(f"{len(rows)} deactivated people still own open work; "
                          "hand it over with `learnloop people hand-over EMAIL --to EMAIL --as ADMIN`.")

    def _hand_over(self, email: str, to: str, as_email: str) -> None:
        person, new_owner, admin = _person(email, "email"), _person(to, "--to"), _person(as_email, "--as")
        try:
            moved = services.hand_over_ownership(by=admin, person=person, new_owner=new_owner)
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from error
        summary = ", ".join(f"{count} {key}" for key, count in moved.items()) or "nothing"
        self.stdout.write(f"{new_owner.email} took over {summary} from {person.email}.")
