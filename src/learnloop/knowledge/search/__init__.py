"""Knowledge search: one service, two backends.

* embedded (embedded.py): a Tantivy index in `SEARCH_INDEX_DIR`, kept in step with the
  database through the SearchOutbox — the default with SQLite;
* postgres (postgres.py): an inverted index in PostgreSQL tables written in the same
  transaction as the change — the default with PostgreSQL.

`SEARCH_BACKEND` (auto / embedded / postgres) overrides the choice. Both index and query the
terms of `learnloop.analytics.text.analyze`, so stemming, stop words, highlighting and
similarity agree everywhere, and both answer the same question (`Backend.window`): the best
RESULT_WINDOW entries the viewer may see, within the filters, by text relevance (BM25 +
presence, analytics/ranking.py).
Everything after that is shared by both, in this package, so the backends can't drift apart:

* ranking: `learnloop.analytics.ranking.rank_score` orders the window by text relevance ×
  freshness × reuse, bounded adjustments (the module explains the choice and its measured
  effect);
* the result set of a query is that window: the best RESULT_WINDOW (200) matches. Any-word
  matching makes almost every entry a match of a long enough query; a match found only
  through one common word at rank 5,000 is noise, and counting it would make facet counts
  mean nothing. `total` is the size of the result set and `limited` says more entries matched.
  Facet counts (kind, team, tag, state, author) are counted over the result set; choosing a
  facet value searches again within it, inside the engine, so the new result set is the best
  200 matches having that value (possibly more than the count shown before, never an entry
  the viewer may not see);
* attributes for ranking and facets (freshness, applications, teams, tags) are read from the
  database for the window, and visibility is checked again on them: whatever the index holds,
  nobody is shown an entry they may not see;
* an empty query browses: every visible entry within the filters, ordered by freshness,
  reuse, then recency, with facets over all of them;
* `as_you_type=True` treats a last word still being typed as a prefix (its completions among
  indexed terms form one slot), for search-as-you-type;
* highlighting uses `learnloop.analytics.text.highlight`, which escapes everything but <mark>.

User input is only ever analyzed into words: quotes, operators, field names, brackets, emoji
or 10,000 characters never reach a backend as syntax.

Modules: indexing.py (which backend; keeping the index in step), query.py (words → slots),
scope.py (who searches, within which filters), ranking.py, facets.py, hits.py (loading and
highlighting), searching.py (`search_entries`), browsing.py (an empty query), similarity.py
(related and similar entries); base.py defines the backend interface and the result types,
documents.py what is indexed. The ORM models of the PostgreSQL index live in
knowledge/search_tables.py, outside this package, so that loading the models never loads the
service.
"""

from learnloop.knowledge.search.base import FacetCount, SearchFilters, SearchHit, SearchResults
from learnloop.knowledge.search.indexing import backend, entry_changed, rebuild, rebuild_if_outdated
from learnloop.knowledge.search.searching import RESULT_WINDOW, best_entry_ids, search_entries
from learnloop.knowledge.search.similarity import SIMILAR_THRESHOLD, related_entries, similar_entries

__all__ = [
    "RESULT_WINDOW", "SIMILAR_THRESHOLD", "FacetCount", "SearchFilters", "SearchHit", "SearchResults", "backend",
    "best_entry_ids", "entry_changed", "rebuild", "rebuild_if_outdated", "related_entries", "search_entries",
    "similar_entries",
]
