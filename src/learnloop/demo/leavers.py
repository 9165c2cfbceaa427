"""The demo's last chapter: two people leave after everything else is built (they own open
actions, entries to review, experiments, by then). One is deactivated the normal way, their work
handed to their manager; for the other the admin chose "decide later", so the orphaned-ownership
report (/people/orphans/) has one row to show. Through org.services, dated by the demo clock."""

from learnloop.org import ownership, services
from learnloop.org.models import OrgRole, Person

HANDED_OVER_DAYS_AGO = 6
KEPT_DAYS_AGO = 2


def build(context) -> None:
    admin = Person.objects.filter(role=OrgRole.ADMIN, is_active=True).order_by("id").first()
    logins = {person.pk for _, person in context.logins}
    candidates = list(Person.objects.filter(is_active=True, role=OrgRole.MEMBER, manager__is_active=True)
                      .exclude(pk__in=logins).order_by("id"))
    owned = ownership.counts_by_person([person.pk for person in candidates])
    # People with open actions, most first, then by id: the same two for a seed, whichever other
    # modules are built (a build without the action engine, like the knowledge demo's own tests,
    # has no such leavers).
    ranked = sorted((person for person in candidates
                     if owned.get(person.pk, {}).get("actions.open") and not person.reports.exists()),
                    key=lambda person: (-owned[person.pk]["actions.open"], person.pk))
    if admin is None or len(ranked) < 2:
        return
    handed, kept = ranked[0], ranked[1]
    services.deactivate_person(by=admin, person=handed, at=context.clock.days_ago(HANDED_OVER_DAYS_AGO))
    services.deactivate_person(by=admin, person=kept, keep_ownership=True, at=context.clock.days_ago(KEPT_DAYS_AGO))
    context.extra["leavers"] = {"handed_over": handed, "kept": kept, "successor": handed.manager}
    context.announce(f"leavers: {handed.full_name}'s work went to {handed.manager.full_name}; "
                     f"{kept.full_name}'s waits in the orphaned-ownership report")
