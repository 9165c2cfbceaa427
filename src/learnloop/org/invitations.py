"""Invitations by email: an expiring, single-use link that creates the invitee's account."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from learnloop.accounts.tokens import hash_secret, new_secret
from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.org.models import Invitation, Membership, OrgRole, Person, Team, TeamRole
from learnloop.org.permissions import require_admin
from learnloop.org.services import clean_email


def invitation_url(raw_token: str, *, base_url: str | None = None) -> str:
    return f"{(base_url or settings.BASE_URL).rstrip('/')}{reverse('org:accept-invitation', args=[raw_token])}"


def invite_person(
    *,
    by,
    email: str,
    full_name: str = "",
    title: str = "",
    role: str = OrgRole.MEMBER,
    team: Team | None = None,
    team_role: str = TeamRole.MEMBER,
    base_url: str | None = None,
    ip_address: str | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation, email its link and return it with the link (shown once)."""
    require_admin(by, "invite people")
    email = clean_email(email)
    if role not in OrgRole.values:
        raise ValidationError({"role": gettext("Role must be one of: %(values)s.") % {
            "values": ', '.join(OrgRole.values)}})
    if team_role not in TeamRole.values:
        raise ValidationError({"team_role": gettext("Team role must be one of: %(values)s.") % {
            "values": ', '.join(TeamRole.values)}})
    if Person.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": gettext("%(email)s already has an account.") % {"email": email}})
    if team is not None and team.is_archived:
        raise ValidationError({"team": gettext("%(name)s is archived; invite them to an active team.") % {
            "name": team.name}})
    raw = new_secret("inv_")
    now = timezone.now()
    with transaction.atomic():
        # A newer invitation replaces any pending one, so only the latest link works.
        Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            email=email,
            full_name=(full_name or "").strip(),
            title=(title or "").strip(),
            role=role,
            team=team,
            team_role=team_role,
            token_hash=hash_secret(raw),
            invited_by=by,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        record_audit_event(
            kind=AuditKind.INVITATION_SENT,
            actor=by,
            ip_address=ip_address,
            target=email,
            detail={"role": role, "team": team.slug if team else None},
        )
    url = invitation_url(raw, base_url=base_url)
    # The invitee has no account, so no language of their own yet: the email is written in the
    # inviting admin's (the active one).
    values = {"inviter": by.full_name, "name": invitation.full_name,
              "until": date_format(invitation.expires_at, "j F Y"), "url": url}
    greeting = gettext("Hello %(name)s,") if invitation.full_name else gettext("Hello,")
    send_mail(
        subject=gettext("%(inviter)s invited you to Learnloop") % values,
        message=(greeting % values) + "\n\n" + gettext(
            "%(inviter)s invited you to join your organization's Learnloop.\n"
            "Create your account here (the link works once, until %(until)s):\n\n%(url)s\n"
        ) % values,
        from_email=None,
        recipient_list=[email],
    )
    return invitation, url


def pending_invitation(raw_token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_hash=hash_secret(raw_token or "")).first()
    if invitation is None or invitation.status != "pending":
        return None
    return invitation


def accept_invitation(*, raw_token: str, full_name: str, password: str, ip_address: str | None = None) -> Person:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=hash_secret(raw_token or "")).first()
        if invitation is None or invitation.status != "pending":
            raise ValidationError({"token":
                gettext("This invitation link is no longer valid. Ask an admin for a new one.")})
        full_name = (full_name or "").strip() or invitation.full_name
        if not full_name:
            raise ValidationError({"full_name": gettext("Tell us your name.")})
        if Person.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError({"token": gettext("%(email)s already has an account.") % {"email": invitation.email}})
        person = Person(email=invitation.email, full_name=full_name, title=invitation.title, role=invitation.role)
        try:
            validate_password(password, person)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        person.set_password(password)
        person.save()
        if invitation.team is not None and not invitation.team.is_archived:
            Membership.objects.create(person=person, team=invitation.team, role=invitation.team_role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = person
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_audit_event(kind=AuditKind.INVITATION_ACCEPTED, actor=person, ip_address=ip_address, target=person.email)
    return person


def revoke_invitation(*, by, invitation: Invitation, ip_address: str | None = None) -> Invitation:
    require_admin(by, "revoke invitations")
    if invitation.status != "pending":
        raise ValidationError({"invitation": gettext("This invitation is already %(status)s.") % {
            "status": invitation.status}})
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record_audit_event(kind=AuditKind.INVITATION_REVOKED, actor=by, ip_address=ip_address, target=invitation.email)
    return invitation
