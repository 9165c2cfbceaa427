"""Reads for mentor matching rounds, scoped to the viewer.

Offers and requests follow the profile rules (growth.permissions.can_see_profile): the person,
leads of their teams, learning leads and admins, and everyone when the person shares their profile.
A proposal is seen by its mentor, its mentee, learning leads and admins; rounds by learning leads
and admins.
"""

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from learnloop.growth import permissions
from learnloop.growth.matching_models import (
    Answer,
    MatchingRound,
    MatchProposal,
    MenteeRequest,
    MentorOffer,
    OpenStatus,
    ProposalStatus,
    WantedSkill,
)
from learnloop.growth.selectors import require_signed_in
from learnloop.org.membership import team_access


def _profile_visible(qs, viewer):
    """Rows whose person's profile the viewer may see (the same rule as people_visible)."""
    if permissions.sees_everyone(viewer):
        return qs
    led = team_access(viewer).led
    return qs.filter(Q(person=viewer) | Q(person__growth_profile__shared=True)
                     | Q(person__memberships__team_id__in=led)).distinct()


def offers_visible(*, viewer):
    require_signed_in(viewer)
    qs = (MentorOffer.objects.filter(status=OpenStatus.OPEN, person__is_active=True).select_related("person")
          .prefetch_related("skills").order_by("person__full_name", "id"))
    return _profile_visible(qs, viewer)


def requests_visible(*, viewer):
    require_signed_in(viewer)
    qs = (MenteeRequest.objects.filter(status=OpenStatus.OPEN, person__is_active=True).select_related("person")
          .prefetch_related(Prefetch("wanted", queryset=WantedSkill.objects.select_related("skill")))
          .order_by("person__full_name", "id"))
    return _profile_visible(qs, viewer)


def offer_for(*, viewer, offer_id: int) -> MentorOffer:
    offer = offers_visible(viewer=viewer).filter(pk=offer_id).first()
    if offer is None:
        raise Http404("No such mentor offer.")
    return offer


def request_for(*, viewer, request_id: int) -> MenteeRequest:
    found = requests_visible(viewer=viewer).filter(pk=request_id).first()
    if found is None:
        raise Http404("No such mentee request.")
    return found


def own_offer(*, viewer) -> MentorOffer | None:
    return offers_visible(viewer=viewer).filter(person=viewer).first()


def own_request(*, viewer) -> MenteeRequest | None:
    return requests_visible(viewer=viewer).filter(person=viewer).first()


def _proposals():
    return MatchProposal.objects.select_related("mentor", "mentee", "round")


def proposals_of(*, viewer):
    """The viewer's proposals, as mentor or mentee, waiting ones first."""
    require_signed_in(viewer)
    return _proposals().filter(Q(mentor=viewer) | Q(mentee=viewer)).order_by("-round__ran_at", "-id")


def waiting_for(viewer) -> list[MatchProposal]:
    """Proposals waiting for the viewer's own answer."""
    return list(_proposals().filter(Q(mentor=viewer, mentor_answer=Answer.PENDING)
                                    | Q(mentee=viewer, mentee_answer=Answer.PENDING),
                                    status=ProposalStatus.PROPOSED).order_by("id"))


def proposal_for(*, viewer, proposal_id: int) -> MatchProposal:
    require_signed_in(viewer)
    proposal = _proposals().filter(pk=proposal_id).first()
    if proposal is None or not (viewer.pk in (proposal.mentor_id, proposal.mentee_id)
                                or permissions.sees_everyone(viewer)):
        raise Http404("No such proposal.")
    return proposal


def rounds(*, viewer):
    require_signed_in(viewer)
    permissions.require(permissions.sees_everyone(viewer), "Only learning leads and admins see matching rounds.")
    return (MatchingRound.objects.select_related("run_by")
            .annotate(proposal_count=Count("proposals", distinct=True),
                      paired_count=Count("proposals", filter=Q(proposals__status=ProposalStatus.PAIRED),
                                         distinct=True))
            .order_by("-ran_at", "-id"))


def round_detail(*, viewer, round_id: int) -> MatchingRound:
    require_signed_in(viewer)
    found = (MatchingRound.objects.select_related("run_by")
             .prefetch_related(Prefetch("proposals", queryset=MatchProposal.objects.select_related("mentor", "mentee")
                                        .order_by("-score", "id")))
             .filter(pk=round_id).first())
    if found is None or not permissions.sees_everyone(viewer):
        raise Http404("No such matching round.")
    return found
