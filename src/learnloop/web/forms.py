"""Helpers shared by every HTML form."""

from django import forms
from django.core.exceptions import ValidationError


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            messages = [message for problem in problems for message in problem.messages]
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def required_in_practice(field):
    """A field the form leaves to the service to require, so the service's own message is shown:
    the browser still asks for it, and web/field.html does not label it "(optional)"."""
    field.required_in_practice = True
    field.widget.attrs["required"] = True
    return field


class OfferedChoiceField(forms.ChoiceField):
    """Shows the choices offered but accepts any value: whether the one sent is allowed (a team
    that is archived, one the person may not use) is the service's rule, as for the API, so the
    page shows the service's reason instead of a generic "not a valid choice"."""

    def validate(self, value):
        forms.Field.validate(self, value)


class OfferedModelChoiceField(forms.ModelChoiceField):
    """Lists the rows of its queryset but accepts any row of `accepts` (by default the queryset's
    model): e.g. a deactivated owner reaches the service, which refuses it in its own words."""

    def __init__(self, *args, accepts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepts = accepts

    def to_python(self, value):
        if value in self.empty_values:
            return None
        rows = self.accepts if self.accepts is not None else self.queryset.model._default_manager.all()
        try:
            return rows.get(pk=int(str(value)))
        except (ValueError, TypeError, rows.model.DoesNotExist):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value}) from None

    def validate(self, value):
        forms.Field.validate(self, value)


class IdField(forms.IntegerField):
    """A row named by its number: a whole number from 1 to the largest id a database holds, so a
    number past it is a form error instead of an overflow in the query."""

    def __init__(self, *, what: str = "the row", **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        kwargs.setdefault("error_messages", {})
        for code in ("invalid", "min_value", "max_value"):
            kwargs["error_messages"].setdefault(code, f"Name {what} by its number.")
        super().__init__(**kwargs)


class ExportForm(forms.Form):
    """`?format=csv|json` of an export link (learnloop.web.tables); CSV when absent. Export forms
    with filters extend it."""

    format = forms.ChoiceField(choices=[("csv", "csv"), ("json", "json")], required=False)

    def format_name(self) -> str:
        return self.cleaned_data["format"] or "csv"

    def problem(self) -> str:
        return " ".join(f"{name}: {error}" for name, errors in self.errors.items() for error in errors)
