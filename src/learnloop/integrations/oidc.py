"""OpenID Connect sign-in: who a provider's validated claims sign in as, and their teams.

The protocol (discovery, authorization code with PKCE, the ID token's signature, issuer,
audience, nonce and expiry) is Authlib's; this module decides what the claims mean here:

- a subject seen before signs in as the person it was linked to;
- otherwise a *verified* email links to the person with that address, or creates one with
  LEARNLOOP_OIDC_DEFAULT_ROLE; an unverified address never links nor creates (unless
  LEARNLOOP_OIDC_TRUST_EMAIL says every address of this provider is verified);
- a deactivated person is refused;
- with a groups claim and LEARNLOOP_OIDC_GROUP_MAP, membership of the mapped teams follows the
  provider's groups at every sign-in (teams the map doesn't name are left alone).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.integrations.oidc_models import OidcIdentity
from learnloop.org.models import Membership, Person, Team, TeamRole, normalize_email
from learnloop.org.services import create_person

SCOPES = ["openid", "email", "profile"]
# Stronger team roles win when several groups map to one team.
_TEAM_ROLE_RANK = {TeamRole.MEMBER: 0, TeamRole.FACILITATOR: 1}


class SignInRefused(Exception):
    def __init__(self, reason: str, *, target: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.target = target


def is_configured() -> bool:
    return bool(settings.OIDC_ISSUER)


_clients: dict[tuple, object] = {}


def client():
    """Authlib's client for the configured provider; it keeps the discovery document and keys."""
    key = (settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)
    if key not in _clients:
        registry = OAuth()
        _clients[key] = registry.register(
            name="learnloop_oidc",
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=f"{settings.OIDC_ISSUER}/.well-known/openid-configuration",
            client_kwargs={"code_challenge_method": "S256", "timeout": 10},
        )
    return _clients[key]


def id_token_claims_options(metadata: dict) -> dict:
    """What Authlib checks in the ID token besides its signature, nonce and times.

    Authlib checks the issuer by default, but the audience only through `azp` when one is
    sent: a token for ["another-client"] with azp naming this client would pass. Both are
    required here.
    """
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
    }


def requested_scope(metadata: dict) -> str:
    # Some providers (oidc-provider, Keycloak's client scopes) release the groups claim only
    # for a scope of the same name; ask for it when discovery lists one.
    scopes = list(SCOPES)
    claim = settings.OIDC_GROUPS_CLAIM
    if claim and claim in (metadata.get("scopes_supported") or []):
        scopes.append(claim)
    return " ".join(scopes)


def end_session_url(metadata: dict, *, after_sign_out: str) -> str | None:
    """Where signing out continues, at the provider, when it supports RP-initiated logout."""
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode({"client_id": settings.OIDC_CLIENT_ID, "post_logout_redirect_uri": after_sign_out})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _email_is_verified(claims: dict) -> bool:
    if settings.OIDC_TRUST_EMAIL:
        return True
    # Booleans per the standard; a few providers send the string "true".
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def person_for_claims(claims: dict, *, issuer: str, ip_address: str | None = None) -> tuple[Person, bool]:
    """The person these validated ID-token claims sign in as, and whether they were just created."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused("no_subject")
    email = normalize_email(claims.get("email") or "")
    with transaction.atomic():
        identity = OidcIdentity.objects.select_related("person").filter(issuer=issuer, subject=subject).first()
        created = False
        if identity is not None:
            person = identity.person
        else:
            if not email or not _email_is_verified(claims):
                raise SignInRefused("email_not_verified", target=email)
            person = Person.objects.filter(email__iexact=email).first()
            if person is None:
                full_name = str(claims.get("name") or "").strip() or email.split("@")[0]
                person = create_person(
                    by=None, email=email, full_name=full_name[:200], role=settings.OIDC_DEFAULT_ROLE,
                    ip_address=ip_address,
                )
                created = True
            elif not person.is_active:
                raise SignInRefused("deactivated", target=person.email)
            OidcIdentity.objects.create(issuer=issuer, subject=subject, person=person)
    if not person.is_active:
        raise SignInRefused("deactivated", target=person.email)
    return person, created


@dataclass(frozen=True)
class GroupRule:
    group: str
    team_slug: str
    role: str


def group_rules(entries: list[str] | None = None, *, setting: str = "LEARNLOOP_OIDC_GROUP_MAP") -> list[GroupRule]:
    """A group map's "group=team-slug:role" entries (role member when left out); SAML's too."""
    rules = []
    for entry in settings.OIDC_GROUP_MAP if entries is None else entries:
        group, equals, target = entry.rpartition("=")
        team_slug, _, role = target.partition(":")
        role = role.strip() or TeamRole.MEMBER
        if not equals or not group.strip() or not team_slug.strip() or role not in TeamRole.values:
            raise ImproperlyConfigured(
                f"{setting}: {entry!r} is not group=team-slug:role "
                f"(role one of {', '.join(TeamRole.values)})"
            )
        rules.append(GroupRule(group=group.strip(), team_slug=team_slug.strip(), role=role))
    return rules


def groups_in(claims: dict) -> set[str] | None:
    """The provider's groups, or None when no groups claim is configured or sent."""
    claim = settings.OIDC_GROUPS_CLAIM
    if not claim or claim not in claims:
        return None
    value = claims[claim]
    if isinstance(value, str):
        return {value}
    return {str(item) for item in value or []}


def sync_teams(person: Person, groups: set[str], rules: list[GroupRule], *, source: str = "oidc") -> None:
    """Make the person's membership of each mapped team match the provider's groups."""
    wanted: dict[str, str] = {}
    for rule in rules:
        if rule.group in groups:
            current = wanted.get(rule.team_slug)
            if current is None or _TEAM_ROLE_RANK[rule.role] > _TEAM_ROLE_RANK[current]:
                wanted[rule.team_slug] = rule.role
    managed = {rule.team_slug for rule in rules}
    teams = Team.objects.filter(slug__in=managed, archived_at__isnull=True)
    memberships = {m.team_id: m for m in Membership.objects.filter(person=person, team__in=teams)}
    with transaction.atomic():
        for team in teams:
            role, membership = wanted.get(team.slug), memberships.get(team.id)
            previous = membership.role if membership else None
            if role == previous:
                continue
            if membership is None:
                Membership.objects.create(person=person, team=team, role=role)
            elif role is None:
                membership.delete()
            else:
                membership.role = role
                membership.save(update_fields=["role"])
            if TeamRole.FACILITATOR in {role, previous}:
                record_audit_event(
                    kind=AuditKind.ROLE_CHANGED, actor_label=source, target=person.email,
                    detail={"scope": f"team:{team.slug}", "from": previous, "to": role},
                )


def record_refusal(refused: SignInRefused, *, ip_address: str | None) -> None:
    record_audit_event(
        kind=AuditKind.LOGIN_FAILED, actor_label="", ip_address=ip_address, target=refused.target,
        detail={"method": "oidc", "reason": refused.reason},
    )
