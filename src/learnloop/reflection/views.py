"""Session pages: the list, the board for each phase, the live status partial, and the forms.

Every form posts, calls a service and redirects back to the board (errors come back as
messages, nothing typed into other forms is lost because each form is its own). The board polls
a small status partial every two seconds; when the phase changes or cards are revealed the
partial tells htmx to reload the page, so everyone moves on together.

The writer key lives in an HttpOnly cookie scoped to /sessions/<id>/, set on the first visit.
It is never put in the Django session, which is a database row tied to the person. Opening the
board is also what makes someone a participant (see services.join_session).

Writes name the card or group they touch in the form body, never in the path: URLs end up in
access logs with the client's address and time, and "this address voted for group X" is exactly
what an anonymous vote must not say. Every session uses the same URLs, whatever its anonymity.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from learnloop.org.membership import active_members
from learnloop.org.models import Team
from learnloop.reflection import cards as card_services
from learnloop.reflection import checkin, follow_up, forms, selectors, services
from learnloop.reflection.facilitation import timer_of
from learnloop.reflection.forms import cleaned
from learnloop.reflection.metrics import teams_learning_metrics
from learnloop.reflection.models import PHASE_ORDER, Anonymity, Phase, TemplateKind
from learnloop.reflection.permissions import can_facilitate, can_take_part, teams_where_can_start_session
from learnloop.reflection.summary import available as summary_available
from learnloop.reflection.writer_keys import cookie_name, is_well_formed, new_key
from learnloop.web.forms import ExportForm, apply_validation_error
from learnloop.web.tables import export_response

COOKIE_AGE = 180 * 24 * 3600


def _writer_key(request, session) -> str | None:
    key = request.COOKIES.get(cookie_name(session.pk, secure=request.is_secure()))
    return key if is_well_formed(key) else None


def _with_key(request, session, response):
    if _writer_key(request, session) is None:
        response.set_cookie(
            cookie_name(session.pk, secure=request.is_secure()), new_key(), max_age=COOKIE_AGE,
            path=f"/sessions/{session.pk}/", httponly=True, samesite="Lax", secure=request.is_secure(),
        )
    return response


def _back(session):
    return redirect("reflection:session", session.pk)


def _refused(form, error) -> None:
    """A service's refusal, shown on the form that asked."""
    if isinstance(error, ValidationError):
        apply_validation_error(form, error)
    else:
        form.add_error(None, str(error) or gettext("You can't do that."))


def _error(request, error) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, str(error) or gettext("You can't do that."))


# --- list and create ---------------------------------------------------------------------------------------


@login_required
def session_list(request):
    teams = teams_where_can_start_session(request.user, Team.objects.filter(archived_at=None))
    templates = selectors.templates_for(request.user)
    form = forms.SessionForm(request.POST or None, teams=teams, templates=templates)
    if form.is_bound and form.is_valid():
        try:
            template = selectors.template_for(request.user, int(form.cleaned_data["template"]))
            session = services.create_session(by=request.user, template=template, **form.session())
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            return redirect("reflection:session", session.pk)
    sessions = selectors.sessions_for(request.user)
    running = list(sessions.exclude(phase=Phase.CLOSED))
    past = list(sessions.filter(phase=Phase.CLOSED)[:100])
    today = timezone.localdate()
    shown = [team for team in teams if team.kind == "team"][:10]
    figures = teams_learning_metrics(teams=shown, since=today - timedelta(days=365), until=today)
    metrics = [(team, figures[team.pk]) for team in shown]
    return render(request, "reflection/session_list.html", {
        "metrics": metrics,
        "running": running, "past": past, "teams": teams, "form": form,
    })


# --- the board ---------------------------------------------------------------------------------------------


