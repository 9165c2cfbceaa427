"""The chat channels page: a team's leads connect Slack, Teams or Mattermost (chat.py decides)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.integrations import chat
from learnloop.integrations.chat_forms import ChatChannelActionForm, ChatChannelForm
from learnloop.integrations.chat_models import ChatEvent
from learnloop.web.forms import apply_validation_error


@login_required
def chat_channels(request):
    teams = chat.teams_to_connect(request.user)
    form = ChatChannelForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            chat.connect(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            team_name = form.cleaned_data["team"].name
            messages.success(request, _("Chat channel connected for %(team)s.") % {"team": team_name})
            return redirect("integrations:chat")
    channels = list(chat.channels_for(request.user))
    for channel in channels:
        channel.host = chat.host_of(channel)
        channel.notice_labels = [str(ChatEvent(name).label) for name in channel.events if name in ChatEvent.values]
    status = 400 if request.method == "POST" else 200
    return render(request, "integrations/chat.html",
                  {"form": form, "channels": channels, "can_connect": teams.exists()}, status=status)


@login_required
@require_POST
def chat_channel_action(request):
    form = ChatChannelActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a channel and what to do with it."))
        return redirect("integrations:chat")
    channel = chat.channels_for(request.user).filter(pk=form.cleaned_data["channel"]).first()
    if channel is None:
        raise Http404("No such chat channel, or not one of a team you lead.")
    if form.cleaned_data["action"] == "disconnect":
        chat.disconnect(by=request.user, channel=channel)
        messages.success(request, _("Chat channel of %(team)s disconnected.") % {"team": channel.team.name})
    elif chat.send_test(by=request.user, channel=channel):
        messages.success(request, _("Test message delivered."))
    else:
        channel.refresh_from_db()
        messages.error(request, _("The test message was not delivered (%(status)s).") % {"status": channel.last_status})
    return redirect("integrations:chat")
