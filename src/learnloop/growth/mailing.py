"""The email telling a mentor and a mentee that a matching round proposed them to each other."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from learnloop.growth.matching_models import MatchProposal, ProposalStatus
from learnloop.ops.mail import send_once


def deliver_proposal(proposal_id: int) -> int:
    """Email both people of a proposal still waiting for answers, each at most once (ops.mail's
    ledger). Returns how many emails went out now."""
    proposal = (MatchProposal.objects.select_related("mentor", "mentee")
                .filter(pk=proposal_id, status=ProposalStatus.PROPOSED).first())
    if proposal is None:
        return 0
    link = settings.BASE_URL + reverse("growth:matching")
    sent = 0
    for person, role, other in ((proposal.mentor, "mentor", proposal.mentee),
                                (proposal.mentee, "mentee", proposal.mentor)):
        if not person.is_active or not person.email:
            continue
        body = render_to_string("growth/email/proposal.txt", {"person": person, "role": role, "other": other,
                                                              "proposal": proposal, "link": link})
        subject = f"Mentoring: you and {other.full_name}?"[:200]
        sent += send_once(f"mentoring-proposal:{proposal.pk}:{role}", subject, body, [person.email])
    return sent
