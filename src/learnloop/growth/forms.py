"""Growth's HTML forms: they take the typed values in and hand them to the services, whose
ValidationErrors are shown on the field they name (web.forms.apply_validation_error)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from learnloop.growth.models import ActivityKind, LearningPath, Skill, SkillCategory, SkillStatus, StepKind
from learnloop.org.membership import active_people
from learnloop.org.models import Person, Team
from learnloop.web.forms import IdField, OfferedModelChoiceField, required_in_practice

LEVELS = {"min_value": 1, "max_value": 10}
MAX_UPLOAD_BYTES = 2_000_000


def _skills():
    return Skill.objects.filter(status=SkillStatus.ACTIVE).order_by("name")


class ButtonForm(forms.Form):
    """A button that sends nothing but its CSRF token."""


class RateForm(forms.Form):
    skill = OfferedModelChoiceField(label=_("Skill"), queryset=_skills())
    level = forms.IntegerField(label=_("Level"), **LEVELS)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SuggestionForm(forms.Form):
    skill = IdField(label=_("Skill"), what="the skill")
    answer = forms.ChoiceField(label=_("Answer"), choices=[("accept", "Add it"), ("dismiss", "Dismiss")])
    level = forms.IntegerField(label=_("Level"), required=False, **LEVELS)


class SharingForm(forms.Form):
    shared = forms.BooleanField(required=False, label=_("Share my skills profile with everyone"))
    headline = forms.CharField(label=_("Headline"), required=False, max_length=200)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"),
                                  required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SkillForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    category = OfferedModelChoiceField(label=_("Category"), queryset=SkillCategory.objects.all())
    description = forms.CharField(label=_("Description"),
                                  required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    aliases = forms.CharField(label=_("Aliases"), required=False, max_length=400,
                              help_text=_("Comma-separated: entries tagged with any of these count as evidence."))
    level_descriptors = forms.CharField(label=_("Level descriptors"),
                                        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                                        help_text=_(
                                            "One line per level, level 1 first. Empty: the default five levels."))
    team = OfferedModelChoiceField(label=_("Team"),
                                   queryset=Team.objects.filter(archived_at=None).order_by("name"), required=False,
                                   help_text=_("Leave empty for an org-wide skill."))


class SkillEditForm(forms.Form):
    """Rename a skill or change its descriptors; each change is kept as a SkillEvent."""

    name = forms.CharField(label=_("Name"), max_length=80)
    category = OfferedModelChoiceField(label=_("Category"), queryset=SkillCategory.objects.all())
    description = forms.CharField(label=_("Description"),
                                  required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    aliases = forms.CharField(label=_("Aliases"), required=False, max_length=400,
                              help_text=_("Comma-separated: entries tagged with any of these count as evidence."))
    level_descriptors = forms.CharField(label=_("Level descriptors"),
                                        max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                                        help_text=_("One line per level, level 1 first (2 to 10 levels)."))

    @classmethod
    def for_skill(cls, skill):
        return cls(initial={"name": skill.name, "category": skill.category_id, "description": skill.description,
                            "aliases": skill.aliases.replace(",", ", "),
                            "level_descriptors": "\n".join(skill.level_descriptors)})


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class MergeForm(forms.Form):
    into = OfferedModelChoiceField(queryset=_skills(), label=_("Merge into"))


class ImportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("json", "JSON")])
    file = forms.FileField(label=_("File"), required=False)
    content = forms.CharField(required=False, max_length=2_000_000, widget=forms.Textarea(attrs={"rows": 6}),
                              label=_("…or paste the file's text"))

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB.")
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not data.get("content"):
            raise forms.ValidationError("Choose a file or paste its text.")
        return data


class LevelForm(forms.Form):
    level = forms.IntegerField(label=_("Level"), required=False, **LEVELS)


class NeedForm(forms.Form):
    skill = OfferedModelChoiceField(label=_("Skill"), queryset=_skills())
    level = forms.IntegerField(label=_("Level"), initial=3, **LEVELS)
    people = forms.IntegerField(label=_("People"), initial=2, min_value=1, max_value=1000)


class PlanForm(forms.Form):
    person = OfferedModelChoiceField(label=_("Person"), queryset=active_people(), accepts=Person.objects.all())
    title = forms.CharField(label=_("Title"), max_length=200)


class GoalForm(forms.Form):
    skill = OfferedModelChoiceField(label=_("Skill"), queryset=_skills())
    target_level = forms.IntegerField(label=_("Target level"), **LEVELS)
    by_date = forms.DateField(label=_("By date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    goal = IdField(label=_("Goal"), required=False, what="the goal", widget=forms.HiddenInput)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("With a due date the activity is tracked as an action, with reminders."))
    path = OfferedModelChoiceField(queryset=LearningPath.objects.order_by("title"), required=False,
                                   label=_("Learning path"))
    entry = IdField(required=False, what="the knowledge entry", label=_("Knowledge entry number"))


class CheckInForm(forms.Form):
    note = required_in_practice(forms.CharField(required=False, max_length=5000,
                                                widget=forms.Textarea(attrs={"rows": 3})))


class PathForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"),
                                  required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    skill = OfferedModelChoiceField(label=_("Skill"), queryset=_skills(), required=False)
    target_level = forms.IntegerField(label=_("Target level"), required=False, **LEVELS)


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=StepKind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    url = forms.CharField(required=False, max_length=500, label=_("Web address"))
    entry = IdField(required=False, what="the knowledge entry", label=_("Knowledge entry number"))


class PairForm(forms.Form):
    mentor = OfferedModelChoiceField(label=_("Mentor"), queryset=active_people(), accepts=Person.objects.all())
    mentee = OfferedModelChoiceField(label=_("Mentee"),
                                     queryset=active_people(), accepts=Person.objects.all(), required=False,
                                     help_text=_("Leave empty to ask for a mentor for yourself."))
    goals = forms.CharField(label=_("Goals"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    body = required_in_practice(forms.CharField(required=False, max_length=10000,
                                                widget=forms.Textarea(attrs={"rows": 4}), label=_("Note")))
    met_on = forms.DateField(label=_("Met on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
