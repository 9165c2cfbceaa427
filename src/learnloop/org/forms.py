from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from learnloop.org.membership import active_people
from learnloop.org.models import OrgRole, Team, TeamKind, TeamRole
from learnloop.web.forms import OfferedChoiceField
from learnloop.web.language import language_choices


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.full_name} — {person.title}" if person.title else person.full_name


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search people"),
        widget=forms.SearchInput(attrs={"placeholder": _("Name, email or title"), "autocomplete": "off"}),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(archived_at__isnull=True),
        required=False,
        empty_label=_("All teams"),
        to_field_name="slug",
    )
    role = forms.ChoiceField(choices=[("", _("All roles")), *OrgRole.choices], required=False, label=_("Role"))
    status = forms.ChoiceField(
        choices=[("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("Everyone"))], required=False
    )


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(max_length=200, label=_("Name"))
    title = forms.CharField(max_length=200, required=False, label=pgettext_lazy("job title", "Title"))
    manager = PersonChoiceField(queryset=active_people(), required=False, empty_label=_("No manager"))
    role = forms.ChoiceField(choices=OrgRole.choices, initial=OrgRole.MEMBER, label=_("Organization role"))


class PersonEditForm(forms.Form):
    full_name = forms.CharField(max_length=200, label=_("Name"))
    title = forms.CharField(max_length=200, required=False, label=pgettext_lazy("job title", "Title"))
    manager = PersonChoiceField(queryset=active_people(), required=False, empty_label=_("No manager"))
    role = forms.ChoiceField(choices=OrgRole.choices, label=_("Organization role"))


class DeactivateForm(forms.Form):
    """Deactivating someone: who takes over what they own (their manager or team lead by
    default), or keep it with them for now."""

    new_owner = PersonChoiceField(queryset=active_people(), required=False, label=_("New owner of their work"),
                                  empty_label=_("Choose someone"))
    keep_ownership = forms.BooleanField(
        required=False, label=_("Decide later: keep their work with them"),
        help_text=_("It then shows in the orphaned-ownership report until someone takes it over."),
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["new_owner"].queryset = active_people().exclude(pk=person.pk)


class HandOverForm(forms.Form):
    new_owner = PersonChoiceField(queryset=active_people(), label=_("Hand their work to"))


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Name"))
    kind = forms.ChoiceField(choices=TeamKind.choices, initial=TeamKind.TEAM, label=_("Kind"))
    parent = forms.ModelChoiceField(
        queryset=Team.objects.filter(kind=TeamKind.DEPARTMENT, archived_at__isnull=True),
        required=False,
        empty_label=_("No department"),
        label=_("Department"),
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Description"))


class AddMemberForm(forms.Form):
    person = PersonChoiceField(queryset=active_people(), label=_("Person"))
    role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER, label=_("Team role"))


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(max_length=200, required=False, label=_("Name"))
    title = forms.CharField(max_length=200, required=False, label=pgettext_lazy("job title", "Title"))
    role = forms.ChoiceField(choices=OrgRole.choices, initial=OrgRole.MEMBER, label=_("Organization role"))
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(archived_at__isnull=True), required=False, empty_label=_("No team"),
        label=_("Team"),
    )
    team_role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER, label=_("Team role"))


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=200, label=_("Your name"))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label=_("Choose a password"),
        help_text=_("At least 10 characters."),
    )
    password_again = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label=_("The same password again")
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class ImportForm(forms.Form):
    KIND_CHOICES = [("teams", _("Teams and departments")), ("people", _("People"))]

    kind = forms.ChoiceField(
        choices=KIND_CHOICES, widget=forms.RadioSelect, initial="teams", label=_("What the file holds")
    )
    # Not required by the field because the confirming post sends csv_text instead; clean()
    # insists on one of the two.
    file = forms.FileField(
        required=False, label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )
    # After a successful dry run the page keeps the text so "Import" writes exactly what was
    # checked, without asking for the file again.
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required_in_practice = True  # not marked "(optional)" on the page

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            cleaned["data"] = upload.read()
        elif cleaned.get("csv_text"):
            cleaned["data"] = cleaned["csv_text"]
        else:
            self.add_error("file", _("Choose a CSV file to import."))
        return cleaned


class PersonAttributeForm(forms.Form):
    key = forms.CharField(max_length=40, label=_("Key"),
                          help_text=_("Lower-case, e.g. age_band: the people CSV column. It can't change later."))
    name = forms.CharField(max_length=80, label=_("Name"), help_text=_("As people read it, e.g. Age band."))
    values = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("Values"),
                             help_text=_("One per line, in order."))
    ordered = forms.BooleanField(
        required=False, label=_("The values are ordered bands"),
        help_text=_("Surveys may then merge neighbouring bands instead of dropping the attribute."))
    position = forms.IntegerField(min_value=0, max_value=1000, required=False, label=_("Position"),
                                  help_text=_("Lower comes first; surveys give up later attributes first."))


class PersonValuesForm(forms.Form):
    """One choice per attribute the organization defines; empty is "not recorded"."""

    def __init__(self, *args, attributes=(), **kwargs):
        super().__init__(*args, **kwargs)
        for attribute in attributes:
            self.fields[attribute.key] = forms.ChoiceField(
                label=attribute.name, required=False,
                choices=[("", _("Not recorded")), *((value, value) for value in attribute.values)],
            )


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=200, label=_("Name"))
    title = forms.CharField(max_length=200, required=False, label=pgettext_lazy("job title", "Title"))
    language = forms.ChoiceField(
        choices=language_choices, required=False, label=_("Language"),
        help_text=_("The language Learnloop and its emails use for you; the browser default follows your browser."),
        error_messages={"invalid_choice": _("Choose one of the offered languages.")},
    )


class PersonStatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("deactivate", _("Deactivate")), ("reactivate", _("Reactivate")), ("remove", _("Remove"))],
        error_messages={"required": _("Unknown action."), "invalid_choice": _("Unknown action.")},
    )


class TeamArchiveForm(forms.Form):
    """Archive a team, or restore it ("unarchive"); no action means archive."""

    action = forms.ChoiceField(
        choices=[("", _("Archive")), ("archive", _("Archive")), ("unarchive", _("Restore"))], required=False,
        error_messages={"invalid_choice": _("Unknown action.")},
    )


class MembershipUpdateForm(forms.Form):
    """Change a member's team role, or remove them ("remove"). Which roles exist is the service's
    rule, as for the API."""

    action = forms.ChoiceField(
        choices=[("", _("Save")), ("remove", _("Remove"))], required=False,
        error_messages={"invalid_choice": _("Unknown action.")},
    )
    role = OfferedChoiceField(choices=TeamRole.choices, required=False)


def team_named(value: str):
    """The team a form names, archived or not (which teams a person may use is the services' rule,
    as for the API), or a ValidationError when it names no team."""
    number = str(value)
    team = Team.objects.filter(pk=int(number)).first() if number.isdigit() and int(number) < 2**63 else None
    if team is None:
        raise ValidationError(gettext("Choose one of your teams."))
    return team
