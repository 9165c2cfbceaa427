"""SCIM 2.0 provisioning (RFC 7643, RFC 7644) of people and teams, as identity providers send it.

- **People are Users**: `userName` is the email address (or, if it is not one, the primary
  email), `displayName` or `name` the full name, `title` the title, `active` whether they may
  sign in. Deactivating (`active: false`, or DELETE) is Learnloop's own deactivation: what they
  wrote stays theirs, what they own goes to their manager or team lead (or stays with them, in
  the orphaned-ownership report, when there is nobody), their API tokens are revoked and their
  sessions stop working at the next request. Nobody is ever deleted through SCIM.
- **Teams are Groups**: `displayName` is the team's name, `members` its members (as plain
  members; team roles stay Learnloop's). DELETE archives the team.
- **What the providers really send**: Entra ID's and Okta's requests (PATCH with `"Replace"`,
  `"active": "False"` as a string, `members[value eq "…"]` paths, a value object without a
  path) are accepted; tests replay them. Attributes Learnloop doesn't keep (phone numbers,
  addresses, enterprise-extension fields, passwords) are accepted and ignored: refusing them
  would stop provisioning altogether, and the resource sent back shows what was kept.
- **Acts as the admin who made the token** (ProvisioningToken), so every change goes through
  the same services and audit log as a change in the app.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from learnloop.integrations.scim_models import ExternalId
from learnloop.org import services as org
from learnloop.org.models import Membership, Person, Team

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MAX_COUNT = 1000


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = ""):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict:
        body = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def _from_domain(error: Exception) -> ScimError:
    if isinstance(error, PermissionDenied):
        return ScimError(403, str(error))
    messages = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    scim_type = "uniqueness" if "already" in messages else "invalidValue"
    return ScimError(409 if scim_type == "uniqueness" else 400, messages, scim_type)


# --- filters --------------------------------------------------------------------------------------

_FILTER = re.compile(r'^\s*([A-Za-z.:\[\]" ]+?)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
USER_FILTERS = {"username": "email", "externalid": "external", "emails.value": "email",
                'emails[type eq "work"].value': "email", "displayname": "full_name"}
GROUP_FILTERS = {"displayname": "name", "externalid": "external"}


def parse_filter(text: str, allowed: dict) -> tuple[str, str] | None:
    """`attribute eq "value"`: the one filter providers send to find a resource before they
    create it. Anything else is refused (400 invalidFilter) rather than answered unfiltered."""
    if not text:
        return None
    match = _FILTER.match(text)
    attribute = match.group(1).strip().lower() if match else ""
    if not match or attribute not in allowed:
        raise ScimError(400, f"Unsupported filter {text!r}: use one of "
                             f"{', '.join(name + ' eq \"…\"' for name in allowed)}.", "invalidFilter")
    return allowed[attribute], match.group(2).replace('\\"', '"').replace("\\\\", "\\")


def _external_ids(kind: str, ids) -> dict[int, str]:
    return dict(ExternalId.objects.filter(kind=kind, object_id__in=list(ids)).values_list("object_id", "external_id"))


def _set_external_id(kind: str, object_id: int, value) -> None:
    if value is None:
        return
    value = str(value).strip()[:200]
    if value:
        ExternalId.objects.update_or_create(kind=kind, object_id=object_id, defaults={"external_id": value})
    else:
        ExternalId.objects.filter(kind=kind, object_id=object_id).delete()


def _matching(kind: str, model, field: str, value: str):
    if field == "external":
        ids = ExternalId.objects.filter(kind=kind, external_id=value).values_list("object_id", flat=True)
        return model.objects.filter(pk__in=list(ids))
    return model.objects.filter(**{f"{field}__iexact": value})


def page(request_get, rows, render) -> dict:
    """A ListResponse: `startIndex` is 1-based, `count` at most MAX_COUNT (100 by default)."""
    try:
        start = max(1, int(request_get.get("startIndex") or 1))
        count = min(MAX_COUNT, max(0, int(request_get.get("count") or 100)))
    except ValueError as error:
        raise ScimError(400, "startIndex and count must be whole numbers.", "invalidValue") from error
    total = rows.count()
    chosen = list(rows[start - 1:start - 1 + count])
    return {"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start, "itemsPerPage": len(chosen),
            "Resources": render(chosen)}


# --- users ----------------------------------------------------------------------------------------

def _location(kind: str, pk: int) -> str:
    return f"{settings.BASE_URL}/scim/v2/{kind}/{pk}"


def user_resources(people: list[Person]) -> list[dict]:
    ids = [person.pk for person in people]
    external = _external_ids("user", ids)
    teams: dict[int, list] = {}
    for membership in Membership.objects.filter(person_id__in=ids).select_related("team").order_by("team__name"):
        teams.setdefault(membership.person_id, []).append(
            {"value": str(membership.team_id), "display": membership.team.name,
             "$ref": _location("Groups", membership.team_id)})
    resources = []
    for person in people:
        resource = {
            "schemas": [USER_SCHEMA], "id": str(person.pk), "userName": person.email,
            "name": {"formatted": person.full_name}, "displayName": person.full_name, "title": person.title,
            "emails": [{"value": person.email, "type": "work", "primary": True}],
            "active": person.is_active, "groups": teams.get(person.pk, []),
            "meta": {"resourceType": "User", "created": person.date_joined.isoformat(),
                     "location": _location("Users", person.pk)},
        }
        if person.pk in external:
            resource["externalId"] = external[person.pk]
        resources.append(resource)
    return resources


def user_resource(person: Person) -> dict:
    return user_resources([person])[0]


def find_users(filter_text: str):
    people = Person.objects.order_by("pk")
    chosen = parse_filter(filter_text, USER_FILTERS)
    return people if chosen is None else _matching("user", people.model, *chosen).order_by("pk")


def get_person(person_id: str) -> Person:
    person = Person.objects.filter(pk=int(person_id)).first() if str(person_id).isdigit() else None
    if person is None:
        raise ScimError(404, f"No User with id {person_id}.")
    return person


@dataclass
class UserFields:
    """What a User body says about the attributes Learnloop keeps (None: not said)."""

    email: str | None = None
    full_name: str | None = None
    title: str | None = None
    active: bool | None = None
    external_id: str | None = None


def _boolean(value, attribute: str) -> bool:
    # Entra ID sends "True"/"False" as strings in PATCH values.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError(400, f"{attribute} must be true or false.", "invalidValue")


def _name(value) -> str | None:
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return None
    if value.get("formatted"):
        return value["formatted"]
    parts = [value.get(key) or "" for key in ("givenName", "middleName", "familyName")]
    return " ".join(part for part in parts if part) or None


def _primary_email(emails) -> str | None:
    if not isinstance(emails, list) or not emails:
        return None
    chosen = next((item for item in emails if isinstance(item, dict) and item.get("primary")), None)
    chosen = chosen or next((item for item in emails if isinstance(item, dict) and item.get("type") == "work"), None)
    chosen = chosen or emails[0]
    return chosen.get("value") if isinstance(chosen, dict) else None


def user_fields(body: dict) -> UserFields:
    """Read a User body (POST and PUT)."""
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a User object.", "invalidSyntax")
    user_name = body.get("userName")
    email = user_name if isinstance(user_name, str) and "@" in user_name else _primary_email(body.get("emails"))
    if email is None and isinstance(user_name, str):
        email = user_name
    full_name = body.get("displayName") or _name(body.get("name"))
    return UserFields(
        email=email, full_name=full_name, title=body.get("title") if "title" in body else None,
        active=_boolean(body["active"], "active") if "active" in body else None,
        external_id=body.get("externalId"),
    )


def _apply_user_attribute(fields: UserFields, path: str, value, current: Person) -> None:
    key = path.strip().lower()
    if key == "active":
        fields.active = _boolean(value, "active")
    elif key in {"username", 'emails[type eq "work"].value', "emails.value"}:
        fields.email = str(value)
    elif key == "emails":
        fields.email = _primary_email(value) or fields.email
    elif key in {"displayname", "name.formatted"}:
        fields.full_name = str(value)
    elif key == "name":
        fields.full_name = _name(value) or fields.full_name
    elif key in {"name.givenname", "name.familyname"}:
        # A part of the name: rebuilt from the current name's words (given first, family last).
        words = (fields.full_name or current.full_name).split(" ", 1)
        given, family = [*words, ""][:2]
        given, family = (str(value), family) if key == "name.givenname" else (given, str(value))
        fields.full_name = f"{given} {family}".strip()
    elif key == "title":
        fields.title = str(value or "")
    elif key == "externalid":
        fields.external_id = str(value or "")
    # Other attributes (phone numbers, enterprise extension, preferred language...) are not kept.


def patch_fields(body: dict, person: Person) -> UserFields:
    fields = UserFields()
    for operation in _operations(body):
        op, path, value = operation
        if op == "remove":
            if (path or "").lower() == "title":
                fields.title = ""
            continue  # removing an attribute Learnloop needs (name, email) is not possible; others aren't kept
        if path:
            _apply_user_attribute(fields, path, value, person)
        elif isinstance(value, dict):
            for attribute, attribute_value in value.items():
                _apply_user_attribute(fields, attribute, attribute_value, person)
        else:
            raise ScimError(400, "An operation without a path needs an object value.", "invalidValue")
    return fields


def _operations(body: dict) -> list[tuple[str, str, object]]:
    operations = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "A PATCH body needs a list of Operations.", "invalidSyntax")
    read = []
    for operation in operations:
        if not isinstance(operation, dict) or str(operation.get("op", "")).lower() not in {"add", "replace", "remove"}:
            raise ScimError(400, "Each operation's op must be add, replace or remove.", "invalidSyntax")
        read.append((str(operation["op"]).lower(), operation.get("path") or "", operation.get("value")))
    return read


def _change_email(person: Person, email: str) -> None:
    email = org.clean_email(email, field="userName")
    if email.lower() == person.email.lower():
        return
    if Person.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
        raise ScimError(409, f"Someone with the address {email} already exists.", "uniqueness")
    person.email = email
    person.save(update_fields=["email"])


def _set_active(*, actor, person: Person, active: bool, ip_address) -> None:
    if active and not person.is_active:
        org.reactivate_person(by=actor, person=person, ip_address=ip_address)
    elif not active and person.is_active:
        try:
            org.deactivate_person(by=actor, person=person, ip_address=ip_address)
        except ValidationError as error:
            if "new_owner" not in getattr(error, "error_dict", {}):
                raise
            # Nobody to hand their work to: it stays with them and shows in the orphaned-ownership
            # report, rather than the identity provider's deactivation failing.
            org.deactivate_person(by=actor, person=person, keep_ownership=True, ip_address=ip_address)
        person.refresh_from_db()


def create_user(*, actor, body: dict, ip_address=None) -> Person:
    fields = user_fields(body)
    if not fields.email:
        raise ScimError(400, "userName (an email address) is required.", "invalidValue")
    if Person.objects.filter(email__iexact=fields.email.strip()).exists():
        raise ScimError(409, f"A User with userName {fields.email} already exists.", "uniqueness")
    try:
        with transaction.atomic():
            person = org.create_person(by=actor, email=fields.email, full_name=fields.full_name or fields.email,
                                       title=fields.title or "", ip_address=ip_address)
            _set_external_id("user", person.pk, fields.external_id)
            if fields.active is False:
                _set_active(actor=actor, person=person, active=False, ip_address=ip_address)
    except (ValidationError, PermissionDenied) as error:
        raise _from_domain(error) from error
    return person


def update_user(*, actor, person: Person, fields: UserFields, ip_address=None) -> Person:
    """PUT and PATCH: the attributes said, in one transaction."""
    try:
        with transaction.atomic():
            if fields.email:
                _change_email(person, fields.email)
            profile = {}
            if fields.full_name is not None and fields.full_name.strip():
                profile["full_name"] = fields.full_name
            if fields.title is not None:
                profile["title"] = fields.title
            if profile:
                org.update_person(by=actor, person=person, **profile)
            _set_external_id("user", person.pk, fields.external_id)
            if fields.active is not None:
                _set_active(actor=actor, person=person, active=fields.active, ip_address=ip_address)
    except (ValidationError, PermissionDenied) as error:
        raise _from_domain(error) from error
    person.refresh_from_db()
    return person


def deactivate_user(*, actor, person: Person, ip_address=None) -> None:
    try:
        _set_active(actor=actor, person=person, active=False, ip_address=ip_address)
    except (ValidationError, PermissionDenied) as error:
        raise _from_domain(error) from error


# --- groups ---------------------------------------------------------------------------------------

def group_resources(teams: list[Team], *, with_members: bool = True) -> list[dict]:
    ids = [team.pk for team in teams]
    external = _external_ids("group", ids)
    members: dict[int, list] = {}
    if with_members:
        rows = Membership.objects.filter(team_id__in=ids).select_related("person").order_by("person__full_name")
        for membership in rows:
            members.setdefault(membership.team_id, []).append(
                {"value": str(membership.person_id), "display": membership.person.full_name,
                 "$ref": _location("Users", membership.person_id)})
    resources = []
    for team in teams:
        resource = {"schemas": [GROUP_SCHEMA], "id": str(team.pk), "displayName": team.name,
                    "meta": {"resourceType": "Group", "created": team.created_at.isoformat(),
                             "location": _location("Groups", team.pk)}}
        if with_members:
            resource["members"] = members.get(team.pk, [])
        if team.pk in external:
            resource["externalId"] = external[team.pk]
        resources.append(resource)
    return resources


def find_groups(filter_text: str):
    teams = Team.objects.filter(archived_at__isnull=True).order_by("pk")
    chosen = parse_filter(filter_text, GROUP_FILTERS)
    if chosen is None:
        return teams
    return _matching("group", Team, *chosen).filter(archived_at__isnull=True).order_by("pk")


def get_team(team_id: str) -> Team:
    team = Team.objects.filter(pk=int(team_id), archived_at__isnull=True).first() if str(team_id).isdigit() else None
    if team is None:
        raise ScimError(404, f"No Group with id {team_id}.")
    return team


def _member_ids(values) -> list[int]:
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    ids = []
    for item in values:
        value = item.get("value") if isinstance(item, dict) else item
        if not str(value).isdigit():
            raise ScimError(400, f"Unknown member {value!r}: members are Users' ids.", "invalidValue")
        ids.append(int(value))
    found = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ScimError(400, f"No User with id {', '.join(missing)}.", "invalidValue")
    return ids


_MEMBER_PATH = re.compile(r'^members\[value eq "([^"]+)"\]$', re.IGNORECASE)


def _add_members(*, actor, team: Team, ids, ip_address) -> None:
    present = set(Membership.objects.filter(team=team).values_list("person_id", flat=True))
    for person in Person.objects.filter(pk__in=[pk for pk in ids if pk not in present]):
        if person.is_active:  # a deactivated person joins no team; their groups return with them
            org.add_member(by=actor, team=team, person=person, ip_address=ip_address)


def _remove_members(*, actor, team: Team, ids, ip_address) -> None:
    for membership in Membership.objects.filter(team=team, person_id__in=list(ids)).select_related("person", "team"):
        org.remove_member(by=actor, membership=membership, ip_address=ip_address)


def _set_members(*, actor, team: Team, ids, ip_address) -> None:
    present = set(Membership.objects.filter(team=team).values_list("person_id", flat=True))
    _remove_members(actor=actor, team=team, ids=present - set(ids), ip_address=ip_address)
    _add_members(actor=actor, team=team, ids=ids, ip_address=ip_address)


def create_group(*, actor, body: dict, ip_address=None) -> Team:
    name = (body.get("displayName") or "").strip() if isinstance(body, dict) else ""
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    if Team.objects.filter(name__iexact=name).exists():
        raise ScimError(409, f"A Group named {name!r} already exists.", "uniqueness")
    try:
        with transaction.atomic():
            team = org.create_team(by=actor, name=name)
            _set_external_id("group", team.pk, body.get("externalId"))
            _add_members(actor=actor, team=team, ids=_member_ids(body.get("members")), ip_address=ip_address)
    except (ValidationError, PermissionDenied) as error:
        raise _from_domain(error) from error
    return team


def _rename(*, actor, team: Team, name) -> None:
    name = str(name or "").strip()
    if not name:
        raise ScimError(400, "displayName can't be empty.", "invalidValue")
    if name != team.name:
        org.update_team(by=actor, team=team, name=name)


def replace_group(*, actor, team: Team, body: dict, ip_address=None) -> Team:
    try:
        with transaction.atomic():
            if "displayName" in body:
                _rename(actor=actor, team=team, name=body["displayName"])
            if "externalId" in body:
                _set_external_id("group", team.pk, body["externalId"])
            _set_members(actor=actor, team=team, ids=_member_ids(body.get("members") or []), ip_address=ip_address)
    except (ValidationError, PermissionDenied) as error:
        raise _from_domain(error) from error
    team.refresh_from_db()
    return team


def patch_group(*, actor, team: Team, body: dict, ip_address=None) -> Team:
    operations = _operations(body)
    try:
        with transaction.atomic():
            for op, path, value in operations:
                member_path = _MEMBER_PATH.match(path.strip())
                key = path.strip().lower()
                if member_path and op == "remove":
                    _remove_members(actor=actor, team=team, ids=_member_ids([member_path.group(1)]),
                                    ip_address=ip_address)
                elif key == "members":
                    ids = _member_ids(value)
                    if op == "add":
                        _add_members(actor=actor, team=team, ids=ids, ip_address=ip_address)
                    elif op == "remove":
                        every = Membership.objects.filter(team=team).values_list("person_id", flat=True)
                        _remove_members(actor=actor, team=team, ids=ids if value else list(every),
                                        ip_address=ip_address)
                    else:
                        _set_members(actor=actor, team=team, ids=ids, ip_address=ip_address)
                elif key == "displayname" and op != "remove":
                    _rename(actor=actor, team=team, name=value)
                elif key == "externalid":
                    _set_external_id("group", team.pk, "" if op == "remove" else value)
                elif not path and isinstance(value, dict) and op != "remove":
                    if "displayName" in value:
                        _rename(actor=actor, team=team, name=value["displayName"])
                    if "externalId" in value:
                        _set_external_id("group", team.pk, value["externalId"])
                    if "members" in value:
                        _set_members(actor=actor, team=team, ids=_member_ids(value["members"]), ip_address=ip_address)
                else:
                    raise ScimError(400, f"Unsupported operation {op} on {path or 'the group'!r}.", "invalidPath")
    except (ValidationError, PermissionDenied) as error:
        raise _from_domain(error) from error
    team.refresh_from_db()
    return team


def delete_group(*, actor, team: Team) -> None:
    try:
        org.archive_team(by=actor, team=team)
    except (ValidationError, PermissionDenied) as error:
        raise _from_domain(error) from error


# --- who may provision ----------------------------------------------------------------------------

def token_owner(raw: str):
    """The admin a provisioning token acts as, or None (unknown, revoked, or its maker is no
    longer an active admin)."""
    from django.utils import timezone

    from learnloop.accounts.tokens import hash_secret
    from learnloop.integrations.scim_models import ProvisioningToken

    token = (ProvisioningToken.objects.select_related("created_by")
             .filter(token_hash=hash_secret(raw), revoked_at__isnull=True).first())
    if token is None or not token.created_by.is_active or not token.created_by.is_admin:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        type(token).objects.filter(pk=token.pk).update(last_used_at=now)
    return token.created_by


def create_token(*, by, name: str):
    """A new provisioning token: (the row, the secret shown once)."""
    from learnloop.accounts.tokens import hash_secret, new_secret
    from learnloop.audit.models import AuditKind
    from learnloop.audit.services import record_audit_event
    from learnloop.integrations.scim_models import ProvisioningToken
    from learnloop.org.permissions import require_admin

    require_admin(by, "create provisioning tokens")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token (e.g. the identity provider it is for)."})
    raw = new_secret("llscim_")
    with transaction.atomic():
        token = ProvisioningToken.objects.create(name=name[:100], prefix=raw[:12], token_hash=hash_secret(raw),
                                                 created_by=by)
        record_audit_event(kind=AuditKind.TOKEN_CREATED, actor=by, target=f"scim:{token.prefix}",
                           detail={"scope": "provisioning", "name": token.name})
    return token, raw


def revoke_token(*, by, prefix: str) -> int:
    from django.utils import timezone

    from learnloop.audit.models import AuditKind
    from learnloop.audit.services import record_audit_event
    from learnloop.integrations.scim_models import ProvisioningToken
    from learnloop.org.permissions import require_admin

    require_admin(by, "revoke provisioning tokens")
    with transaction.atomic():
        count = ProvisioningToken.objects.filter(Q(prefix=prefix), revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if count:
            record_audit_event(kind=AuditKind.TOKEN_REVOKED, actor=by, target=f"scim:{prefix}",
                               detail={"scope": "provisioning"})
    return count
