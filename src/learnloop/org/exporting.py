"""The people CSV export: the columns the people import takes, so an edited export imports back.

Admins only, because it carries everyone's attribute values (location, age band…), which only
admins may see one by one. A fixed number of queries whatever the size of the organization.
"""

import csv
import io

from django.db.models import Prefetch

from learnloop.audit.models import AuditKind
from learnloop.audit.services import record_audit_event
from learnloop.org.importing import PEOPLE_COLUMNS
from learnloop.org.models import Membership, Person, PersonAttribute, PersonAttributeValue
from learnloop.org.permissions import require_admin


def people_csv(*, by, include_inactive: bool = False, ip_address: str | None = None) -> str:
    require_admin(by, "export people")
    attributes = list(PersonAttribute.objects.order_by("position", "key").values_list("key", flat=True))
    people = (
        Person.objects.select_related("manager")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("team")))
        .order_by("full_name", "id")
    )
    if not include_inactive:
        people = people.filter(is_active=True)
    values: dict[int, dict[str, str]] = {}
    for person_id, key, value in PersonAttributeValue.objects.values_list("person_id", "attribute__key", "value"):
        values.setdefault(person_id, {})[key] = value
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*PEOPLE_COLUMNS, *attributes])
    count = 0
    for person in people:
        teams = "; ".join(
            membership.team.name + (":facilitator" if membership.role == "facilitator" else "")
            for membership in sorted(person.memberships.all(), key=lambda m: m.team.name.lower())
        )
        own = values.get(person.pk, {})
        writer.writerow([
            person.email, person.full_name, person.title, person.manager.email if person.manager else "", teams,
            person.role, *(own.get(key, "") for key in attributes),
        ])
        count += 1
    record_audit_event(kind=AuditKind.EXPORT, actor=by, ip_address=ip_address, target="people",
                       detail={"rows": count})
    return out.getvalue()
