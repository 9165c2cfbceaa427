"""Entries alike by text: "related entries" on an entry page and the editor's "similar entries
already exist" warning. Candidates come from the backend by the text's most distinctive terms;
they are then scored by tf-idf cosine similarity over the whole text."""

from django.utils import timezone

from learnloop.analytics.ranking import bm25_idf
from learnloop.analytics.text import analyze, cosine, distinctive_terms, tfidf_vector
from learnloop.knowledge.search.base import SearchFilters
from learnloop.knowledge.search.documents import documents_for, text_of
from learnloop.knowledge.search.hits import load_entries
from learnloop.knowledge.search.indexing import backend
from learnloop.knowledge.search.ranking import rank_window
from learnloop.knowledge.search.scope import may_search, viewer_scope

# similar_entries reports drafts whose tf-idf cosine similarity with an entry reaches this.
# Rewordings of the same lesson score 0.4–0.9; entries that merely share a topic, 0.05–0.25.
SIMILAR_THRESHOLD = 0.3
# related_entries leaves out entries sharing less than this (a word or two in common).
RELATED_THRESHOLD = 0.05
DISTINCTIVE_TERMS = 20
MAX_TEXT_LENGTH = 20_000


def _similar(viewer, text: str, *, exclude=(), limit: int, threshold: float) -> list[tuple[object, float]]:
    if not may_search(viewer) or not text.strip():
        return []
    engine = backend()
    engine.catch_up()
    own_terms = set(analyze(text))
    if not own_terms:
        return []
    count, frequencies = engine.statistics(own_terms)
    known = {term: df for term, df in frequencies.items() if df > 0}
    terms = [term for term in distinctive_terms(text, known, max(count, 1), limit=len(own_terms)) if term in known]
    terms = terms[:DISTINCTIVE_TERMS]
    if not terms:
        return []
    scope = viewer_scope(viewer, SearchFilters(), timezone.now(), exclude=exclude)
    window = engine.window(scope, [[term] for term in terms], limit=max(4 * limit, 20))
    ranked, _ = rank_window(window, scope)
    candidate_ids = [entry_id for _, entry_id in ranked]
    if not candidate_ids:
        return []
    texts = {entry_id: document.text for entry_id, document in documents_for(candidate_ids).items()}
    vocabulary = set(own_terms)
    for other in texts.values():
        vocabulary.update(analyze(other))
    count, frequencies = engine.statistics(vocabulary)
    idf = {term: bm25_idf(max(count, 1), min(df, count)) for term, df in frequencies.items() if df > 0}
    mine = tfidf_vector(text, idf)
    scored = []
    for entry_id in candidate_ids:
        if entry_id not in texts:
            continue
        similarity = round(min(1.0, max(0.0, cosine(mine, tfidf_vector(texts[entry_id], idf)))), 4)
        if similarity >= threshold:
            scored.append((similarity, entry_id))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    scored = scored[:limit]
    entries = load_entries([entry_id for _, entry_id in scored])
    return [(entries[entry_id], similarity) for similarity, entry_id in scored if entry_id in entries]


def related_entries(*, viewer, entry, limit: int = 5, with_scores: bool = False) -> list:
    """Entries most like this one by text (itself excluded), among those the viewer may see;
    with_scores: (entry, similarity 0..1) pairs instead."""
    pairs = _similar(viewer, text_of(entry), exclude={entry.pk}, limit=limit, threshold=RELATED_THRESHOLD)
    return pairs if with_scores else [other for other, _ in pairs]


def similar_entries(*, viewer, title: str, body: str = "", exclude_id: int | None = None, limit: int = 5) -> list:
    """(entry, similarity 0..1) for entries a draft resembles, from SIMILAR_THRESHOLD up, most
    similar first: the editor's "similar entries already exist" warning."""
    text = "\n".join(part for part in (title or "", body or "") if part)[:MAX_TEXT_LENGTH]
    exclude = {exclude_id} if exclude_id else set()
    return _similar(viewer, text, exclude=exclude, limit=limit, threshold=SIMILAR_THRESHOLD)
