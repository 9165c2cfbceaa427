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
