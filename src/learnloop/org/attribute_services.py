"""Writes to the attributes an organization records about people (location, age band…) and to
each person's values. Admins only: a person's value is sensitive (see docs/surveys.md)."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from learnloop.input_rules import text_problem
from learnloop.org.models import Person, PersonAttribute, PersonAttributeValue
from learnloop.org.permissions import require_admin
from learnloop.org.services import UNSET

# Names the survey cuts and the people CSV already use: an attribute can't take them.
RESERVED_KEYS = frozenset({
    "team", "teams", "tenure", "role", "org", "email", "full_name", "title", "manager_email",
})
NOT_RECORDED = "not recorded"  # what surveys store when a value is unknown or generalized away
MAX_VALUES = 50
MAX_VALUE_LENGTH = 80
_KEY = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _clean_key(key: str) -> str:
    key = (key or "").strip().lower()
    if not key:
        raise ValidationError({"key": gettext("Give the attribute a key, such as location.")})
    if len(key) > 40 or not _KEY.match(key):
        raise ValidationError({"key": "Use lower-case letters, digits and single underscores (e.g. age_band), "
                                      "starting with a letter, at most 40 characters."})
    if key in RESERVED_KEYS:
        raise ValidationError({"key": gettext("“%(key)s” is already used by Learnloop; pick another key.") % {
            "key": key}})
    return key


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("Give the attribute a name, such as Location.")})
    if len(name) > 80 or text_problem(name):
        raise ValidationError({"name": gettext("Keep the name to at most 80 printable characters.")})
    return name


def clean_values(values) -> list[str]:
    """The allowed values as given, trimmed; refused if empty, repeated or unusable in a survey cut."""
    if isinstance(values, str):
        values = values.splitlines()
    cleaned, seen = [], set()
    for raw in values or ():
        value = str(raw).strip()
        if not value:
            continue
        if value.lower() in seen:
            raise ValidationError({"values": gettext("“%(value)s” is listed twice.") % {"value": value}})
        if len(value) > MAX_VALUE_LENGTH or text_problem(value):
            raise ValidationError({"values": f"“{value[:40]}” is too long or holds unprintable characters "
                                             f"(at most {MAX_VALUE_LENGTH})."})
        # Survey group keys are "node;name=value": these two characters would split a value.
        if ";" in value or "=" in value:
            raise ValidationError({"values": gettext("“%(value)s”: values can't contain ; or =.") % {"value": value}})
        if value.lower() == NOT_RECORDED:
            raise ValidationError({"values": f"“{NOT_RECORDED}” is what surveys store for missing values; "
                                             "leave the person's value empty instead."})
        seen.add(value.lower())
        cleaned.append(value)
    if not cleaned:
        raise ValidationError({"values": gettext("List at least one value, one per line.")})
    if len(cleaned) > MAX_VALUES:
        raise ValidationError({"values": gettext("At most %(MAX_VALUES)s values.") % {"MAX_VALUES": MAX_VALUES}})
    return cleaned


def create_attribute(*, by, key: str, name: str, values, ordered: bool = False,
                     position: int | None = None) -> PersonAttribute:
    require_admin(by, "define person attributes")
    key, name, values = _clean_key(key), _clean_name(name), clean_values(values)
    with transaction.atomic():
        if PersonAttribute.objects.filter(key=key).exists():
            raise ValidationError({"key": gettext("There is already an attribute with the key %(key)s.") % {
                "key": key}})
        if position is None:
            position = (PersonAttribute.objects.order_by("-position").values_list("position", flat=True).first()
                        or 0) + 1
        return PersonAttribute.objects.create(key=key, name=name, values=values, ordered=bool(ordered),
                                              position=max(0, int(position)))


def update_attribute(*, by, attribute: PersonAttribute, name=UNSET, values=UNSET, ordered=UNSET,
                     position=UNSET) -> PersonAttribute:
    """Rename, reorder or change the allowed values. The key stays (CSV columns and past campaigns use it);
    a value somebody holds can't be removed until nobody does (their value would be lost)."""
    require_admin(by, "change person attributes")
    with transaction.atomic():
        attribute = PersonAttribute.objects.select_for_update().get(pk=attribute.pk)
        if name is not UNSET:
            attribute.name = _clean_name(name)
        if values is not UNSET:
            new_values = clean_values(values)
            kept = {value.lower() for value in new_values}
            in_use = (PersonAttributeValue.objects.filter(attribute=attribute)
                      .values_list("value", flat=True).distinct())
            removed = sorted({value for value in in_use if value.lower() not in kept})
            if removed:
                raise ValidationError({"values": f"Some people still have {', '.join(removed)}; "
                                                 "change their values first."})
            # A value whose spelling changed (same letters, other case) is renamed for everyone.
            by_lower = {value.lower(): value for value in new_values}
            for value in set(in_use):
                if by_lower[value.lower()] != value:
                    PersonAttributeValue.objects.filter(attribute=attribute, value=value).update(
                        value=by_lower[value.lower()])
            attribute.values = new_values
        if ordered is not UNSET:
            attribute.ordered = bool(ordered)
        if position is not UNSET:
            attribute.position = max(0, int(position))
        attribute.save()
    return attribute


def delete_attribute(*, by, attribute: PersonAttribute) -> None:
    """Remove the attribute and everyone's value; campaigns that recorded it keep what they stored."""
    require_admin(by, "delete person attributes")
    attribute.delete()


def clean_value(attribute: PersonAttribute, raw) -> str | None:
    """One of the attribute's values (matched ignoring case), or None for empty (not recorded)."""
    value = "" if raw is None else str(raw).strip()
    if not value:
        return None
    for allowed in attribute.values:
        if allowed.lower() == value.lower():
            return allowed
    shown = ", ".join(attribute.values[:12]) + ("…" if len(attribute.values) > 12 else "")
    raise ValidationError(gettext("“%(value)s” is not a value of %(name)s (%(shown)s).") % {
        "value": value[:80], "name": attribute.name, "shown": shown})


def set_person_attributes(*, by, person: Person, values: dict) -> dict[str, str | None]:
    """Set some of a person's values, {attribute key: value or None to clear}; all or nothing.
    Returns every attribute's value afterwards."""
    require_admin(by, "record people's attributes")
    attributes = {attribute.key: attribute for attribute in PersonAttribute.objects.all()}
    errors, cleaned = {}, {}
    for key, raw in (values or {}).items():
        attribute = attributes.get(key)
        if attribute is None:
            errors[str(key)[:40]] = f"No attribute with the key {str(key)[:40]}."
            continue
        try:
            cleaned[key] = clean_value(attribute, raw)
        except ValidationError as error:
            errors[key] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        write_values(person, {attributes[key]: value for key, value in cleaned.items()})
    current = dict(PersonAttributeValue.objects.filter(person=person).values_list("attribute__key", "value"))
    return {key: current.get(key) for key in attributes}


def write_values(person: Person, values: dict) -> None:
    """{attribute: value or None} for one person, already checked; the caller holds the transaction."""
    for attribute, value in values.items():
        if value is None:
            PersonAttributeValue.objects.filter(person=person, attribute=attribute).delete()
        else:
            PersonAttributeValue.objects.update_or_create(person=person, attribute=attribute,
                                                          defaults={"value": value})
