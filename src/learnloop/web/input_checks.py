"""The input rules (learnloop.input_rules) applied where Django takes values in: every model
save, and every CharField and DateField of Learnloop's forms.

Applied centrally rather than field by field, so a new field or form is covered without anyone
remembering to: `install()` runs once, from the web app's ready().
"""

import datetime
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.signals import pre_save
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.models import ModelFormMetaclass
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext

from learnloop.input_rules import length_problem, number_problem, text_limit, text_problem, walk_texts


def date_range() -> tuple[datetime.date, datetime.date]:
    return datetime.date(settings.DATE_MIN_YEAR, 1, 1), datetime.date(settings.DATE_MAX_YEAR, 12, 31)


def date_problem(value: datetime.date) -> str | None:
    low, high = date_range()
    if isinstance(value, datetime.datetime):
        value = value.date()
    if low <= value <= high:
        return None
    return f"Enter a date between {low.year} and {high.year}."


def validate_text(value) -> None:
    if isinstance(value, str) and (problem := text_problem(value)):
        raise ValidationError(gettext("The text %(problem)s") % {"problem": problem}, code="unstorable")


def validate_date(value) -> None:
    if isinstance(value, datetime.date) and (problem := date_problem(value)):
        raise ValidationError(problem, code="date_range")


def validate_number(value) -> None:
    if isinstance(value, float) and (problem := number_problem(value)):
        raise ValidationError(gettext("The number %(problem)s") % {"problem": problem}, code="number_range")


# --- Every save ----------------------------------------------------------------------------------


def _field_problem(field: models.Field, value) -> str | None:
    if value is None:
        return None
    if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
        problem = text_problem(value)
        if problem is None:
            problem = length_problem(value, text_limit(field.name, field.max_length))
        return problem and f"The text {problem}"
    if isinstance(field, models.JSONField):
        for where, text in walk_texts(value):
            if problem := text_problem(text):
                return f"The text at {where or 'the top'} {problem}"
        return None
    if isinstance(field, models.DateField) and isinstance(value, datetime.date):
        return date_problem(value)
    if isinstance(field, models.FloatField) and isinstance(value, float):
        problem = number_problem(value)
        return problem and f"The number {problem}"
    return None


_CHECKED_KINDS = (models.CharField, models.TextField, models.JSONField, models.DateField, models.FloatField)


@cache
def _checked_fields(model) -> tuple[models.Field, ...]:
    """The fields of `model` _field_problem can object to (ids, keys, flags and integers it
    never does): every save runs this check, and an import saves five rows per entry."""
    return tuple(field for field in model._meta.concrete_fields if isinstance(field, _CHECKED_KINDS))


def check_stored_values(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: refuse, by field, a value that one database would store and the other refuse
    (or that no reader could use): NUL, lone surrogates, over-long text, far-off dates,
    infinite numbers."""
    if raw or not sender.__module__.startswith("learnloop."):
        return
    problems = {}
    for field in _checked_fields(sender):
        problem = _field_problem(field, getattr(instance, field.attname, None))
        if problem:
            problems[field.name] = [problem]
    if problems:
        raise ValidationError(problems)


def _checked_bulk(method, fields_of):
    """Wrap a QuerySet bulk method so its objects meet the same rules as a save (bulk inserts and
    updates send no pre_save signal). Only Learnloop's models; the whole batch or nothing."""

    def checked(queryset, objs, *args, **kwargs):
        model = queryset.model
        if model.__module__.startswith("learnloop."):
            objs = list(objs)
            fields = fields_of(model, args, kwargs)
            for obj in objs:
                problems = {}
                for field in fields:
                    if problem := _field_problem(field, getattr(obj, field.attname, None)):
                        problems[field.name] = [problem]
                if problems:
                    raise ValidationError(problems)
        return method(queryset, objs, *args, **kwargs)

    checked._learnloop_checked = True
    return checked


def _created_fields(model, args, kwargs):
    return _checked_fields(model)


def _updated_fields(model, args, kwargs):
    names = kwargs.get("fields", args[0] if args else ())
    return [model._meta.get_field(name) for name in names]


def check_bulk_writes() -> None:
    if getattr(models.QuerySet.bulk_create, "_learnloop_checked", False):
        return
    models.QuerySet.bulk_create = _checked_bulk(models.QuerySet.bulk_create, _created_fields)
    models.QuerySet.bulk_update = _checked_bulk(models.QuerySet.bulk_update, _updated_fields)


# --- Every form ----------------------------------------------------------------------------------


def _characters_at_most_now(limit: int) -> str:
    return ngettext("At most %(count)s character.", "At most %(count)s characters.", limit) % {
        "count": number_format(limit, force_grouping=True)
    }


# Forms are bounded once, at start-up: the help text is put into words when a page shows it, in
# that page's language.
_characters_at_most = lazy(_characters_at_most_now, str)


def bound_field(name: str, field: forms.Field) -> None:
    """Give a form field the input rules: text fields a length limit (shown as maxlength) and
    the NUL/surrogate check, date fields the configured range."""
    if getattr(field, "_learnloop_bounded", False):
        return
    field._learnloop_bounded = True
    if isinstance(field, forms.CharField):
        if field.max_length is None:
            field.max_length = text_limit(name)
            field.validators.append(MaxLengthValidator(field.max_length))
            field.widget.attrs.update(field.widget_attrs(field.widget))
        field.validators.append(validate_text)
        if not field.help_text and isinstance(field.widget, forms.Textarea):
            field.help_text = _characters_at_most(field.max_length)
    elif isinstance(field, forms.DateField):
        field.validators.append(validate_date)
        low, high = date_range()
        if isinstance(field.widget, forms.DateInput):
            field.widget.attrs.setdefault("min", low.isoformat())
            field.widget.attrs.setdefault("max", high.isoformat())
    elif isinstance(field, forms.FloatField):
        field.validators.append(validate_number)


def learnloop_forms() -> list[type[forms.BaseForm]]:
    found, queue = [], [forms.BaseForm]
    while queue:
        for subclass in queue.pop().__subclasses__():
            queue.append(subclass)
            if subclass.__module__.startswith("learnloop."):
                found.append(subclass)
    return found


def bound_form(form_class: type[forms.BaseForm]) -> None:
    for name, field in getattr(form_class, "base_fields", {}).items():
        bound_field(name, field)


def _bounding(create):
    """Wrap a form metaclass's __new__ so a Learnloop form is bounded as its class is made.
    At class creation rather than first use, because the bounds are part of the class (a test
    reads every form's base_fields) and a form made per request should not pay for them."""

    def __new__(mcs, name, bases, attrs, **kwargs):
        form_class = create(mcs, name, bases, attrs, **kwargs)
        if form_class.__module__.startswith("learnloop."):
            bound_form(form_class)
        return form_class

    __new__._learnloop_bounding = True
    return staticmethod(__new__)


def bound_forms() -> None:
    """Bound the forms made so far and every form made from now on.

    Forms are bounded as their modules are imported instead of by importing every form module at
    start-up: that import cost every command and worker 0.16 s of CPU, about a third of Django's
    start-up."""
    for metaclass in (DeclarativeFieldsMetaclass, ModelFormMetaclass):
        create = metaclass.__dict__["__new__"].__func__
        if not getattr(create, "_learnloop_bounding", False):
            metaclass.__new__ = _bounding(create)
    for form_class in learnloop_forms():
        bound_form(form_class)


def install() -> None:
    pre_save.connect(check_stored_values, dispatch_uid="learnloop-input-rules")
    check_bulk_writes()
    bound_forms()
