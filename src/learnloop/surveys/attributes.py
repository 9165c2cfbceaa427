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

__all__ = ["NOT_RECORDED", "ROLES", "TENURE_BANDS", "attribute_values", "generalize_invitees", "stored_record"]


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
        "values": {name: list(values) for name, values in result.values.items()},
        "teams": {team: stored for team, stored in sorted(result.teams.items()) if team != stored},
        "cells": sorted([team, *values, stored_team, *stored]
                        for (team, values), (stored_team, stored) in result.cells.items()),
        "merged": result.merged,
        "suppressed": result.suppressed,
        "merged_values": result.merged_values,
        "below_k": [[team, *values] for team, values in result.below_k],
    }


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
