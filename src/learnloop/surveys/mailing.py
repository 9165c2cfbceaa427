"""Invitation and reminder emails with the single-use link."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from learnloop.ops.mail import send_once
from learnloop.surveys.models import CampaignStatus, Invitation
from learnloop.surveys.tokens import token_for


def response_link(invitation) -> str:
    return f"{settings.BASE_URL}{reverse('surveys:respond', args=[token_for(invitation)])}"


def email_key(invitation_id: int, *, reminder: bool, number: int) -> str:
    """The logical event: the invitation itself, or its n-th reminder."""
    return f"survey-reminder:{invitation_id}:{number}" if reminder else f"survey-invitation:{invitation_id}"


def deliver_invitation(invitation_id: int, *, reminder: bool = False, number: int | None = None) -> bool:
    """Send one invitation or reminder; nothing for someone who has answered or a closed campaign.

    Each invitation, and each numbered reminder of it, is sent at most once (see ops.mail).
    `number` is the reminder's ordinal; tasks queued before it existed use the invitation's count.
    """
    invitation = (
        Invitation.objects.select_related("campaign", "person").filter(pk=invitation_id, responded=False).first()
    )
    if invitation is None or invitation.campaign.status != CampaignStatus.OPEN or not invitation.person.is_active:
        return False
    campaign = invitation.campaign
    subject = (_("Reminder: %(name)s") % {"name": campaign.name}) if reminder else campaign.name
    body = render_to_string("surveys/email/invitation.txt", {
        "person": invitation.person, "campaign": campaign, "link": response_link(invitation), "reminder": reminder,
    })
    number = invitation.reminders_sent if number is None else number
    return send_once(email_key(invitation.pk, reminder=reminder, number=number), subject[:200], body,
                     [invitation.person.email])
