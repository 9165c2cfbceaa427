"""Forms of the webhook and calendar pages."""

from django import forms

from learnloop.integrations.events import EVENT_TYPES
from learnloop.web.forms import IdField


class SubscriptionForm(forms.Form):
    url = forms.CharField(max_length=500, label="Receiver URL",
                          help_text="Where the events are POSTed (https:// in production).")
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {item.description}") for name, item in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple, label="Events",
    )


class SubscriptionActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("enable", "Enable"), ("disable", "Disable"), ("rotate", "Rotate secret"),
                                        ("test", "Send a test event"), ("delete", "Delete")])


class ReplayForm(forms.Form):
    delivery = IdField(what="the delivery")


class CalendarFeedForm(forms.Form):
    """Create or rotate a feed: the person's own (no team) or one of their teams'."""

    team = IdField(what="the team", required=False)
