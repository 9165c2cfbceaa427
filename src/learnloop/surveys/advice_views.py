"""The named advice questions' page: the signed-in invitee names colleagues, with consent, and
sees only their own answers (surveys/advice.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from learnloop.org.models import Person
from learnloop.surveys import advice
from learnloop.surveys.forms import AdviceForm
from learnloop.surveys.models import Campaign


@login_required
def advice_page(request, campaign_id):
    campaign = get_object_or_404(Campaign.objects.select_related("instrument"), pk=campaign_id)
    items = advice.advice_items(campaign)
    if not items:
        return render(request, "surveys/respond_done.html",
                      {"message": _("This survey has no advice questions.")}, status=404)
    chosen = advice.own_answers(request.user, campaign)  # PermissionDenied (403) for anyone not invited
    errors = {}
    form = AdviceForm(request.POST or None, items=items)
    if request.method == "POST":
        answers = form.answers() if form.is_valid() else {item.key: [] for item in items}
        try:
            stored = advice.save_answers(by=request.user, campaign=campaign, answers=answers,
                                         consent=form.is_valid() and form.consented())
        except ValidationError as error:
            errors = ({key: " ".join(problems) for key, problems in error.message_dict.items()}
                      if hasattr(error, "error_dict") else {"__all__": " ".join(error.messages)})
            chosen = {key: [int(p) for p in people if str(p).isdigit()] for key, people in answers.items()}
        else:
            saved = ngettext("Saved: %(count)s colleague named.", "Saved: %(count)s colleagues named.", stored)
            messages.success(request, saved % {"count": stored} if stored
                             else _("Your advice answers are withdrawn; nothing is stored."))
            return redirect("surveys:advice", campaign_id=campaign.pk)
    colleagues = list(Person.objects.filter(is_active=True).exclude(pk=request.user.pk).order_by("full_name")
                      .values_list("pk", "full_name"))
    questions = [{"item": item, "chosen": set(chosen.get(item.key, [])), "error": errors.get(item.key, "")}
                 for item in items]
    return render(request, "surveys/advice.html", {
        "campaign": campaign, "questions": questions, "colleagues": colleagues, "errors": errors,
        "general_error": errors.get("__all__", ""),
        "has_answers": any(chosen.values()), "max_names": advice.MAX_NAMES,
    }, status=400 if errors else 200)
