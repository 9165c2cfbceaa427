"""The attributes stored with a response: the invitee's team, tenure band and role, generalized at
launch (`learnloop.analytics.disclosure.generalize`) so that every stored combination is shared by
at least k invitees. The mapping is kept on the campaign (`Campaign.generalization`), so reports
cut by the stored values and anyone can check the guarantee; see docs/surveys.md.
"""

from learnloop.analytics.disclosure.generalize import NOT_RECORDED, ROOT, Scale, generalize

TENURE_BANDS = ("under 1 year", "1–3 years", "3+ years")
ROLES = ("member", "lead")
# Reports cut by tenure more than by role (and "lead" is one person in most teams), so tenure is
# kept and role given up first.
ATTRIBUTE_ORDER = ("tenure", "role")
_MERGED_TENURE = {
    ("under 1 year", "1–3 years"): "under 3 years",
    ("1–3 years", "3+ years"): "1 year or more",
}

__all__ = [
    "NOT_RECORDED", "ROLES", "TENURE_BANDS", "attribute_values", "generalize_invitees", "generalize_respondents",
    "stored_record",
]


def _scales():
    return [
        Scale("tenure", TENURE_BANDS, ordered=True, merged_label=lambda run: _MERGED_TENURE.get(run, " or ".join(run))),
        Scale("role", ROLES, ordered=False),
    ]


def generalize_invitees(records, *, hierarchy_parents: dict[str, str], k: int) -> dict:
    """The campaign's generalization as JSON, from (team key, tenure, role) per invitee."""
    result = generalize(
        [(team, (tenure, role)) for team, tenure, role in records],
        parents=hierarchy_parents, scales=_scales(), k=k,
    )
    return {
        "k": k,
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
    scales = [
        Scale(name, values.get(name, ()), ordered=name == "tenure",
              merged_label=lambda run: _MERGED_TENURE.get(run, " or ".join(run)))
        for name in ATTRIBUTE_ORDER
    ]
    answered = [(team, (tenure, role)) for team, tenure, role in answered]
    result = generalize(answered, parents=hierarchy_parents, scales=scales, k=k)
    again = {(team, *values): (stored_team, *stored) for (team, values), (stored_team, stored) in result.cells.items()}

    def later(record):
        # Combinations nobody answered are stored nowhere; map them to something k-safe anyway.
        return again.get(tuple(record)) or (result.teams.get(record[0], ROOT), NOT_RECORDED, NOT_RECORDED)

    launch_cells = generalization.get("cells") or []
    updated = dict(generalization) if generalization else {"k": k, "merged": 0, "suppressed": 0}
    updated["cells"] = sorted([*row[:3], *later(row[3:])] for row in launch_cells)
    updated["values"] = {name: list(kept) for name, kept in result.values.items()}
    updated["teams"] = {row[0]: row[3] for row in updated["cells"] if row[0] != row[3]}
    updated["at_close"] = {"merged": result.merged, "suppressed": result.suppressed,
                           "merged_values": result.merged_values,
                           "below_k": [[team, *values] for team, values in result.below_k]}
    return updated, {record: later(record) for record in {tuple(row[3:]) for row in launch_cells} | set(again)}


def stored_record(generalization: dict, team_key: str, tenure: str, role: str) -> tuple[str, str, str]:
    """(team key, tenure, role) as stored with a response of an invitee with these attributes."""
    if not generalization:  # launched before generalization existed: stored as they were
        return team_key, tenure, role
    for row in generalization["cells"]:
        if tuple(row[:3]) == (team_key, tenure, role):
            return tuple(row[3:])
    # Not an invitee's combination at launch: store nothing that could single anyone out.
    return ROOT, NOT_RECORDED, NOT_RECORDED


def attribute_values(generalization: dict) -> dict[str, tuple[str, ...]]:
    """The stored values reports may cut by, per attribute."""
    if not generalization:
        return {"tenure": TENURE_BANDS, "role": ROLES}
    return {name: tuple(values) for name, values in generalization["values"].items()}
