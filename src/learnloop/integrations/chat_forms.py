"""Forms of the chat channels page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learnloop.integrations.chat_models import ChatEvent, ChatKind
from learnloop.web.forms import IdField


class ChatChannelForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, label=_("Team"), empty_label=None)
    kind = forms.ChoiceField(choices=ChatKind.choices, label=_("Chat"))
    url = forms.CharField(max_length=500, label=_("Incoming webhook URL"),
                          help_text=_("From the channel's incoming webhook (Slack app, Teams Workflows or connector, "
                                      "Mattermost integration). It is a secret: only its host is shown once saved."))
    events = forms.MultipleChoiceField(choices=ChatEvent.choices, widget=forms.CheckboxSelectMultiple,
                                       label=_("Notices"))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ChatChannelActionForm(forms.Form):
    channel = IdField(what="the channel")
    action = forms.ChoiceField(choices=[("test", _("Send a test message")), ("disconnect", _("Disconnect"))])
