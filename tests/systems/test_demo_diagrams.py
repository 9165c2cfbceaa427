"""Harbourline's causal loop diagrams: fixes that fail around the duplicate carrier payouts,
attached to the real postmortem and theme, and limits to growth for the on-call rotation."""

import pytest
from django.urls import reverse

from learnloop.demo import build_demo
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    from learnloop.systems.diagram_models import Diagram

    with django_db_blocker.unblock():
        try:
            build_demo(seed=7, only=("org", "reflection", "insights", "systems"))
            diagrams = {d.title: d for d in Diagram.objects.select_related("team")}
            facts = {
                title: {"team": d.team.slug,
                        "archetypes": [m["archetype"] for m in d.analysis["archetypes"]["matches"]],
                        "attached": sorted(d.attachments.values_list("target_type", flat=True)),
                        "bound": [v["binding"]["metric"] for v in d.content["variables"] if v["binding"]],
                        "comments": d.comments.count(), "interventions": d.interventions.count(),
                        "versions": d.versions.count(), "pk": d.pk}
                for title, d in diagrams.items()}
            from learnloop.org.models import Person

            facilitator = Person.objects.filter(memberships__team__slug="payments", memberships__role="facilitator",
                                                is_active=True).order_by("pk").first()
            page = signed_in_client(facilitator).get(
                reverse("systems:diagram", args=[facts["Duplicate carrier payouts: fixes that fail"]["pk"]]))
            facts["page"] = (page.status_code, page.content.decode())
        finally:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
    return facts


def test_fixes_that_fail_around_the_duplicate_payouts(built):
    payouts = built["Duplicate carrier payouts: fixes that fail"]
    assert payouts["team"] == "payments" and payouts["archetypes"] == ["fixes_that_fail"]
    assert payouts["attached"] == ["insights.theme", "reflection.session"]
    assert "theme_items" in payouts["bound"] and "completion_rate" in payouts["bound"]
    assert payouts["versions"] == 2 and payouts["comments"] == 2 and payouts["interventions"] == 1
    status, page = built["page"]
    assert status == 200 and "Fixes that fail" in page and "Duplicate carrier payouts" in page
    assert "Blameless postmortem" in page or "Duplicate carrier payouts (" in page


def test_limits_to_growth_for_the_on_call_rotation(built):
    on_call = built["On-call rotation: limits to growth"]
    assert on_call["team"] == "site-reliability" and on_call["archetypes"] == ["limits_to_growth"]
