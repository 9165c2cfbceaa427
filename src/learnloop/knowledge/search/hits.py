"""Turning ranked entry ids into the hits a page shows: entries loaded, title and snippet
highlighted (analytics.text.highlight escapes everything but <mark>)."""

from learnloop.analytics.text import highlight
from learnloop.knowledge.markdown import plain_text
from learnloop.knowledge.models import Entry
from learnloop.knowledge.search.base import SearchHit, SearchResults


def snippet(entry, terms: list[str]) -> str:
    """The first of the entry's texts with a match, highlighted (else the first text). Each
    text is scanned for its first match and only a window around it is cleaned of markdown and
    highlighted (analytics.text.highlight), so long entries cost what short ones do."""
    first = None
    for text in (entry.body, entry.context, entry.decision, entry.options, entry.consequences):
        if not text:
            continue
        html = highlight(text, terms, clean=plain_text)
        if "<mark>" in html or not terms:
            return html
        first = first or html
    return first or ""


def hit(entry, score: float, terms: list[str]) -> SearchHit:
    return SearchHit(entry=entry, score=score, title_html=highlight(entry.title, terms, max_length=300),
                     snippet_html=snippet(entry, terms))


def load_entries(ids: list[int], *, tag_names: dict[int, list[str]] | None = None) -> dict[int, Entry]:
    """Entries with owner, author and tags loaded, by id (entries gone since are left out).

    A search has already read every windowed entry's tag names (documents.attributes_of):
    given as `tag_names`, they become the entries' `known_tag_names` instead of a third query
    and twenty model instances more per page (a third of the page's loading time)."""
    entries = Entry.objects.filter(pk__in=ids).select_related("owner_person", "owner_team", "author")
    if tag_names is None:
        return {entry.pk: entry for entry in entries.prefetch_related("tags")}
    loaded = {}
    for entry in entries:
        entry.known_tag_names = sorted(tag_names.get(entry.pk, ()))
        loaded[entry.pk] = entry
    return loaded


def no_results(query: str, terms, page: int, per_page: int, mode: str) -> SearchResults:
    return SearchResults(query=query, terms=list(terms), hits=[], total=0, page=page, per_page=per_page, mode=mode)
