"""The attributes stored with a response: the invitee's team plus the attributes the campaign
records — tenure band and role (built in), and any the organization defines (location, age
band…, `org.PersonAttribute`) chosen at launch. They are generalized at launch
(`learnloop.analytics.disclosure.generalize`) so that every stored combination is shared by at
least k invitees, and again at close over who answered. The mapping is kept on the campaign
(`Campaign.generalization`), so reports cut by the stored values and anyone can check the
guarantee; see docs/surveys.md.

A record is (team key, value of each recorded attribute in the campaign's order). Tenure and role
are stored in the response's own columns (as before), the organization's attributes in its
`attributes` JSON, so a new attribute needs no migration. Campaigns launched before attributes
could be chosen record tenure and role: a generalization without "attributes" means exactly that.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from learnloop.analytics.disclosure.generalize import NOT_RECORDED, ROOT, Scale, generalize

TENURE_BANDS = ("under 1 year", "1–3 years", "3+ years")
ROLES = ("member", "lead")
# Reports cut by tenure more than by role (and "lead" is one person in most teams), so tenure is
# kept and role given up first; the organization's attributes come after, in their own order.
ATTRIBUTE_ORDER = ("tenure", "role")
BUILT_IN = ATTRIBUTE_ORDER
_MERGED_TENURE = {
    ("under 1 year", "1–3 years"): "under 3 years",
    ("1–3 years", "3+ years"): "1 year or more",
}

__all__ = [
    "NOT_RECORDED", "ROLES", "TENURE_BANDS", "RecordedAttribute", "attribute_values", "available_attributes",
    "generalize_invitees", "generalize_respondents", "recorded_attributes", "response_fields", "response_record",
    "stored_record",
]


@dataclass(frozen=True)
class RecordedAttribute:
    """An attribute a campaign can record: its key (the group-key name), label, values in order."""

    key: str
    label: str
    values: tuple[str, ...]
    ordered: bool = False


TENURE = RecordedAttribute("tenure", "Tenure", TENURE_BANDS, ordered=True)
ROLE = RecordedAttribute("role", "Role", ROLES, ordered=False)
DEFAULT_ATTRIBUTES = (TENURE, ROLE)


def available_attributes() -> list[RecordedAttribute]:
    """What a launch may record, in the default order of preference: tenure, role, then the
    organization's attributes by their position."""
    from learnloop.org.models import PersonAttribute

    defined = [
        RecordedAttribute(attribute.key, attribute.name, tuple(attribute.values), attribute.ordered)
        for attribute in PersonAttribute.objects.order_by("position", "key")
    ]
    return [TENURE, ROLE, *defined]


def _merged_label(key: str):
    if key == "tenure":
        return lambda run: _MERGED_TENURE.get(run, " or ".join(run))
    return None  # "a or b"


def _scale(attribute: RecordedAttribute) -> Scale:
    return Scale(attribute.key, attribute.values, ordered=attribute.ordered, merged_label=_merged_label(attribute.key))


def recorded_attributes(generalization: dict) -> list[tuple[str, str]]:
    """[(key, label)] of the attributes a campaign records, in its order (tenure and role for campaigns
    launched before attributes could be chosen)."""
    chosen = (generalization or {}).get("attributes")
    if chosen is None:
        return [(attribute.key, attribute.label) for attribute in DEFAULT_ATTRIBUTES]
    return [(key, label) for key, label in chosen]


def _keys(generalization: dict) -> tuple[str, ...]:
    return tuple(key for key, _ in recorded_attributes(generalization))


def generalize_invitees(records, *, hierarchy_parents: dict[str, str], k: int,
                        attributes: Sequence[RecordedAttribute] = DEFAULT_ATTRIBUTES) -> dict:
    """The campaign's generalization as JSON, from (team key, *values in `attributes` order) per invitee.

    `attributes` earlier in the list are kept longer (losing one costs more in the search)."""
    attributes = list(attributes)
    result = generalize(
        [(team, tuple(values)) for team, *values in records],
        parents=hierarchy_parents, scales=[_scale(attribute) for attribute in attributes], k=k,
    )
    return {
        "k": k,
        "attributes": [[attribute.key, attribute.label] for attribute in attributes],
        "ordered": [attribute.key for attribute in attributes if attribute.ordered],
        "parents": dict(sorted(hierarchy_parents.items())),
        "values": {name: list(values) for name, values in result.values.items()},
        "teams": {team: stored for team, stored in sorted(result.teams.items()) if team != stored},
        "cells": sorted([team, *values, stored_team, *stored]
                        for (team, values), (stored_team, stored) in result.cells.items()),
        "merged": result.merged,
        "suppressed": result.suppressed,
        "merged_values": result.merged_values,
        "below_k": [[team, *values] for team, values in result.below_k],
    }


