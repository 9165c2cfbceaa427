"""Helpers shared by every HTML form."""

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
