"""The workshop pages' forms: they take the typed values in and hand them to growth.workshops,
whose ValidationErrors are shown on the field they name."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from learnloop.growth.models import Skill, SkillStatus
from learnloop.growth.workshop_models import WorkshopFormat
from learnloop.org.membership import active_people
from learnloop.org.models import Team
from learnloop.web.forms import OfferedModelChoiceField

LOCAL_TIME = {"type": "datetime-local"}
TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class IdListField(forms.Field):
    """Several rows named by number: ticked checkboxes (`name=1&name=2`) or "12, 15" typed in."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        parts = value if isinstance(value, list | tuple) else re.split(r"[\s,]+", str(value))
        numbers = []
        for part in (str(p).strip() for p in parts):
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 2**63 - 1:
                raise forms.ValidationError(f"Name {self.what} by their numbers.")
            numbers.append(int(part))
        if len(numbers) > 1000:
            raise forms.ValidationError("That is too many.")
        return list(dict.fromkeys(numbers))


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    format = forms.ChoiceField(label=_("Format"), choices=WorkshopFormat.choices, initial=WorkshopFormat.WORKSHOP)
    description = forms.CharField(label=_("Description"),
                                  required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))
    starts_at = forms.DateTimeField(label=_("Starts"), input_formats=TIME_FORMATS,
                                    widget=forms.DateTimeInput(attrs=LOCAL_TIME, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Ends"), input_formats=TIME_FORMATS,
                                  widget=forms.DateTimeInput(attrs=LOCAL_TIME, format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=_("Place"),
                            required=False, max_length=200, help_text=_("A room, a site… (or a link below, or both)."))
    link = forms.CharField(required=False, max_length=500, label=_("Video or web link"))
    capacity = forms.IntegerField(min_value=1, max_value=10_000, initial=12, label=_("Places"))
    team = OfferedModelChoiceField(queryset=Team.objects.filter(archived_at=None).order_by("name"), required=False,
                                   label=_("For team"),
                                   help_text=_("Leave empty to open it to the whole organization."))
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.filter(status=SkillStatus.ACTIVE).order_by("name"), required=False,
        label=_("Skills it develops"), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Attending counts as evidence for these skills on each attendee's profile."))
    hosts = forms.ModelMultipleChoiceField(label=_("Hosts"), queryset=active_people(), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}),
                                           help_text=_("Leave empty to host it yourself."))
    materials = IdListField(what="the knowledge entries", widget=forms.TextInput, label=_("Materials"),
                            help_text=_("Knowledge entry numbers, separated by commas."))


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[(n, str(n)) for n in range(1, 6)], coerce=int,
                                    widget=forms.RadioSelect, label=_("How useful was it (1 = not at all, 5 = very)?"))
    comment = forms.CharField(label=_("Comment"),
                              required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Anonymous: it is stored with no name and no time."))


class AttendanceForm(forms.Form):
    attended = IdListField(label=_("Attended"), what="the people")


class WhenForm(forms.Form):
    when = forms.ChoiceField(label=_("When"), choices=[("upcoming", "upcoming"), ("past", "past")], required=False)

