"""Learning champions: named per team or topic by a lead, never automatically. The champions'
page shows what each one models (sessions facilitated, lessons written and reused, experiments
run, people mentored); suggestions come from contributions and from who is reused across teams, for a lead to
consider."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.activity.services import record_activity
from learnloop.strategy.models import Champion
from learnloop.strategy.permissions import can_name_champion, can_view, require

ACTIVITY_DAYS = 365


def name_champion(*, by, person, team=None, topic: str = "", at=None) -> Champion:
    require(can_name_champion(by, team), "You may not name champions here.")
    topic = str(topic or "").strip()
    if len(topic) > 120:
        raise ValidationError({"topic": gettext("At most 120 characters.")})
    if team is None and not topic:
        raise ValidationError({"topic": gettext("A champion is for a team, a topic or both.")})
    if not person.is_active:
        raise ValidationError({"person_id": gettext("That person has left.")})
    if Champion.objects.filter(person=person, team=team, topic=topic, ended_on=None).exists():
        raise ValidationError({"person_id": gettext("Already a champion for this.")})
    with transaction.atomic():
        champion = Champion.objects.create(person=person, team=team, topic=topic, named_by=by,
                                           named_on=timezone.localdate(at) if at else timezone.localdate())
        record_activity(verb="champion_named", subject=champion, actor=by, team=team, at=at)
    return champion


def end_champion(*, by, champion: Champion) -> Champion:
    require(can_name_champion(by, champion.team), "You may not change champions here.")
    if champion.ended_on is None:
        champion.ended_on = timezone.localdate()
        champion.save(update_fields=["ended_on"])
    return champion


def champions(viewer, *, current: bool = True):
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    found = Champion.objects.select_related("person", "team").order_by("person__full_name", "pk")
    return found.filter(ended_on=None) if current else found


def activity(person_ids: list[int], *, today=None) -> dict[int, dict]:
    """What each person models over the last year, in five queries whatever the number of people:
    sessions facilitated, lessons written (and how often applied), experiments run (owned), and
    people mentored (growth's mentoring pairs that were active at some point in the year)."""
    from learnloop.experiments.models import Experiment
    from learnloop.growth.models import MentoringPair, PairStatus
    from learnloop.knowledge.models import Entry
    from learnloop.reflection.models import Session

    today = today or timezone.localdate()
    since = today - timedelta(days=ACTIVITY_DAYS)
    out = {pk: {"sessions": 0, "lessons": 0, "reuses": 0, "experiments": 0, "mentees": 0} for pk in person_ids}
    for pk, count in (Session.objects.filter(facilitator_id__in=person_ids, held_on__gte=since)
                      .values("facilitator_id").annotate(n=Count("id")).values_list("facilitator_id", "n")):
        out[pk]["sessions"] = count
    for pk, count, uses in (Entry.objects.filter(author_id__in=person_ids, kind="lesson", created_at__date__gte=since)
                            .values("author_id").annotate(n=Count("id", distinct=True),
                                                          uses=Count("applications"))
                            .values_list("author_id", "n", "uses")):
        out[pk]["lessons"], out[pk]["reuses"] = count, uses
    for pk, count in (Experiment.objects.filter(owner_id__in=person_ids)
                      .filter(started_on__gte=since).values("owner_id").annotate(n=Count("id"))
                      .values_list("owner_id", "n")):
        out[pk]["experiments"] = count
    # Only who mentors whom is read (never the pair's goals or notes). A pair counts if it is still
    # active or was started within the year.
    mentored = (MentoringPair.objects.filter(mentor_id__in=person_ids)
                .filter(Q(status=PairStatus.ACTIVE) | Q(started_at__date__gte=since))
                .values("mentor_id").annotate(n=Count("mentee_id", distinct=True)).values_list("mentor_id", "n"))
    for pk, count in mentored:
        out[pk]["mentees"] = count
    return out


def suggestions(viewer, *, limit: int = 8) -> list[dict]:
    """People a lead might consider (never named automatically): whose lessons other teams
    applied, then overall contributions. Current champions are left out."""
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    from learnloop.knowledge.models import Application
    from learnloop.org.models import Membership, Person

    teams_of = defaultdict(set)
    for person_id, team_id in Membership.objects.values_list("person_id", "team_id"):
        teams_of[person_id].add(team_id)
    cross = Counter()
    teams_reached = defaultdict(set)
    # A lesson applied by someone outside the team that owns it is knowledge flowing across teams.
    for author_id, owner_team_id, applier_id in Application.objects.filter(
            entry__kind="lesson", entry__owner_team__isnull=False).values_list(
            "entry__author_id", "entry__owner_team_id", "person_id"):
        if author_id is not None and owner_team_id not in teams_of[applier_id]:
            cross[author_id] += 1
            teams_reached[author_id] |= teams_of[applier_id]
    current = set(Champion.objects.filter(ended_on=None).values_list("person_id", flat=True))
    people = {person.pk: person for person in Person.objects.filter(pk__in=list(cross), is_active=True)}
    ranked = [pk for pk, _ in cross.most_common() if pk in people and pk not in current][:limit]
    found = activity(ranked)
    return [{"person": people[pk], "cross_team_reuses": cross[pk], "teams_reached": len(teams_reached[pk]),
             **found[pk]} for pk in ranked]


LISTED = 10  # the most recent sessions, lessons and experiments a champion's page lists


def champion_for(viewer, champion_id: int) -> Champion:
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    from django.http import Http404

    found = Champion.objects.select_related("person", "team", "named_by").filter(pk=champion_id).first()
    if found is None:
        raise Http404("No such champion.")
    return found


def modelled(viewer, champion: Champion, *, today=None) -> dict:
    """What one champion modelled over the last year: the figures of `activity` and the latest of
    each kind behind them, in a fixed number of queries (however much they did). The lists name
    only what the viewer may open (through the link registry); the figures are counts. Mentees
    are a count only: who mentors whom is growth's, and a pair's goals or notes are never read."""
    from learnloop.experiments.models import Experiment
    from learnloop.knowledge.models import Entry
    from learnloop.links import registry
    from learnloop.reflection.models import Session

    today = today or timezone.localdate()
    since = today - timedelta(days=ACTIVITY_DAYS)
    person_id = champion.person_id
    figures = activity([person_id], today=today)[person_id]
    sessions = list(Session.objects.filter(facilitator_id=person_id, held_on__gte=since)
                    .order_by("-held_on", "-pk").values_list("pk", "held_on")[:LISTED])
    lessons = list(Entry.objects.filter(author_id=person_id, kind="lesson", created_at__date__gte=since)
                   .annotate(uses=Count("applications")).order_by("-uses", "-created_at", "-pk")
                   .values_list("pk", "uses")[:LISTED])
    experiments = list(Experiment.objects.filter(owner_id=person_id, started_on__gte=since)
                       .order_by("-started_on", "-pk").values_list("pk", "started_on")[:LISTED])
    kinds = (("reflection.session", sessions), ("knowledge.entry", lessons), ("experiments.experiment", experiments))
    targets = registry.resolve(viewer, [(kind, str(pk)) for kind, rows in kinds for pk, _ in rows])

    def shown(kind, rows):
        return [(targets[(kind, str(pk))], extra) for pk, extra in rows if (kind, str(pk)) in targets]

    return {"figures": figures, "since": since, "sessions": shown(*kinds[0]), "lessons": shown(*kinds[1]),
            "experiments": shown(*kinds[2])}
