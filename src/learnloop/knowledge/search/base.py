"""What the knowledge search service promises, whatever backend answers.

The web pages, the API and other modules use only the functions in this package's
__init__ and these dataclasses, so backends can change without them noticing.
"""

from dataclasses import dataclass, field


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
