"""Who is searching and within which filters: the permission and filter side of a search.

User-supplied filter values are cleaned here before any backend sees them, and the viewer's
teams are read once per search into the `Scope` every backend filters by."""

from learnloop.knowledge.search.base import Scope, SearchFilters
from learnloop.org.membership import is_active_person, member_team_ids


def may_search(viewer) -> bool:
    """Only a signed-in, active person searches; anyone else finds nothing."""
    return is_active_person(viewer)


def _ids(values) -> tuple[int, ...]:
    ids = []
    for value in values or ():
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number < 2**63:
            ids.append(number)
    # A filter whose every value is unusable matches nothing (no row has id 0), not everything.
    return tuple(ids) if ids or not values else (0,)


def clean_filters(filters: SearchFilters | None) -> SearchFilters:
    """The filters with every value in the type the backends expect; unusable ids match nothing."""
    filters = filters or SearchFilters()
    return SearchFilters(
        kinds=tuple(str(kind) for kind in filters.kinds or ()),
        team_ids=_ids(filters.team_ids),
        tags=tuple(" ".join(str(tag).split()).lower() for tag in filters.tags or ()),
        states=tuple(str(state) for state in filters.states or ()),
        author_ids=_ids(filters.author_ids),
    )


def viewer_scope(viewer, filters: SearchFilters, now, exclude=()) -> Scope:
    """What a backend needs to return only entries this viewer may see, within the filters."""
    return Scope(
        viewer_id=viewer.pk, team_ids=member_team_ids(viewer), filters=filters, now=now,
        exclude_ids=frozenset(exclude),
    )
