"""What people own in other modules, and who takes it over when they leave.

org sits below knowledge, actions and experiments, so it can't import them. Each of those apps
registers what its people own here (in its AppConfig.ready()): how many of its objects each
person carries, and how to hand them to someone else. Deactivating a person (services.
deactivate_person) hands every registered kind to the new owner in the deactivation's own
transaction; the orphaned-ownership report (selectors.orphaned_ownership) asks every kind which
inactive people still own something.

Only what still needs an owner is registered: an open action, a scheduled effectiveness check,
an entry someone must keep reviewing, an experiment not yet concluded. What a person wrote or
decided stays attributed to them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class OwnedKind:
    key: str  # "actions.open": the app, then what
    label: str  # "Open actions"
    # {person id: how many they own} for these people (one query, whatever their number).
    count_by_owner: Callable[[Iterable[int]], dict[int, int]]
    # Hand everything of this kind from one person to another; returns how many moved. Called
    # inside the caller's transaction, after its permission checks.
    hand_over: Callable[..., int]
    order: int = 50


_kinds: dict[str, OwnedKind] = {}


def register(kind: OwnedKind) -> None:
    """Add (or replace, when an app is loaded again in tests) a kind of owned object."""
    _kinds[kind.key] = kind


def kinds() -> list[OwnedKind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.key))


def counts_by_person(person_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{person id: {kind key: count}} for those who own anything (one query per kind)."""
    person_ids = list(person_ids)
    result: dict[int, dict[str, int]] = {}
    if not person_ids:
        return result
    for kind in kinds():
        for person_id, count in kind.count_by_owner(person_ids).items():
            if count:
                result.setdefault(person_id, {})[kind.key] = count
    return result


def hand_over_all(*, from_person, to_person, at) -> dict[str, int]:
    """Move every registered kind; {kind key: how many moved} (kinds that moved nothing left out)."""
    moved = {}
    for kind in kinds():
        count = kind.hand_over(from_person=from_person, to_person=to_person, at=at)
        if count:
            moved[kind.key] = count
    return moved