def generalize_respondents(generalization: dict, answered, *, hierarchy_parents: dict[str, str], k: int):
    """At close: (the campaign's new generalization, {stored record at launch: stored record now}).

    Launch guarantees k invitees per stored combination, but the invitations also say who
    answered, so a combination only one of whose invitees answered still points at them. Once
    answers stop, the stored records are generalized again over the people who answered
    (`answered`: their records as stored at launch), so each combination covers k respondents.
    """
    values = attribute_values(generalization)
    keys = _keys(generalization)
    width = 1 + len(keys)
    ordered = set(generalization.get("ordered", ["tenure"])) if generalization else {"tenure"}
    scales = [
        Scale(key, values.get(key, ()), ordered=key in ordered, merged_label=_merged_label(key))
        for key in keys
    ]
    answered = [(team, tuple(rest)) for team, *rest in answered]
    result = generalize(answered, parents=hierarchy_parents, scales=scales, k=k)
    again = {(team, *values): (stored_team, *stored) for (team, values), (stored_team, stored) in result.cells.items()}

    def later(record):
        # Combinations nobody answered are stored nowhere; map them to something k-safe anyway.
        return again.get(tuple(record)) or (result.teams.get(record[0], ROOT), *(NOT_RECORDED,) * len(keys))

    launch_cells = generalization.get("cells") or []
    updated = dict(generalization) if generalization else {"k": k, "merged": 0, "suppressed": 0}
    updated["cells"] = sorted([*row[:width], *later(row[width:])] for row in launch_cells)
    updated["values"] = {name: list(kept) for name, kept in result.values.items()}
    updated["teams"] = {row[0]: row[width] for row in updated["cells"] if row[0] != row[width]}
    updated["at_close"] = {"merged": result.merged, "suppressed": result.suppressed,
                           "merged_values": result.merged_values,
                           "below_k": [[team, *values] for team, values in result.below_k]}
    return updated, {record: later(record) for record in {tuple(row[width:]) for row in launch_cells} | set(again)}


def stored_record(generalization: dict, team_key: str, *values: str) -> tuple[str, ...]:
    """(team key, *values) as stored with a response of an invitee with these attributes (values in
    the campaign's order: `invitee_record` gives them)."""
    if not generalization:  # launched before generalization existed: stored as they were
        return (team_key, *values)
    width = 1 + len(values)
    record = (team_key, *values)
    for row in generalization["cells"]:
        if tuple(row[:width]) == record:
            return tuple(row[width:])
    # Not an invitee's combination at launch: store nothing that could single anyone out.
    return (ROOT, *(NOT_RECORDED,) * len(values))


def invitee_record(generalization: dict, team_id, tenure: str, role: str, extra: dict | None) -> tuple[str, ...]:
    """An invitee's record before generalization, from the invitation's snapshot at launch."""
    own = {"tenure": tenure, "role": role, **(extra or {})}
    return (str(team_id) if team_id else "", *(own.get(key, NOT_RECORDED) for key in _keys(generalization)))


def response_record(generalization: dict, team_key: str, tenure: str, role: str, extra: dict | None):
    """The record a stored response carries, read from its columns and its attributes JSON."""
    own = {"tenure": tenure, "role": role, **(extra or {})}
    return (team_key, *(own.get(key, NOT_RECORDED) for key in _keys(generalization)))


def response_fields(generalization: dict, stored: Sequence[str]) -> dict:
    """Response field values for a stored record: team_key, tenure, role and the attributes JSON."""
    values = dict(zip(_keys(generalization), stored[1:], strict=True))
    return {
        "team_key": stored[0],
        "tenure": values.pop("tenure", NOT_RECORDED),
        "role": values.pop("role", NOT_RECORDED),
        "attributes": values,
    }


def attribute_values(generalization: dict) -> dict[str, tuple[str, ...]]:
    """The stored values reports may cut by, per attribute."""
    if not generalization:
        return {"tenure": TENURE_BANDS, "role": ROLES}
    return {name: tuple(values) for name, values in generalization["values"].items()}
