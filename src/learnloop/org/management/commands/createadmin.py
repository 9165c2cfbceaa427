"""`learnloop createadmin`: create an admin, or make an existing person admin."""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.org.models import OrgRole, Person
from learnloop.org.services import create_person


class Command(BaseCommand):
    help = "Create an admin account (or promote an existing person to admin)."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="The admin's email address.")
        parser.add_argument("--name", help="The admin's full name.")
        parser.add_argument(
            "--password-stdin", action="store_true",
            help="Read the password from standard input instead of prompting.",
        )

    def handle(self, *args, email, name, password_stdin, **options):
        interactive = sys.stdin.isatty() and not password_stdin
        if not email:
            if not interactive:
                raise CommandError("--email is required when not run interactively.")
            email = input("Email: ").strip()
        existing = Person.objects.filter(email__iexact=email.strip()).first()
        if existing is not None:
            self._promote(existing)
            return
        if not name:
            if not interactive:
                raise CommandError("--name is required when not run interactively.")
            name = input("Full name: ").strip()
        password = self._read_password(interactive, password_stdin)
        try:
            with transaction.atomic():
                person = create_person(by=None, email=email, full_name=name, role=OrgRole.ADMIN, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created admin {person.email}."))

    def _promote(self, person):
        if person.role == OrgRole.ADMIN and person.is_active:
            self.stdout.write(f"{person.email} is already an active admin; nothing changed.")
            return
        with transaction.atomic():
            previous = person.role
            person.role = OrgRole.ADMIN
            person.is_active = True
            person.deactivated_at = None
            person.save(update_fields=["role", "is_active", "deactivated_at"])
            record_audit_event(
                kind=AuditKind.ROLE_CHANGED, actor_label="operator", target=person.email,
                detail={"scope": "organization", "from": previous, "to": OrgRole.ADMIN, "via": "createadmin"},
            )
        self.stdout.write(self.style.SUCCESS(f"{person.email} is now an admin."))

    def _read_password(self, interactive, password_stdin) -> str:
        if password_stdin or not interactive:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password was given on standard input.")
            return self._validated(password)
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords differ; try again.")
                continue
            try:
                return self._validated(password)
            except CommandError as error:
                self.stderr.write(str(error))

    @staticmethod
    def _validated(password: str) -> str:
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password
