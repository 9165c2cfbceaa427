"""Mentor matching pages: your offer and request, proposals waiting for your answer, the open
offers and requests you may see, and (learning leads and admins) rounds. Ending a pair too."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learnloop.growth import matching_forms as forms
from learnloop.growth import matching_selectors as selectors
from learnloop.growth import matching_services as services
from learnloop.growth import permissions
from learnloop.growth import selectors as growth_selectors
from learnloop.growth import services as growth_services
from learnloop.growth.forms import ButtonForm
from learnloop.growth.views import _attempt


@login_required
def matching(request, failed=None):
    viewer = request.user
    leads = permissions.sees_everyone(viewer)
    context = {
        "waiting": selectors.waiting_for(viewer),
        "my_proposals": selectors.proposals_of(viewer=viewer)[:20],
        "own_offer": selectors.own_offer(viewer=viewer), "own_request": selectors.own_request(viewer=viewer),
        "offers": selectors.offers_visible(viewer=viewer), "requests": selectors.requests_visible(viewer=viewer),
        "offer_form": forms.OfferForm(person=viewer), "request_form": forms.RequestForm(),
        "can_run": leads, "rounds": selectors.rounds(viewer=viewer)[:20] if leads else [],
        **(failed or {}),
    }
    if leads:
        offers, _, requests = services.pool()
        context["pool"] = {"offers": len(offers), "requests": len(requests)}
    return render(request, "growth/matching.html", context)


@login_required
@require_POST
def offer(request):
    form = forms.OfferForm(request.POST, person=request.user)
    if _attempt(form, lambda d: services.offer_mentoring(by=request.user, skills=list(d["skills"]),
                                                         capacity=d["capacity"], note=d["note"],
                                                         available_from=d["available_from"])):
        return redirect("growth:matching")
    return matching(request, failed={"offer_form": form})


@login_required
@require_POST
def ask(request):
    form = forms.RequestForm(request.POST)
    if _attempt(form, lambda d: services.request_mentoring(
            by=request.user, wanted=form.wanted(), not_my_manager=d["not_my_manager"],
            prefer_other_team=d["prefer_other_team"], note=d["note"], available_from=d["available_from"])):
        return redirect("growth:matching")
    return matching(request, failed={"request_form": form})


@login_required
@require_POST
def withdraw(request, kind, item_id):
    if kind == "offer":
        item = selectors.offer_for(viewer=request.user, offer_id=item_id)
    elif kind == "request":
        item = selectors.request_for(viewer=request.user, request_id=item_id)
    else:
        raise Http404("No such thing to withdraw.")
    form = ButtonForm(request.POST)
    if _attempt(form, lambda d: services.withdraw(by=request.user, item=item)):
        return redirect("growth:matching")
    return matching(request, failed={"withdraw_form": form})


@login_required
@require_POST
def answer(request, proposal_id):
    proposal = selectors.proposal_for(viewer=request.user, proposal_id=proposal_id)
    form = forms.AnswerForm(request.POST)
    if _attempt(form, lambda d: services.answer_proposal(by=request.user, proposal=proposal,
                                                         accept=d["answer"] == "accept")):
        return redirect("growth:matching")
    return matching(request, failed={"answer_form": form})


@login_required
@require_POST
def run_round(request):
    form = ButtonForm(request.POST)
    made = []
    if _attempt(form, lambda d: made.append(services.run_round(by=request.user))):
        return redirect("growth:round", made[0].pk)
    return matching(request, failed={"round_form": form})


@login_required
def matching_round(request, round_id, failed=None):
    found = selectors.round_detail(viewer=request.user, round_id=round_id)
    return render(request, "growth/round.html", {"round": found, **(failed or {})})


@login_required
@require_POST
def close_round(request, round_id):
    found = selectors.round_detail(viewer=request.user, round_id=round_id)
    form = ButtonForm(request.POST)
    if _attempt(form, lambda d: services.close_round(by=request.user, matching_round=found)):
        return redirect("growth:round", round_id)
    return matching_round(request, round_id, failed={"close_form": form})


@login_required
@require_POST
def end_pair(request, pair_id):
    """The mentor or the mentee ends their pair from its page; learning leads and admins from the
    list of every pair. Anyone else gets the 404 of a pair they can't see."""
    pair = growth_selectors.pair_to_end(viewer=request.user, pair_id=pair_id)
    growth_services.end_pair(by=request.user, pair=pair)
    if permissions.can_see_pair(request.user, pair):
        return redirect("growth:pair", pair_id)
    return redirect("growth:pairs")
