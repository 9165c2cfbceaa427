"""Provisioning tokens for SCIM (docs/integrations.md#scim-provisioning).

    learnloop scim token-create NAME --by ADMIN_EMAIL   print a new token (shown once)
    learnloop scim tokens                               list tokens (prefix, name, maker, last use)
    learnloop scim token-revoke PREFIX --by ADMIN_EMAIL
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "SCIM provisioning tokens: create, list, revoke."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("token-create", help="A new provisioning token, acting as an admin")
        create.add_argument("name")
        create.add_argument("--by", required=True, help="The admin the token acts as (email)")
        verbs.add_parser("tokens", help="The provisioning tokens")
        revoke = verbs.add_parser("token-revoke", help="Revoke a token by its prefix")
        revoke.add_argument("prefix")
        revoke.add_argument("--by", required=True, help="The admin revoking it (email)")

    def _admin(self, email):
        from learnloop.org.models import Person

        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            raise CommandError(f"No person with the address {email}.")
        return person

    def handle(self, *args, verb, **options):
        from learnloop.integrations import scim
        from learnloop.integrations.scim_models import ProvisioningToken

        try:
            if verb == "token-create":
                token, raw = scim.create_token(by=self._admin(options["by"]), name=options["name"])
                self.stdout.write(raw)
                self.stderr.write(f"Provisioning token {token.prefix}… created; it is shown only this once.")
            elif verb == "tokens":
                for token in ProvisioningToken.objects.select_related("created_by"):
                    state = "revoked" if token.revoked_at else "active"
                    used = token.last_used_at.isoformat() if token.last_used_at else "never"
                    row = (token.prefix, token.name, token.created_by.email, state, f"last used {used}")
                    self.stdout.write("\t".join(row))
            else:
                if not scim.revoke_token(by=self._admin(options["by"]), prefix=options["prefix"]):
                    raise CommandError(f"No active token with the prefix {options['prefix']}.")
                self.stdout.write(f"Revoked {options['prefix']}.")
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(message) from error
