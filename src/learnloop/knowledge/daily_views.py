"""Knowledge in daily use: following entries, the notification list, answer votes and the
unanswered-questions queue. Views parse, call a service or selector, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.knowledge import selectors, services
from learnloop.knowledge.forms import FollowForm, MarkReadForm, UnansweredForm, VoteForm
from learnloop.knowledge.views import answers_partial
from learnloop.org.membership import member_team_ids
from learnloop.org.models import Team

PER_PAGE = 50


def _problem(form) -> str:
    return " ".join(message for errors in form.errors.values() for message in errors)


@login_required
@require_POST
def entry_follow(request, entry_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_problem(form))
    if form.cleaned_data["action"] == "follow":
        services.follow_entry(by=request.user, entry=entry)
        done = gettext("You follow this entry: you'll hear when it changes.")
    else:
        services.unfollow_entry(by=request.user, entry=entry)
        done = gettext("You no longer follow this entry.")
    if request.htmx:
        following = selectors.is_following(viewer=request.user, entry=entry)
        return render(request, "knowledge/_follow.html", {"entry": entry, "following": following, "done": done})
    messages.success(request, done)
    return redirect("knowledge:entry", entry.pk)


@login_required
@require_POST
def answer_vote(request, entry_id: int, answer_id: int):
    entry = selectors.entry_for(viewer=request.user, entry_id=entry_id)
    answer = selectors.answer_for(viewer=request.user, answer_id=answer_id, question=entry)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_problem(form))
    try:
        services.vote_on_answer(by=request.user, answer=answer, value=form.cleaned_data["value"])
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    if request.htmx:
        return answers_partial(request, entry.pk, answer_status=gettext("Your vote was recorded."))
    messages.success(request, gettext("Your vote was recorded."))
    return redirect(reverse("knowledge:entry", args=[entry.pk]) + f"#answer-{answer.pk}")


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_of(viewer=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "knowledge/notifications.html", {
        "page": page, "unread": selectors.unread_notification_count(viewer=request.user), "query_string": "",
    })


@login_required
@require_POST
def notifications_read(request):
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_problem(form))
    chosen = form.cleaned_data["notification"]
    count = services.mark_notifications_read(by=request.user, ids=None if chosen is None else [chosen])
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("knowledge:notifications")


@login_required
def unanswered(request):
    form = UnansweredForm(request.GET)
    team = None
    if form.is_valid() and form.cleaned_data["team"]:
        team = Team.objects.filter(pk=form.cleaned_data["team"]).first()
        if team is None:
            form.add_error("team", gettext("No team with this number."))
    mine = member_team_ids(request.user)
    teams = Team.objects.filter(archived_at__isnull=True).order_by("name")
    page = Paginator(selectors.unanswered_questions(viewer=request.user, team=team), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "knowledge/unanswered.html", {
        "page": page, "team": team, "teams": teams, "my_team_ids": mine, "form": form,
        "query_string": f"team={team.pk}&" if team else "",
    })
