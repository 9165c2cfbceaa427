"""What people own in the knowledge base, registered with org.ownership (see knowledge/apps.py):
the entries they own and must keep reviewing (obsolete ones need no owner's care). The author
stays the author; only the owner, who is asked to review, changes."""

from django.db.models import Count

from learnloop.knowledge.models import Entry
from learnloop.org.ownership import OwnedKind, register


def _cared_for():
    return Entry.objects.filter(obsolete_at__isnull=True)


def _counts(person_ids) -> dict[int, int]:
    rows = _cared_for().filter(owner_person_id__in=list(person_ids)).values("owner_person_id")
    return {row["owner_person_id"]: row["n"] for row in rows.annotate(n=Count("id")).order_by()}


def _hand_over(*, from_person, to_person, at) -> int:
    return _cared_for().filter(owner_person=from_person).update(owner_person=to_person)


def register_kinds() -> None:
    register(OwnedKind(key="knowledge.entries", label="Knowledge entries and their reviews", order=10,
                       count_by_owner=_counts, hand_over=_hand_over))
