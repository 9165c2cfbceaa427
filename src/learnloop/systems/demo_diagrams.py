"""Harbourline's causal loop diagrams: "fixes that fail" around the duplicate carrier payouts
(Payments; attached to the real postmortem and to the recurring payouts theme, with its loops
bound to live metrics, comments and one intervention turned into an action), and "limits to
growth" for the on-call rotation (Site Reliability). Built through the services, every date from
context.clock; the loops and archetypes are read on save like any diagram.
"""

from learnloop.insights.themes_models import ThemeItem
from learnloop.org.models import Membership, OrgRole, Person, Team, TeamRole
from learnloop.reflection.models import Session
from learnloop.systems import diagram_services as services

PAYOUTS = {
    "variables": [
        {"name": "Duplicate carrier payouts", "x": 120.0, "y": 200.0,
         "binding": None},  # bound to the payouts theme below when the demo has it
        {"name": "Manual clawbacks and retried batches", "x": 420.0, "y": 80.0,
         "binding": {"metric": "completion_rate"}},
        {"name": "Reconciliation backlog", "x": 420.0, "y": 330.0, "binding": {"metric": "overdue_count"}},
        {"name": "Idempotency key on the payout record", "x": 720.0, "y": 200.0, "binding": None},
    ],
    "links": [
        {"source": "Duplicate carrier payouts", "target": "Manual clawbacks and retried batches", "polarity": "+"},
        {"source": "Manual clawbacks and retried batches", "target": "Duplicate carrier payouts", "polarity": "-"},
        {"source": "Manual clawbacks and retried batches", "target": "Reconciliation backlog", "polarity": "+",
         "delay": True},
        {"source": "Reconciliation backlog", "target": "Duplicate carrier payouts", "polarity": "+"},
        {"source": "Idempotency key on the payout record", "target": "Duplicate carrier payouts", "polarity": "-"},
    ],
}

ON_CALL = {
    "variables": [
        {"name": "Services handed to SRE", "x": 300.0, "y": 200.0, "binding": None},
        {"name": "Runbooks and shared lessons", "x": 80.0, "y": 80.0, "binding": {"metric": "lesson_reuse_count"}},
        {"name": "Teams' trust in the rotation", "x": 80.0, "y": 330.0, "binding": None},
        {"name": "Pages per on-call shift", "x": 560.0, "y": 80.0, "binding": None},
        {"name": "On-call fatigue", "x": 560.0, "y": 330.0, "binding": {"metric": "median_days_action_to_done"}},
        {"name": "People in the rotation", "x": 800.0, "y": 80.0, "binding": None},
    ],
    "links": [
        {"source": "Services handed to SRE", "target": "Runbooks and shared lessons", "polarity": "+"},
        {"source": "Runbooks and shared lessons", "target": "Teams' trust in the rotation", "polarity": "+"},
        {"source": "Teams' trust in the rotation", "target": "Services handed to SRE", "polarity": "+"},
        {"source": "Services handed to SRE", "target": "Pages per on-call shift", "polarity": "+"},
        {"source": "Pages per on-call shift", "target": "On-call fatigue", "polarity": "+", "delay": True},
        {"source": "On-call fatigue", "target": "Services handed to SRE", "polarity": "-"},
        {"source": "People in the rotation", "target": "Pages per on-call shift", "polarity": "-"},
    ],
}


def _facilitator(team, fallback):
    found = (Membership.objects.filter(team=team, role=TeamRole.FACILITATOR, person__is_active=True)
             .select_related("person").order_by("pk").first())
    return found.person if found else fallback


def _members(team) -> list:
    return list(Person.objects.filter(memberships__team=team, is_active=True).order_by("pk"))


def build(context) -> None:
    lead = Person.objects.filter(role=OrgRole.LEARNING_LEAD, is_active=True).order_by("pk").first()
    payments = Team.objects.filter(slug="payments").first()
    reliability = Team.objects.filter(slug="site-reliability").first()
    if lead is None or payments is None or reliability is None:
        return
    clock = context.clock
    made = [_payouts(lead, payments, clock), _on_call(lead, reliability, clock)]
    context.extra["systems_diagrams"] = {"diagrams": len(made)}


def _payouts(lead, team, clock):
    author = _facilitator(team, lead)
    theme_item = (ThemeItem.objects.filter(text__icontains="duplicate payouts").order_by("key").first()
                  or ThemeItem.objects.filter(text__icontains="payout").order_by("key").first())
    content = {"variables": [dict(item) for item in PAYOUTS["variables"]], "links": PAYOUTS["links"]}
    if theme_item is not None:
        content["variables"][0]["binding"] = {"metric": "theme_items", "theme": theme_item.theme_id}
    first = {"variables": [dict(item, binding=None) for item in content["variables"][:3]],
             "links": PAYOUTS["links"][:2]}
    diagram = services.create_diagram(
        by=author, team=team, title="Duplicate carrier payouts: fixes that fail",
        description="Why the duplicate payouts kept coming back after each clean-up, drawn after the postmortem.",
        content=first, at=clock.days_ago(40))
    diagram = services.save_diagram(by=author, diagram=diagram, content=content, at=clock.days_ago(38),
                                    note="The backlog loop the postmortem found, and the idempotency key")
    postmortem = (Session.objects.filter(team=team, title__icontains="Duplicate carrier payouts")
                  .order_by("-held_on").first())
    if postmortem is not None:
        services.attach(by=author, diagram=diagram, target_type="reflection.session", target_id=postmortem.pk)
    if theme_item is not None:
        services.attach(by=lead, diagram=diagram, target_type="insights.theme", target_id=theme_item.theme_id)
    others = [person for person in _members(team) if person.pk != author.pk][:2]
    remarks = ("Every clawback run adds rows the nightly reconciliation has to match by hand: that is the delay.",
               "The key on the payout record cuts the symptom at its source instead of feeding the backlog loop.")
    for days, (person, text) in zip((36, 35), zip(others or [lead], remarks, strict=False), strict=False):
        services.add_comment(by=person, diagram=diagram, text=text, at=clock.days_ago(days))
    services.create_intervention(
        by=author, diagram=diagram, kind="action", variable="Idempotency key on the payout record",
        title="Check that every payout path reuses the stored idempotency key",
        description="Audit the three payout paths (batch, retry, manual) for the stored key.", at=clock.days_ago(34))
    return diagram


def _on_call(lead, team, clock):
    author = _facilitator(team, lead)
    diagram = services.create_diagram(
        by=author, team=team, title="On-call rotation: limits to growth",
        description="The more services SRE takes on, the better the runbooks, until the pages per shift wear the "
                    "rotation out.", content=ON_CALL, at=clock.days_ago(20))
    services.add_comment(by=lead, diagram=diagram, at=clock.days_ago(18),
                         text="The limiting condition is the size of the rotation: grow it before taking on "
                              "more services.")
    return diagram
