"""What people own among experiments, registered with org.ownership (see experiments/apps.py):
experiments not yet concluded (a concluded one keeps the owner who decided it)."""

from django.db.models import Count

from learnloop.experiments.models import Experiment, Status
from learnloop.org.ownership import OwnedKind, register


def _unfinished():
    return Experiment.objects.exclude(status=Status.CONCLUDED)


def _counts(person_ids) -> dict[int, int]:
    rows = _unfinished().filter(owner_id__in=list(person_ids)).values("owner_id").annotate(n=Count("id"))
    return {row["owner_id"]: row["n"] for row in rows.order_by()}


def _hand_over(*, from_person, to_person, at) -> int:
    return _unfinished().filter(owner=from_person).update(owner=to_person, updated_at=at)


def register_kinds() -> None:
    register(OwnedKind(key="experiments.unfinished", label="Experiments not yet concluded", order=30,
                       count_by_owner=_counts, hand_over=_hand_over))
