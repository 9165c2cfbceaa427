"""The demo's leavers: one handed over to their manager, one left for the orphaned-ownership report."""

import pytest
from django.core.management import call_command

from learnloop.audit.models import AuditEvent
from learnloop.demo import build_demo
from learnloop.org import ownership, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            context = build_demo(seed=42, only=("org", "knowledge", "actions"))
            leavers = context.extra["leavers"]
            admin = next(person for _, person in context.logins if person.is_admin)
            facts = {
                "leavers": leavers,
                "orphans": [(row["person"].pk, row["total"]) for row in selectors.orphaned_ownership(viewer=admin)],
                "handed_owns": ownership.counts_by_person([leavers["handed_over"].pk]),
                "successor_owns": ownership.counts_by_person([leavers["successor"].pk]),
                "audit": {event.target: event.detail for event in AuditEvent.objects.filter(kind="person_deactivated")},
            }
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_one_leaver_was_handed_over_to_their_manager(demo):
    handed, successor = demo["leavers"]["handed_over"], demo["leavers"]["successor"]
    assert not handed.is_active and handed.manager_id == successor.pk
    assert demo["handed_owns"] == {} and demo["successor_owns"]
    detail = demo["audit"][handed.email]
    assert detail["handed_over_to"] == successor.email and sum(detail["moved"].values()) >= 1


def test_one_leaver_waits_in_the_orphaned_ownership_report(demo):
    kept = demo["leavers"]["kept"]
    assert [person_id for person_id, _ in demo["orphans"]] == [kept.pk]
    assert demo["audit"][kept.email]["kept"]