@login_required
def session_page(request, session_id: int):
    session = services.advance_if_due(selectors.session_for(request.user, session_id))
    key = _writer_key(request, session)
    viewer = request.user
    if can_take_part(viewer, session) and not session.is_closed:
        services.join_session(by=viewer, session=session)
    cards = selectors.cards_for(viewer, session, key)
    facilitating = can_facilitate(viewer, session)
    context = {
        "session": session,
        "status": selectors.status_of(session),
        "columns": selectors.columns_with_cards(session, cards),
        "groups": selectors.groups_with_cards(session, cards),
        "facilitating": facilitating,
        "taking_part": can_take_part(viewer, session),
        "phases": [(value, label, index) for index, (value, label) in enumerate(Phase.choices)],
        "next_phase": PHASE_ORDER[session.phase_index + 1] if not session.is_closed else "",
        "previous_phase": PHASE_ORDER[session.phase_index - 1] if 0 < session.phase_index < 6 else "",
        "next_phase_label": Phase(PHASE_ORDER[session.phase_index + 1]).label if not session.is_closed else "",
        "previous_phase_label": Phase(PHASE_ORDER[session.phase_index - 1]).label
        if 0 < session.phase_index < 6
        else "",
        "higher_anonymity": Anonymity.choices[[value for value, _ in Anonymity.choices].index(session.anonymity) + 1 :],
        "decide_notes": session.template.kind == TemplateKind.CRITIQUE and viewer.pk == session.work_owner_id,
        "votes_left": selectors.votes_left(viewer, session),
        "my_votes": {str(k): v for k, v in card_services.my_votes(session, key).items()},
        "show_votes": session.tallies_shown,
        "restarts_vote": session.phase == Phase.DISCUSS and session.tallies_shown,
        "anonymity_weak": selectors.anonymity_weak(session),
        "anonymity_minimum": settings.ANONYMITY_MIN_PARTICIPANTS,
        "timer": timer_of(session),
        "timer_can_advance": session.phase in services.PHASES_THAT_END_ON_THEIR_OWN,
        "summary_ready": summary_available(session),
        "checkin": checkin.round_for(viewer, session, key),
        "suggested_questions": checkin.SUGGESTED_QUESTIONS,
    }
    if session.phase == Phase.GROUP:
        context["suggestions"] = selectors.suggested_groups(session, cards)
    if session.phase == Phase.PREPARE:
        context["related_lessons"] = selectors.related_lessons(viewer, session)
        context["earlier_actions"] = follow_up.earlier_open_actions(session)
    if session.phase in {Phase.DISCUSS, Phase.ACTIONS, Phase.CLOSED}:
        context["actions"] = follow_up.actions_of(session)
        context["lessons"] = selectors.lessons_of(session, viewer)
        context["lessons_here"] = selectors.lessons_here(viewer, session)
        context["team_people"] = active_members(session.team)
    return _with_key(request, session, render(request, "reflection/session.html", context))


@login_required
def session_status(request, session_id: int):
    """The live partial, polled every two seconds."""
    session = services.advance_if_due(selectors.session_for(request.user, session_id))
    seen = f"{request.GET.get('phase', '')}:{request.GET.get('revealed', '')}"
    response = render(request, "reflection/_status.html", {"session": session, "status": selectors.status_of(session)})
    if seen != f"{session.phase}:{int(session.revealed)}":
        response["HX-Refresh"] = "true"
    return response


def _post_action(view):
    """Wrap a form handler: find the session, run the service, report problems, go back."""

    @login_required
    @require_POST
    def wrapper(request, session_id: int, **kwargs):
        session = selectors.session_for(request.user, session_id)
        try:
            message = view(request, session, _writer_key(request, session), **kwargs)
        except (ValidationError, PermissionDenied) as error:
            _error(request, error)
        else:
            if message:
                messages.success(request, message)
        return _back(session)

    return wrapper


@_post_action
def change_phase(request, session, key):
    phase = cleaned(forms.PhaseForm(request.POST))["phase"]
    session = services.set_phase(by=request.user, session=session, phase=phase)
    return gettext("Moved to %(phase)s.") % {"phase": str(session.get_phase_display()).lower()}


@_post_action
def reveal(request, session, key):
    services.reveal(by=request.user, session=session)
    return gettext("Cards revealed.")


@_post_action
def raise_anonymity(request, session, key):
    anonymity = cleaned(forms.AnonymityForm(request.POST))["anonymity"]
    session = services.raise_anonymity(by=request.user, session=session, anonymity=anonymity)
    return gettext("This session is now %(anonymity)s.") % {"anonymity": str(session.get_anonymity_display()).lower()}


@_post_action
def vote_budget(request, session, key):
    budget = cleaned(forms.VoteBudgetForm(request.POST))["vote_budget"]
    services.set_vote_budget(by=request.user, session=session, budget=budget)
    return ngettext("Everyone has %(count)s vote.", "Everyone has %(count)s votes.", budget) % {"count": budget}


@_post_action
def done(request, session, key):
    services.mark_done(by=request.user, session=session)
    return gettext("Marked as done.")


@_post_action
def write_card(request, session, key):
    data = cleaned(forms.CardForm(request.POST))
    card_services.write_card(by=request.user, session=session, column=data["column"], text=data["text"], writer_key=key)
    return gettext("Card added.")


def _card(session, data):
    """The card a form names in its body ("card")."""
    return selectors.card_in(session, data["card"])


def _optional(lookup, session, reference):
    return lookup(session, reference) if reference else None


@_post_action
def edit_card(request, session, key):
    data = cleaned(forms.CardTextForm(request.POST))
    card_services.edit_card(
        by=request.user, session=session, card=_card(session, data), text=data["text"], writer_key=key
    )
    return gettext("Card updated.")


