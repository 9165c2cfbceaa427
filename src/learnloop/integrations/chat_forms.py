"""Forms of the chat channels page."""

from django import forms

from learnloop.integrations.chat_models import ChatEvent, ChatKind
from learnloop.web.forms import IdField


class ChatChannelForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, label="Team", empty_label=None)
    kind = forms.ChoiceField(choices=ChatKind.choices, label="Chat")
    url = forms.CharField(max_length=500, label="Incoming webhook URL",
                          help_text="From the channel's incoming webhook (Slack app, Teams Workflows or connector, "
                                    "Mattermost integration). It is a secret: only its host is shown once saved.")
    events = forms.MultipleChoiceField(choices=ChatEvent.choices, widget=forms.CheckboxSelectMultiple,
                                       label="Notices")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ChatChannelActionForm(forms.Form):
    channel = IdField(what="the channel")
    action = forms.ChoiceField(choices=[("test", "Send a test message"), ("disconnect", "Disconnect")])
