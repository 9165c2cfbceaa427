"""What the knowledge search service promises, whatever backend answers.

The web pages, the API and other modules use only the functions in this package's
__init__ and these dataclasses, so backends can change without them noticing.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SearchFilters:
    kinds: tuple[str, ...] = ()
    team_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    states: tuple[str, ...] = ()  # fresh, due, stale, obsolete
    author_ids: tuple[int, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.team_ids or self.tags or self.states or self.author_ids)


@dataclass(frozen=True)
class SearchHit:
    entry: object  # a knowledge.Entry with owner, author and tags loaded
    score: float
    # HTML-safe: escaped text with the query's words wrapped in <mark>.
    title_html: str
    snippet_html: str


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    query: str
    terms: list[str]
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    # "search" (a query with words), "browse" (no query: every visible entry) or "empty" (a
    # query with no searchable words, such as only stop words or punctuation).
    mode: str = "search"
    # True when more entries matched than the result set holds (see RESULT_WINDOW).
    limited: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --- What the service asks a backend -----------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which entries a backend may return: what the viewer can see, narrowed by the filters.

    A backend applies all of it inside its own query, so windows are full and counts right.
    """

    viewer_id: int
    team_ids: frozenset[int]  # the viewer's teams
    filters: SearchFilters
    now: datetime
    exclude_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Match:
    """One entry in a backend's window: how many query slots it matched, and its text relevance
    (BM25 + presence, analytics.ranking.term_weight summed over the matched slots)."""

    entry_id: int
    matched: int
    relevance: float


class Backend:
    """The interface both backends implement (see embedded.py and postgres.py)."""

    name = "?"

    def entry_changed(self, entry_id: int) -> None:
        raise NotImplementedError

    def rebuild(self, *, progress=None) -> int:
        raise NotImplementedError

    def outdated(self) -> bool:
        """Whether the index was written under another INDEX_FORMAT (documents.py) and needs a
        rebuild. The embedded backend never says so: each format has a directory of its own."""
        return False

    def window(self, scope: Scope, slots: list[list[str]], *, limit: int) -> list[Match]:
        """The best `limit` entries in scope by (slots matched, text relevance), best first.

        A slot is a list of alternative terms (one term, or a typed prefix's completions);
        an entry matches a slot when it contains any of them and scores the best of them.
        """
        raise NotImplementedError

    def statistics(self, terms) -> tuple[int, dict[str, int]]:
        """(number of documents, {term: document frequency}) for idf."""
        raise NotImplementedError

    def complete(self, prefix: str, *, limit: int) -> list[str]:
        """Indexed terms starting with `prefix`, most frequent first."""
        raise NotImplementedError

    def catch_up(self) -> None:
        """Before reading: apply anything queued that the index has not seen (embedded only)."""
