"""Who may see themes and correct them.

Every signed-in person may open the themes pages, but every figure and item on them is computed
from the items that person may see (the source's own rule: a session's cards for its team, its
leads, its facilitator and learning leads; an action for its team, owner and creator and learning
leads; a released survey comment for the organization or the viewer's teams and the departments
above them; lessons and questions visible to everyone). A theme none of whose items a person may
see is not listed for them at all. So a count never reveals an item its reader may not open.

Correcting (rename, merge, split) is for learning leads and admins: they see every item.
"""

from django.db.models import Q

from learnloop.insights.themes_models import CARD_SOURCES, Source
from learnloop.org.membership import is_active_person, led_team_ids, member_team_ids
from learnloop.org.models import Team


def can_view_themes(person) -> bool:
    return is_active_person(person)


def can_correct(person) -> bool:
    return is_active_person(person) and person.is_learning_lead


def _with_departments_above(team_ids) -> set[int]:
    parents = dict(Team.objects.values_list("pk", "parent_id"))
    found = set()
    for team_id in team_ids:
        while team_id is not None and team_id not in found:
            found.add(team_id)
            team_id = parents.get(team_id)
    return found


class _Everyone:
    """Any signed-in person with no team and no lead role: what every reader may see."""


EVERYONE = _Everyone()


def everyone_items_q() -> Q:
    """The theme items every signed-in person may see, whatever their teams and roles."""
    return (Q(source__in=[Source.LESSON, Source.QUESTION], entry__visibility="everyone")
            | Q(source=Source.SURVEY_COMMENT, team__isnull=True))


def visible_items_q(person) -> Q:
    """The theme items `person` may see, as a filter on ThemeItem (`EVERYONE`: what any reader may)."""
    if person is EVERYONE:
        return everyone_items_q()
    if not is_active_person(person):
        return Q(pk__in=[])
    if person.is_learning_lead:
        return Q()
    teams = member_team_ids(person) | led_team_ids(person)
    cards = Q(source__in=CARD_SOURCES) & (Q(team_id__in=teams) | Q(session__facilitator=person))
    actions = Q(source=Source.ACTION) & (Q(team_id__in=teams) | Q(action__owner=person) | Q(action__created_by=person))
    entries = Q(source__in=[Source.LESSON, Source.QUESTION], entry__visibility="everyone")
    comments = Q(source=Source.SURVEY_COMMENT) & (
        Q(team__isnull=True) | Q(team_id__in=_with_departments_above(member_team_ids(person) | led_team_ids(person))))
    return cards | actions | entries | comments
