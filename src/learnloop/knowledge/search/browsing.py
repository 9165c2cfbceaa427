"""An empty query browses: every entry the viewer may see within the filters, ordered by
freshness, reuse, then recency, with facets over all of them (counted by the database)."""

from django.db.models import Case, IntegerField, Q, Value, When

from learnloop.analytics.ranking import STATES
from learnloop.knowledge.models import STALE_AFTER_DUE, Entry
from learnloop.knowledge.search.base import SearchFilters, SearchResults
from learnloop.knowledge.search.facets import count_browsed, facet_lists
from learnloop.knowledge.search.hits import hit
from learnloop.knowledge.selectors import freshness_q, visible_entries


def _within(entries, filters: SearchFilters, now):
    if filters.kinds:
        entries = entries.filter(kind__in=filters.kinds)
    if filters.team_ids:
        entries = entries.filter(
            pk__in=Entry.objects.filter(Q(teams__in=filters.team_ids) | Q(owner_team__in=filters.team_ids)).values("pk")
        )
    if filters.tags:
        entries = entries.filter(pk__in=Entry.objects.filter(tags__name__in=filters.tags).values("pk"))
    if filters.states:
        states = Q(pk__in=[])
        for state in filters.states:
            if state in STATES:
                states |= freshness_q(state, now)
        entries = entries.filter(states)
    if filters.author_ids:
        entries = entries.filter(author_id__in=filters.author_ids)
    return entries


def browse(*, viewer, query, filters: SearchFilters, page, per_page, with_facets, now) -> SearchResults:
    entries = _within(visible_entries(viewer=viewer), filters, now)
    rank = Case(
        When(obsolete_at__isnull=False, then=Value(3)),
        When(review_due_at__gt=now, then=Value(0)),
        When(review_due_at__gt=now - STALE_AFTER_DUE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ordered = entries.annotate(freshness_rank=rank).order_by("freshness_rank", "-application_count", "-updated_at",
                                                             "-id")
    total = entries.count()
    results = SearchResults(query=query, terms=[], hits=[], total=total, page=page, per_page=per_page, mode="browse")
    if with_facets:
        counts, labels = count_browsed(entries, now)
        results.facets = facet_lists(counts, filters, labels)
    chosen = list(
        ordered.select_related("owner_person", "owner_team", "author").prefetch_related("tags")[
            (page - 1) * per_page : page * per_page
        ]
    )
    results.hits = [hit(entry, 0.0, []) for entry in chosen]
    return results
