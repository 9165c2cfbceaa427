"""HTML forms for mentor matching: an offer, a request (up to three wanted skills on the page;
the API takes up to eight) and the answer buttons."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from learnloop.growth.matching_models import MAX_CAPACITY
from learnloop.growth.models import Skill, SkillStatus
from learnloop.web.forms import OfferedModelChoiceField

WANTED_ON_PAGE = 3


class OfferForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(queryset=Skill.objects.none(), label=_("Skills I can mentor in"),
                                            help_text=_("Skills on your profile; the matching reads your level there."))
    capacity = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY, initial=1, label=_("Mentees at once"))
    available_from = forms.DateField(required=False, label=_("Not before (optional)"),
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text=_("Rounds run before this day leave your offer out."),
                                     error_messages={"invalid": "That is not a date (YYYY-MM-DD)."})
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = (Skill.objects.filter(status=SkillStatus.ACTIVE, ratings__person=person)
                                          .distinct().order_by("name"))


class RequestForm(forms.Form):
    not_my_manager = forms.BooleanField(required=False, initial=True, label=_("Not one of my team leads"))
    prefer_other_team = forms.BooleanField(required=False, label=_("I prefer a mentor from another team"))
    available_from = forms.DateField(required=False, label=_("Not before (optional)"),
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text=_("Rounds run before this day leave your request out."),
                                     error_messages={"invalid": "That is not a date (YYYY-MM-DD)."})
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           label=_("What I want to learn"),
                           help_text=_("Becomes the pair's goals when you are matched."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        skills = Skill.objects.filter(status=SkillStatus.ACTIVE).order_by("name")
        for n in range(1, WANTED_ON_PAGE + 1):
            self.fields[f"skill_{n}"] = OfferedModelChoiceField(queryset=skills, required=n == 1,
                                                                label=gettext("Skill %(number)s") % {"number": n})
            self.fields[f"target_{n}"] = forms.IntegerField(required=False, min_value=1, max_value=10,
                                                            label=gettext("Target level for skill %(number)s") % {
                                                                "number": n})
        self.order_fields([f"{kind}_{n}" for n in range(1, WANTED_ON_PAGE + 1) for kind in ("skill", "target")])

    def wanted(self) -> list:
        data = self.cleaned_data
        return [(data[f"skill_{n}"], data[f"target_{n}"] or 3) for n in range(1, WANTED_ON_PAGE + 1)
                if data.get(f"skill_{n}")]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=[("accept", "Accept"), ("decline", "Decline")])
