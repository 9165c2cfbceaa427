"""`search_entries`: one page of ranked results for a query, with facet counts.

The result set of a query is the backend's window: the best RESULT_WINDOW matches. Any-word
matching makes almost every entry a match of a long enough query; a match found only through
one common word at rank 5,000 is noise, and counting it would make facet counts mean nothing.
An empty query browses instead (browsing.py)."""

from django.utils import timezone

from learnloop.analytics import proximity
from learnloop.analytics.text import query_terms
from learnloop.knowledge.search.base import SearchFilters, SearchResults
from learnloop.knowledge.search.browsing import browse
from learnloop.knowledge.search.facets import count_attributes, facet_lists
from learnloop.knowledge.search.hits import PageEntries, hit, no_results
from learnloop.knowledge.search.indexing import backend
from learnloop.knowledge.search.query import query_slots
from learnloop.knowledge.search.ranking import rank_window
from learnloop.knowledge.search.scope import clean_filters, may_search, viewer_scope

RESULT_WINDOW = 200
MAX_PER_PAGE = 100
MAX_QUERY_LENGTH = 20_000
NO_FILTERS = SearchFilters()


def search_entries(
    *, viewer, query: str, filters: SearchFilters = NO_FILTERS, page: int = 1, per_page: int = 20,
    with_facets: bool = True, as_you_type: bool = False,
) -> SearchResults:
    """Entries matching any of the query's words (or, without words, all), ranked, one page."""
    query = query or ""
    page = max(1, int(page or 1))
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    if not may_search(viewer):
        return no_results(query, [], page, per_page, "empty")
    filters = clean_filters(filters)
    now = timezone.now()
    if not query.strip():
        return browse(viewer=viewer, query=query, filters=filters, page=page, per_page=per_page,
                      with_facets=with_facets, now=now)
    engine = backend()
    engine.catch_up()
    slots, marked = query_slots(engine, query[:MAX_QUERY_LENGTH], as_you_type)
    terms = query_terms(query)
    if not slots:
        return no_results(query, terms, page, per_page, "empty")
    scope = viewer_scope(viewer, filters, now)
    window = engine.window(scope, slots, limit=RESULT_WINDOW)
    page_entries = PageEntries()
    # The first results proximity re-orders are on the first page when it holds 20 or more.
    head_on_page = {"read_openings": page_entries.openings} if page == 1 and per_page >= proximity.DEPTH else {}
    # Words being typed are half words: proximity waits for the query to be searched.
    ranked, attributes = rank_window(window, scope, engine=None if as_you_type else engine, terms=terms,
                                     **head_on_page)
    results = SearchResults(
        query=query, terms=terms, hits=[], total=len(ranked), page=page, per_page=per_page,
        limited=len(window) >= RESULT_WINDOW,
    )
    if with_facets:
        counts, labels = count_attributes([attributes[entry_id] for _, entry_id in ranked])
        results.facets = facet_lists(counts, filters, labels)
    chosen = ranked[(page - 1) * per_page : page * per_page]
    entries = page_entries.page([entry_id for _, entry_id in chosen], attributes)
    results.hits = [hit(entries[entry_id], score, marked) for score, entry_id in chosen if entry_id in entries]
    return results


def best_entry_ids(*, viewer, query: str, filters: SearchFilters = NO_FILTERS, limit: int) -> list[int]:
    """The ids of the first `limit` entries search_entries would list for this query, in its
    order, without loading, highlighting or counting them: for callers that show a few titles
    (the survey report's suggested practices when nothing is tagged for a barrier)."""
    query = query or ""
    if not query.strip():
        results = search_entries(viewer=viewer, query=query, filters=filters, per_page=limit, with_facets=False)
        return [found.entry.pk for found in results.hits]
    if not may_search(viewer):
        return []
    filters = clean_filters(filters)
    engine = backend()
    engine.catch_up()
    slots, _ = query_slots(engine, query[:MAX_QUERY_LENGTH], False)
    if not slots:
        return []
    scope = viewer_scope(viewer, filters, timezone.now())
    ranked, _ = rank_window(engine.window(scope, slots, limit=RESULT_WINDOW), scope, engine=engine,
                            terms=query_terms(query))
    return [entry_id for _, entry_id in ranked[:limit]]
