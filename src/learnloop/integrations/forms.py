"""Forms of the webhook and calendar pages."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from learnloop.integrations.events import EVENT_TYPES
from learnloop.web.forms import IdField


class SubscriptionForm(forms.Form):
    url = forms.CharField(max_length=500, label=_("Receiver URL"),
                          help_text=_("Where the events are POSTed (https:// in production)."))
    description = forms.CharField(max_length=200, required=False, label=_("Description"))
    event_types = forms.MultipleChoiceField(
        choices=[(name, format_lazy("{}: {}", name, _(item.description))) for name, item in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple, label=_("Events"),
    )


class SubscriptionActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("enable", _("Enable")), ("disable", _("Disable")),
                                        ("rotate", _("Rotate secret")),
                                        ("test", _("Send a test event")), ("delete", _("Delete"))])


class ReplayForm(forms.Form):
    delivery = IdField(what="the delivery")


class CalendarFeedForm(forms.Form):
    """Create or rotate a feed: the person's own (no team) or one of their teams'."""

    team = IdField(what="the team", required=False)


class NotificationPreferencesForm(forms.Form):
    """One checkbox per kind of email (checked: receive it)."""

    def __init__(self, *args, kinds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in kinds.items():
            self.fields[kind] = forms.BooleanField(required=False, label=label)


class OneClickUnsubscribeForm(forms.Form):
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click`; the page's button sends the same."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["List-Unsubscribe"] = forms.ChoiceField(choices=[("One-Click", "One-Click")])
