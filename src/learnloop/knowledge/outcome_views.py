"""The two doors from an action's answered check into the knowledge base (outcomes.py): a new
lesson, or evidence added to an existing one. The forms sit on the action's page; refusals go
back there as a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.knowledge import outcomes, selectors
from learnloop.knowledge.forms import OutcomeAddForm, OutcomeLessonForm


def _back(request, action_id: int, error) -> object:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text or gettext("That did not work."))
    return redirect("actions:detail", action_id)


@login_required
@require_POST
def lesson_from_outcome(request, action_id: int):
    form = OutcomeLessonForm(request.POST)
    if not form.is_valid():
        return _back(request, action_id, ValidationError(form.errors.as_text()))
    try:
        entry = outcomes.lesson_from_outcome(by=request.user, action_id=action_id, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        return _back(request, action_id, error)
    messages.success(request, gettext("The result is now a lesson, with the check as its evidence."))
    return redirect("knowledge:entry", entry.pk)


@login_required
@require_POST
def add_outcome(request, action_id: int):
    form = OutcomeAddForm(request.POST)
    if not form.is_valid():
        return _back(request, action_id, ValidationError(gettext("Choose a lesson.")))
    try:
        entry = selectors.entry_for(viewer=request.user, entry_id=form.cleaned_data["entry"])
        outcomes.add_outcome(by=request.user, entry=entry, action_id=action_id)
    except Http404:
        return _back(request, action_id, ValidationError(gettext("Choose a lesson you can see.")))
    except (ValidationError, PermissionDenied) as error:
        return _back(request, action_id, error)
    messages.success(request, gettext("The result was added to the lesson's evidence."))
    return redirect("knowledge:entry", entry.pk)