@_post_action
def react(request, session, key):
    data = cleaned(forms.ReactionForm(request.POST))
    added = card_services.toggle_reaction(
        by=request.user, session=session, card=_card(session, data), emoji=data["emoji"], writer_key=key
    )
    return "" if added else gettext("Reaction taken back.")


@_post_action
def rename_group(request, session, key):
    data = cleaned(forms.GroupRenameForm(request.POST))
    group = card_services.rename_group(
        by=request.user, session=session, group=selectors.group_in(session, data["group"]), title=data["title"]
    )
    return gettext("Group renamed to “%(title)s”.") % {"title": group.title}


@_post_action
def delete_card(request, session, key):
    card = _card(session, cleaned(forms.CardReferenceForm(request.POST)))
    card_services.delete_card(by=request.user, session=session, card=card, writer_key=key)
    return gettext("Card removed.")


@_post_action
def group_cards(request, session, key):
    data = cleaned(forms.GroupCardsForm(request.POST))
    chosen = [selectors.card_in(session, card_id) for card_id in data["cards"]]
    card_services.group_cards(
        by=request.user,
        session=session,
        cards=chosen,
        title=data["title"],
        group=_optional(selectors.group_in, session, data["group"]),
    )
    return gettext("Cards grouped.")


@_post_action
def ungroup_card(request, session, key):
    card = _card(session, cleaned(forms.CardReferenceForm(request.POST)))
    card_services.ungroup_card(by=request.user, session=session, card=card)
    return gettext("Card taken out of its group.")


@_post_action
def vote(request, session, key):
    data = cleaned(forms.VoteForm(request.POST))
    group = selectors.group_in(session, data["group"])
    if data["op"] == "withdraw":
        card_services.withdraw_vote(by=request.user, session=session, group=group, writer_key=key)
        return gettext("Vote withdrawn.")
    card_services.cast_vote(by=request.user, session=session, group=group, writer_key=key)
    return gettext("Vote cast.")


@_post_action
def add_why(request, session, key):
    data = cleaned(forms.WhyForm(request.POST))
    card_services.add_why(by=request.user, session=session, card=_card(session, data), text=data["text"])
    return gettext("Why added.")


@_post_action
def decide_note(request, session, key):
    data = cleaned(forms.NoteDecisionForm(request.POST))
    card_services.decide_note(
        by=request.user, session=session, card=_card(session, data), decision=data["decision"], reason=data["reason"]
    )
    return gettext("Decision recorded.")


@_post_action
def create_action(request, session, key):
    data = cleaned(forms.SessionActionForm(request.POST))
    follow_up.create_session_action(
        by=request.user,
        session=session,
        title=data["title"],
        owner=data["owner"],
        due_on=data["due_on"],
        group=_optional(selectors.group_in, session, data["group"]),
    )
    return gettext("Action created.")


@_post_action
def promote(request, session, key):
    data = cleaned(forms.PromoteForm(request.POST))
    entry = follow_up.promote_to_lesson(
        by=request.user,
        session=session,
        title=data["title"],
        body=data["body"],
        group=_optional(selectors.group_in, session, data["group"]),
        card=_optional(selectors.card_in, session, data["card"]),
    )
    return gettext("Lesson “%(title)s” added to the knowledge base.") % {"title": entry.title}


@_post_action
def review_action(request, session, key, action_id):
    action = next((a for a in follow_up.earlier_open_actions(session) if str(a.pk) == str(action_id)), None)
    if action is None:
        raise ValidationError({"action": gettext("That action is not open any more.")})
    data = cleaned(forms.ReviewForm(request.POST))
    follow_up.review_earlier_action(
        by=request.user, session=session, action=action, outcome=data["outcome"], reason=data["reason"]
    )
    return gettext("Action reviewed.")


def session_url(session) -> str:
    return reverse("reflection:session", args=[session.pk])


# --- exports (docs/exports.md) -----------------------------------------------------------------------------


@login_required
def sessions_export(request):
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.problem())
    return export_response(
        fmt=form.format_name(),
        filename="sessions",
        columns=selectors.SESSION_EXPORT_COLUMNS,
        rows=selectors.session_export_rows(request.user),
    )


@login_required
def cards_export(request, session_id: int):
    """The cards as the board shows them to this viewer (their writer key cookie included)."""
    session = selectors.session_for(request.user, session_id)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.problem())
    rows = selectors.card_export_rows(request.user, session, _writer_key(request, session))
    return export_response(
        fmt=form.format_name(), filename=f"session-{session.pk}-cards", columns=selectors.CARD_EXPORT_COLUMNS, rows=rows
    )
