"""Invitation and reminder emails with the single-use link."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from learnloop.surveys.models import CampaignStatus, Invitation
from learnloop.surveys.tokens import token_for


def response_link(invitation) -> str:
    return f"{settings.BASE_URL}{reverse('surveys:respond', args=[token_for(invitation)])}"


def deliver_invitation(invitation_id: int, *, reminder: bool = False) -> bool:
    """Send one invitation or reminder; nothing for someone who has answered or a closed campaign."""
    invitation = (
        Invitation.objects.select_related("campaign", "person").filter(pk=invitation_id, responded=False).first()
    )
    if invitation is None or invitation.campaign.status != CampaignStatus.OPEN or not invitation.person.is_active:
        return False
    campaign = invitation.campaign
    subject = f"{'Reminder: ' if reminder else ''}{campaign.name}"
    body = render_to_string("surveys/email/invitation.txt", {
        "person": invitation.person, "campaign": campaign, "link": response_link(invitation), "reminder": reminder,
    })
    send_mail(subject[:200], body, None, [invitation.person.email])
    return True
