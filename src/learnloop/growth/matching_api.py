"""API for mentor matching rounds, mounted at /api/v1/growth/mentoring: offers, requests, rounds
and answers to proposals. The same services and selectors as the pages, so the same rules."""

from django.core.exceptions import ValidationError
from ninja import Router, Status
from ninja.pagination import paginate

from learnloop.api_base import Id, Pagination, Shown, errors
from learnloop.growth import matching_selectors as selectors
from learnloop.growth import matching_services as services
from learnloop.growth.matching_api_schemas import (
    GrowthAnswerIn,
    GrowthOfferIn,
    GrowthOfferOut,
    GrowthProposalOut,
    GrowthRequestIn,
    GrowthRequestOut,
    GrowthRoundDetailOut,
    GrowthRoundOut,
)
from learnloop.growth.matching_models import MenteeRequest, MentorOffer
from learnloop.growth.models import Skill

router = Router(tags=["growth"])


def _skills(ids, field: str) -> dict[int, Skill]:
    found = Skill.objects.in_bulk(list(ids))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"No skill with id {missing[0]}."})
    return found


def _offer_out(offer: MentorOffer) -> dict:
    return {"id": offer.pk, "person_id": offer.person_id, "person": offer.person.full_name,
            "skill_ids": sorted(s.pk for s in offer.skills.all()), "capacity": offer.capacity, "note": offer.note,
            "available_from": offer.available_from, "status": offer.status, "created_at": offer.created_at}


def _request_out(request: MenteeRequest) -> dict:
    return {"id": request.pk, "person_id": request.person_id, "person": request.person.full_name,
            "wanted": [{"skill_id": w.skill_id, "skill": w.skill.name, "target_level": w.target_level}
                       for w in request.wanted.all()],
            "not_my_manager": request.not_my_manager, "prefer_other_team": request.prefer_other_team,
            "note": request.note, "available_from": request.available_from, "status": request.status,
            "created_at": request.created_at}


def _proposal_out(p) -> dict:
    return {"id": p.pk, "round_id": p.round_id, "mentor_id": p.mentor_id, "mentee_id": p.mentee_id,
            "score": p.score, "cross_team": p.cross_team, "explanation": p.explanation,
            "mentor_answer": p.mentor_answer, "mentee_answer": p.mentee_answer, "status": p.status,
            "pair_id": p.pair_id}


def _round_out(r) -> dict:
    return {"id": r.pk, "run_by_id": r.run_by_id, "status": r.status, "mentor_count": r.mentor_count,
            "mentee_count": r.mentee_count, "total_score": r.total_score, "ran_at": r.ran_at,
            "closed_at": r.closed_at}


@router.get("/offers", response=list[GrowthOfferOut], summary="Open mentor offers of people whose profile you see")
@paginate(Pagination)
def list_offers(request):
    return Shown(selectors.offers_visible(viewer=request.user), _offer_out)


@router.post("/offers", response={201: GrowthOfferOut}, summary="Offer to mentor (replaces your open offer)")
def offer(request, payload: GrowthOfferIn):
    skills = _skills(payload.skill_ids, "skill_ids")
    made = services.offer_mentoring(by=request.user, skills=[skills[i] for i in payload.skill_ids],
                                    capacity=payload.capacity, note=payload.note,
                                    available_from=payload.available_from)
    return Status(201, _offer_out(selectors.offer_for(viewer=request.user, offer_id=made.pk)))


@router.post("/offers/{offer_id}/withdraw", response={200: GrowthOfferOut, **errors(403)},
             summary="Withdraw your mentor offer")
def withdraw_offer(request, offer_id: Id):
    found = selectors.offer_for(viewer=request.user, offer_id=offer_id)
    return _offer_out(services.withdraw(by=request.user, item=found))


@router.get("/requests", response=list[GrowthRequestOut],
            summary="Open mentee requests of people whose profile you see")
@paginate(Pagination)
def list_requests(request):
    return Shown(selectors.requests_visible(viewer=request.user), _request_out)


@router.post("/requests", response={201: GrowthRequestOut}, summary="Ask for a mentor (replaces your open request)")
def ask(request, payload: GrowthRequestIn):
    skills = _skills([w.skill_id for w in payload.wanted], "wanted")
    made = services.request_mentoring(by=request.user, wanted=[(skills[w.skill_id], w.target_level)
                                                               for w in payload.wanted],
                                      not_my_manager=payload.not_my_manager,
                                      prefer_other_team=payload.prefer_other_team, note=payload.note,
                                      available_from=payload.available_from)
    return Status(201, _request_out(selectors.request_for(viewer=request.user, request_id=made.pk)))


@router.post("/requests/{request_id}/withdraw", response={200: GrowthRequestOut, **errors(403)},
             summary="Withdraw your mentee request")
def withdraw_request(request, request_id: Id):
    found = selectors.request_for(viewer=request.user, request_id=request_id)
    return _request_out(services.withdraw(by=request.user, item=found))


@router.get("/rounds", response={200: list[GrowthRoundOut], **errors(403)},
            summary="Matching rounds, newest first (learning leads and admins)")
@paginate(Pagination)
def list_rounds(request):
    return Shown(selectors.rounds(viewer=request.user), _round_out)


def _round_detail(viewer, round_id: int) -> dict:
    found = selectors.round_detail(viewer=viewer, round_id=round_id)
    return {**_round_out(found), "proposals": [_proposal_out(p) for p in found.proposals.all()]}


@router.post("/rounds", response={201: GrowthRoundDetailOut, **errors(403)},
             summary="Run a matching round on the open offers and requests (learning leads and admins)")
def run_round(request):
    made = services.run_round(by=request.user)
    return Status(201, _round_detail(request.user, made.pk))


@router.get("/rounds/{round_id}", response=GrowthRoundDetailOut, summary="A matching round with its proposals")
def get_round(request, round_id: Id):
    return _round_detail(request.user, round_id)


@router.post("/rounds/{round_id}/close", response={200: GrowthRoundOut, **errors(403)},
             summary="Close a round: proposals still waiting expire")
def close_round(request, round_id: Id):
    found = selectors.round_detail(viewer=request.user, round_id=round_id)
    return _round_out(services.close_round(by=request.user, matching_round=found))


@router.get("/proposals", response=list[GrowthProposalOut], summary="Your proposals, as mentor or mentee")
@paginate(Pagination)
def list_proposals(request):
    return Shown(selectors.proposals_of(viewer=request.user), _proposal_out)


@router.post("/proposals/{proposal_id}/answer", response={200: GrowthProposalOut, **errors(403)},
             summary="Accept or decline a proposal, for yourself")
def answer(request, proposal_id: Id, payload: GrowthAnswerIn):
    found = selectors.proposal_for(viewer=request.user, proposal_id=proposal_id)
    return _proposal_out(services.answer_proposal(by=request.user, proposal=found, accept=payload.accept))
