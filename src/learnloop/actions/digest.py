"""The weekly digest: one email per person with their open, overdue and to-check actions.

A DigestDelivery row per person and week (the Monday it starts) makes the job idempotent: run it
daily from cron and each person still gets one digest a week, on the first run of the week.
People with nothing open and nothing to check get no email.

Higher modules add sections without this module importing them: a receiver of `digest_sections`
gets `person` and `today` and returns a DigestSection or None (insights adds the week's recurring
themes). Learning leads and admins are asked too, so a digest with only such sections reaches them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from learnloop.actions import selectors
from learnloop.actions.models import Action, DigestDelivery, Status
from learnloop.actions.reminders import action_link, recipient_language
from learnloop.ops.mail import send_keyed
from learnloop.org.models import OrgRole, Person

# Sent while a digest is put together, with person= and today=; receivers return a DigestSection or None.
digest_sections = Signal()
# The same for a team's weekly digest (team chat channels), with team= and today=.
team_digest_sections = Signal()
# Sent once per run of the weekly digests (`learnloop actions digest`), with today= and
# send_now=, after the people's digests are reserved: higher modules send their own weekly
# messages (integrations: the teams' chat channels), each keeping it to once a week.
digests_run = Signal()


@dataclass
class DigestSection:
    title: str
    lines: list[str]  # plain text, each line as it is printed


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Digest:
    person: Person
    open: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    to_check: list = field(default_factory=list)
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.open or self.to_check or self.sections)


def digest_for(person: Person, *, today: date | None = None) -> Digest:
    today = today or timezone.localdate()
    mine = selectors.mark_overdue(selectors.my_actions(person).order_by("due_on", "id"), today=today)
    digest = Digest(person=person)
    for action in mine:
        if action.check_pending:
            if action.check_on <= today:
                digest.to_check.append(action)
        elif action.overdue:
            digest.overdue.append(action)
        else:
            digest.open.append(action)
    # Overdue actions are open too; the email lists them once, under "overdue".
    digest.open = digest.overdue + digest.open
    digest.sections = [section for _, section in digest_sections.send(sender=Digest, person=person, today=today)
                       if section]
    return digest


def _people_with_actions():
    owners = Action.objects.filter(owner__isnull=False).values_list("owner_id", flat=True).distinct()
    leads = Q(role__in=[OrgRole.LEARNING_LEAD, OrgRole.ADMIN]) if digest_sections.has_listeners(Digest) else Q(pk=None)
    return Person.objects.filter(Q(pk__in=owners) | leads, is_active=True).order_by("full_name", "id")


def plan_digests(*, today: date | None = None) -> list[Digest]:
    today = today or timezone.localdate()
    done = set(DigestDelivery.objects.filter(week_of=week_of(today)).values_list("person_id", flat=True))
    digests = []
    for person in _people_with_actions():
        if person.pk in done:
            continue
        digest = digest_for(person, today=today)
        if not digest.empty:
            digests.append(digest)
    return digests


def deliver_digest(delivery_id: int, *, today: date | None = None) -> bool:
    """Send one reserved digest, with the actions as they are when it is sent (overdue as of `today`)."""
    with transaction.atomic():
        delivery = (
            DigestDelivery.objects.select_for_update(of=("self",)).select_related("person")
            .filter(pk=delivery_id, sent_at__isnull=True).first()
        )
        if delivery is None or not delivery.person.is_active:
            return False
        digest = digest_for(delivery.person, today=today)
        if digest.empty:
            return False
        for action in digest.open + digest.to_check:
            action.link = action_link(action)
        with translation.override(recipient_language(delivery.person)):
            body = render_to_string("actions/email/digest.txt", {"digest": digest, "week_of": delivery.week_of})
            subject = gettext("Your actions this week: %(open)s open, %(overdue)s overdue") % {
                "open": len(digest.open), "overdue": len(digest.overdue)}
            if digest.to_check:
                subject += ngettext(", %(count)s to check", ", %(count)s to check", len(digest.to_check)) % {
                    "count": len(digest.to_check)}
            if not (digest.open or digest.to_check):
                subject = gettext("This week: %(sections)s") % {
                    "sections": ", ".join(str(section.title).lower() for section in digest.sections)}
        # Recorded in the same transaction as the send (the row stays locked meanwhile).
        send_keyed(f"digest:{delivery.pk}", subject, body, [delivery.person.email])
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


# --- a team's week, for its chat channel --------------------------------------------------------

@dataclass
class TeamDigest:
    team: object
    open_count: int = 0
    overdue: list = field(default_factory=list)
    done_this_week: int = 0
    to_check: list = field(default_factory=list)
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.open_count or self.done_this_week or self.to_check or self.sections)


def team_digest(team, *, today: date | None = None) -> TeamDigest:
    """The team's actions as they stand (open, overdue, done in the last seven days, waiting for
    an effectiveness check) and what higher modules add (insights: metric changes)."""
    today = today or timezone.localdate()
    open_actions = selectors.mark_overdue(selectors.open_actions_for_team(team).order_by("due_on", "id"), today=today)
    week_start = timezone.make_aware(datetime.combine(today - timedelta(days=6), time.min))
    digest = TeamDigest(
        team=team,
        open_count=len(open_actions),
        overdue=[action for action in open_actions if action.overdue],
        done_this_week=Action.objects.filter(team=team, status=Status.DONE, closed_at__gte=week_start).count(),
        to_check=list(selectors.checks_due(team=team, today=today)),
    )
    digest.sections = [section for _, section in team_digest_sections.send(sender=TeamDigest, team=team, today=today)
                       if section]
    return digest
