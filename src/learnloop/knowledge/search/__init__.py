"""Knowledge search: one service, two backends.

A temporary implementation (substring matching in the database) stands in until the real
backends land; the functions' signatures and results are the contract pages and the API use.
"""

from django.db.models import Q

from learnloop.analytics.text import highlight, query_terms
from learnloop.knowledge.search.base import FacetCount, SearchFilters, SearchHit, SearchResults

__all__ = [
    "FacetCount", "SearchFilters", "SearchHit", "SearchResults", "entry_changed", "rebuild",
    "related_entries", "search_entries", "similar_entries",
]


def entry_changed(entry_id: int) -> None:
    """Called inside the transaction that changed an entry, its answers or its applications."""


def rebuild(*, progress=None) -> int:
    return 0


def search_entries(
    *, viewer, query: str, filters: SearchFilters = SearchFilters(), page: int = 1, per_page: int = 20,
    with_facets: bool = True,
) -> SearchResults:
    from learnloop.knowledge.selectors import visible_entries

    terms = query_terms(query or "")
    entries = visible_entries(viewer=viewer).select_related("owner_person", "owner_team", "author")
    if filters.kinds:
        entries = entries.filter(kind__in=filters.kinds)
    words = (query or "").split()[:8]
    if words:
        match = Q()
        for word in words:
            match |= Q(title__icontains=word) | Q(body__icontains=word)
        entries = entries.filter(match)
    total = entries.count()
    page_entries = list(entries[(page - 1) * per_page : page * per_page])
    hits = [
        SearchHit(entry=e, score=1.0, title_html=highlight(e.title, terms, max_length=300),
                  snippet_html=highlight(e.body, terms))
        for e in page_entries
    ]
    return SearchResults(query=query or "", terms=terms, hits=hits, total=total, page=page, per_page=per_page)


def related_entries(*, viewer, entry, limit: int = 5) -> list:
    return []


def similar_entries(*, viewer, title: str, body: str = "", exclude_id: int | None = None, limit: int = 5) -> list:
    return []
