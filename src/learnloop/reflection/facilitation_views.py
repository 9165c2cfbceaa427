"""The facilitator's timer and discussion notes, and the session summary (page, Markdown, PDF,
email, share link). Forms post and come back to the board like views.py's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from learnloop.reflection import checkin, facilitation, forms, selectors, summary
from learnloop.reflection.forms import cleaned
from learnloop.reflection.permissions import can_facilitate
from learnloop.reflection.views import _post_action

SUMMARY_FORMATS = {"md": ("text/markdown; charset=utf-8", "md"), "pdf": ("application/pdf", "pdf")}


@_post_action
def timer(request, session, key):
    if cleaned(forms.StopForm(request.POST))["stop"]:
        facilitation.stop_timer(by=request.user, session=session)
        return gettext("Timer stopped.")
    data = cleaned(forms.TimerForm(request.POST))
    facilitation.start_timer(by=request.user, session=session, minutes=data["minutes"],
                             auto_advance=data["auto_advance"])
    if data["auto_advance"]:
        return gettext("Timer set: %(minutes)s minutes, then the next phase.") % {"minutes": data["minutes"]}
    return gettext("Timer set: %(minutes)s minutes.") % {"minutes": data["minutes"]}


@_post_action
def checkin_question(request, session, key):
    question = cleaned(forms.CheckInQuestionForm(request.POST))["question"]
    session = checkin.set_question(by=request.user, session=session, question=question)
    return gettext("Check-in question set.") if session.checkin_question else gettext("No check-in round this time.")


@_post_action
def checkin_answer(request, session, key):
    checkin.answer(by=request.user, session=session, text=cleaned(forms.CheckInAnswerForm(request.POST))["text"],
                   writer_key=key)
    return gettext("Your check-in is in. Everyone's answers show when the session moves on to Reflect.")


@_post_action
def notes(request, session, key):
    data = cleaned(forms.GroupNotesForm(request.POST))
    group = facilitation.write_notes(by=request.user, session=session,
                                     group=selectors.group_in(session, data["group"]),
                                     notes=data["notes"], decision=data["decision"])
    return gettext("Notes saved for “%(title)s”.") % {"title": group.title}


def _render_summary(request, session, *, shared: bool):
    try:
        found = summary.summary_for(request.user, session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reflection:session", session.pk)
    wanted = request.GET.get("format", "")
    if wanted in SUMMARY_FORMATS:
        content_type, extension = SUMMARY_FORMATS[wanted]
        body = summary.as_markdown(found).encode() if wanted == "md" else summary.as_pdf(found)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-summary.{extension}"'
        return response
    if wanted:
        return HttpResponse("format: choose md or pdf.", status=400, content_type="text/plain")
    return render(request, "reflection/summary.html", {
        "summary": found, "session": session, "shared": shared,
        "facilitating": not shared and can_facilitate(request.user, session),
    })


@login_required
def summary_page(request, session_id: int):
    return _render_summary(request, selectors.session_for(request.user, session_id), shared=False)


@login_required
def shared_summary(request, token: str):
    return _render_summary(request, summary.shared_session(request.user, token), shared=True)


@login_required
@require_POST
def share_summary(request, session_id: int):
    session = selectors.session_for(request.user, session_id)
    try:
        if cleaned(forms.StopForm(request.POST))["stop"]:
            summary.unshare(by=request.user, session=session)
            messages.success(request, gettext("The share link no longer works."))
        else:
            token = summary.share(by=request.user, session=session)
            link = request.build_absolute_uri(reverse("reflection:shared-summary", args=[token]))
            messages.success(
                request,
                gettext(
                    "Share link (shown once; anyone signed in to Learnloop can read the summary "
                    "with it, as themself): %(link)s"
                )
                % {"link": link},
            )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    return redirect("reflection:summary", session.pk)


@login_required
@require_POST
def email_summary(request, session_id: int):
    session = selectors.session_for(request.user, session_id)
    try:
        sent = summary.email_participants(
            by=request.user, session=session, base_url=request.build_absolute_uri("/").rstrip("/")
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        messages.success(
            request,
            ngettext("Summary sent to %(count)s participant.", "Summary sent to %(count)s participants.", sent)
            % {"count": sent}
            if sent
            else gettext("Everyone who took part already has this summary."),
        )
    return redirect("reflection:summary", session.pk)
