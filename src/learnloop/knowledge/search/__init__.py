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
Everything after that is shared here, so the backends can't drift apart:

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
"""

import re

from django.conf import settings
from django.db import connection
from django.utils import timezone

from learnloop.analytics.ranking import STATES, bm25_idf, rank_score
from learnloop.analytics.text import (
    MIN_COMPOUND_PART,
    STOP_WORDS,
    analyze,
    compound_joins,
    compound_splits,
    cosine,
    distinctive_terms,
    highlight,
    query_terms,
    stem,
    tfidf_vector,
    words,
)
from learnloop.knowledge.search.base import (
    Backend,
    FacetCount,
    Match,
    Scope,
    SearchFilters,
    SearchHit,
    SearchResults,
)

__all__ = [
    "RESULT_WINDOW", "SIMILAR_THRESHOLD", "FacetCount", "SearchFilters", "SearchHit", "SearchResults", "backend",
    "best_entry_ids", "entry_changed", "rebuild", "related_entries", "search_entries", "similar_entries",
]

RESULT_WINDOW = 200
MAX_PER_PAGE = 100
# similar_entries reports drafts whose tf-idf cosine similarity with an entry reaches this.
# Rewordings of the same lesson score 0.4–0.9; entries that merely share a topic, 0.05–0.25.
SIMILAR_THRESHOLD = 0.3
# related_entries leaves out entries sharing less than this (a word or two in common).
RELATED_THRESHOLD = 0.05
DISTINCTIVE_TERMS = 20
FACET_VALUES = 20
COMPLETIONS = 8
NO_FILTERS = SearchFilters()
_TRAILING_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]*)?$")

_backends: dict[str, Backend] = {}


def backend() -> Backend:
    """The backend for the current settings and database."""
    choice = getattr(settings, "SEARCH_BACKEND", "auto")
    if choice == "auto":
        choice = "postgres" if connection.vendor == "postgresql" else "embedded"
    if choice not in _backends:
        if choice == "postgres":
            from learnloop.knowledge.search.postgres import PostgresBackend

            _backends[choice] = PostgresBackend()
        else:
            from learnloop.knowledge.search.embedded import EmbeddedBackend

            _backends[choice] = EmbeddedBackend()
    return _backends[choice]


def entry_changed(entry_id: int) -> None:
    """Called inside the transaction that changed an entry, its answers or its applications."""
    backend().entry_changed(entry_id)


def rebuild(*, progress=None) -> int:
    """Rebuild the index from the database; `progress(done, total)` is called along the way."""
    return backend().rebuild(progress=progress)


# --- helpers -------------------------------------------------------------------------------------


def _active(viewer) -> bool:
    return bool(viewer and viewer.is_authenticated and viewer.is_active)


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


def _clean(filters: SearchFilters | None) -> SearchFilters:
    filters = filters or SearchFilters()
    return SearchFilters(
        kinds=tuple(str(kind) for kind in filters.kinds or ()),
        team_ids=_ids(filters.team_ids),
        tags=tuple(" ".join(str(tag).split()).lower() for tag in filters.tags or ()),
        states=tuple(str(state) for state in filters.states or ()),
        author_ids=_ids(filters.author_ids),
    )


def _scope(viewer, filters: SearchFilters, now, exclude=()) -> Scope:
    from learnloop.knowledge.permissions import team_ids_of

    return Scope(
        viewer_id=viewer.pk, team_ids=frozenset(team_ids_of(viewer)), filters=filters, now=now,
        exclude_ids=frozenset(exclude),
    )


def _completions(engine: Backend, word: str) -> list[str]:
    """Indexed terms a word still being typed may become: those starting with it (or its
    stem), and the longest indexed term it already starts with ("deploym" → "deploy")."""
    if len(word) < 2:
        return []
    found = dict.fromkeys(engine.complete(stem(word), limit=COMPLETIONS))
    if stem(word) != word:
        found.update(dict.fromkeys(engine.complete(word, limit=COMPLETIONS)))
    prefixes = [word[:end] for end in range(len(word), 2, -1)]
    _, frequencies = engine.statistics(prefixes)
    for prefix in prefixes:
        if frequencies.get(prefix):
            found[prefix] = None
            break
    return list(found)[: COMPLETIONS + 2]


def _compounds(engine: Backend, text: str, slots: list[list[str]], *, typing: str | None):
    """Read an unknown word as two known ones ("rollback" → "roll" + "back": two slots), and
    let adjacent words match the one word the index knows them as ("roll back" also matches
    "rollback"). Returns the new slots and the extra terms to highlight."""
    raw: dict[str, str] = {}
    for word in words(text):
        if word not in STOP_WORDS:
            raw.setdefault(stem(word), word)
    splits = {
        slot[0]: compound_splits(raw[slot[0]])
        for slot in slots
        if len(slot) == 1 and slot[0] != typing and len(raw.get(slot[0], "")) >= 2 * MIN_COMPOUND_PART
    }
    joins = [join for join in compound_joins(text) if typing not in (join[0], join[1])]
    if not splits and not joins:
        return slots, []
    wanted = {slot[0] for slot in slots} | {join[2] for join in joins}
    wanted |= {part for options in splits.values() for pair in options for part in pair}
    _, frequency = engine.statistics(wanted)
    result, extra = [], []
    for slot in slots:
        known = [pair for pair in splits.get(slot[0], ()) if frequency.get(pair[0]) and frequency.get(pair[1])]
        if known and not frequency.get(slot[0]):
            left, right = max(known, key=lambda pair: min(frequency[pair[0]], frequency[pair[1]]))
            result.extend([[left], [right]])
            extra.extend([left, right])
        else:
            result.append(list(slot))
    for first, second, joined in joins:
        if frequency.get(joined) and joined not in (first, second):
            for slot in result:
                if slot[0] in (first, second) and joined not in slot:
                    slot.append(joined)
            extra.append(joined)
    return result, extra


def _slots(engine: Backend, text: str, as_you_type: bool) -> tuple[list[list[str]], list[str]]:
    terms = query_terms(text)
    slots = [[term] for term in terms]
    marked = list(terms)
    typing = None
    if as_you_type:
        trailing = _TRAILING_WORD.search(text)
        typed = words(trailing.group(0)) if trailing else []
        typing = stem(typed[-1]) if typed else None
    slots, extra = _compounds(engine, text, slots, typing=typing)
    marked.extend(extra)
    if as_you_type:
        trailing = _TRAILING_WORD.search(text)
        typed = words(trailing.group(0)) if trailing else []
        if typed:
            word = typed[-1]
            completions = _completions(engine, word)
            if completions:
                own = stem(word) if word not in STOP_WORDS else None
                slots = [slot for slot in slots if slot[0] != own]
                slots.append(list(dict.fromkeys([*([own] if own else []), *completions])))
                marked.extend(completions)
    return slots, marked


def _snippet(entry, terms: list[str]) -> str:
    """The first of the entry's texts with a match, highlighted (else the first text). Each
    text is scanned for its first match and only a window around it is cleaned of markdown and
    highlighted (analytics.text.highlight), so long entries cost what short ones do."""
    from learnloop.knowledge.markdown import plain_text

    first = None
    for text in (entry.body, entry.context, entry.decision, entry.options, entry.consequences):
        if not text:
            continue
        html = highlight(text, terms, clean=plain_text)
        if "<mark>" in html or not terms:
            return html
        first = first or html
    return first or ""


def _load_entries(ids: list[int], attributes=None) -> dict[int, object]:
    """Entries with owner and author loaded, and their tags: from `attributes` (already read
    for ranking) when given, else prefetched."""
    from learnloop.knowledge.models import Entry, Tag

    entries = Entry.objects.filter(pk__in=ids).select_related("owner_person", "owner_team", "author")
    if attributes is None:
        return {entry.pk: entry for entry in entries.prefetch_related("tags")}
    from django.db.models.query import QuerySet

    loaded = {}
    for entry in entries:
        item = attributes[entry.pk]
        tags = [Tag(id=tag_id, name=name) for tag_id, name in zip(item.tag_ids, item.tags, strict=True)]
        for tag in tags:
            tag._state.adding, tag._state.db = False, entry._state.db
        # What prefetch_related("tags") leaves behind, without a second query.
        related = QuerySet(model=Tag, using=entry._state.db)
        related._result_cache, related._prefetch_done = tags, True
        entry._prefetched_objects_cache = {"tags": related}
        loaded[entry.pk] = entry
    return loaded


def _labels(kind: str, values, known: dict[str, str]) -> dict[str, str]:
    from learnloop.knowledge.models import EntryKind, Freshness
    from learnloop.org.models import Person, Team

    values = list(values)
    if kind == "kind":
        return {value: EntryKind(value).label if value in EntryKind.values else value for value in values}
    if kind == "state":
        return {value: Freshness(value).label if value in Freshness.values else value for value in values}
    if kind not in {"team", "author"}:
        return {value: value for value in values}
    labels = {value: known[value] for value in values if value in known}
    missing = [int(value) for value in values if value not in labels]
    if missing:
        model, name = (Team, "name") if kind == "team" else (Person, "full_name")
        labels.update((str(pk), label) for pk, label in model.objects.filter(pk__in=missing).values_list("pk", name))
    return labels


def _facet_list(kind: str, counts: dict[str, int], selected, known, *, order=None) -> list[FacetCount]:
    selected = [str(value) for value in selected]
    # The most frequent values (a facet is a menu, not a report), and whatever is chosen.
    frequent = sorted(counts, key=lambda value: (-counts[value], value))[:FACET_VALUES]
    values = list(dict.fromkeys([*frequent, *selected]))
    labels = _labels(kind, values, known)
    facets = [
        FacetCount(value=value, label=labels.get(value, value), count=counts.get(value, 0), selected=value in selected)
        for value in values
        if value in labels or value in counts
    ]
    if order:
        facets.sort(key=lambda facet: order.index(facet.value) if facet.value in order else len(order))
    else:
        facets.sort(key=lambda facet: (-facet.count, facet.label.lower()))
    return facets


def _facets(counts: dict[str, dict[str, int]], filters: SearchFilters, labels=None) -> dict[str, list[FacetCount]]:
    labels = labels or {}
    return {
        "kind": _facet_list("kind", counts["kind"], filters.kinds, {}),
        # Every state is listed, 0 or not: the four states are a fixed scale readers know.
        "state": _facet_list("state", {state: counts["state"].get(state, 0) for state in STATES}, filters.states,
                             {}, order=list(STATES)),
        "team": _facet_list("team", counts["team"], filters.team_ids, labels.get("team", {})),
        "tag": _facet_list("tag", counts["tag"], filters.tags, {}),
        "author": _facet_list("author", counts["author"], filters.author_ids, labels.get("author", {})),
    }


def _count_attributes(attributes) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]]]:
    """Facet counts over a result set's attributes, and the team and author names they carry."""
    counts: dict[str, dict[str, int]] = {name: {} for name in ("kind", "state", "team", "tag", "author")}
    labels: dict[str, dict[str, str]] = {"team": {}, "author": {}}

    def add(kind, value):
        counts[kind][value] = counts[kind].get(value, 0) + 1

    for item in attributes:
        add("kind", item.kind)
        add("state", item.known_state)
        add("author", str(item.author_id))
        labels["author"][str(item.author_id)] = item.author_name or ""
        for team_id in item.team_ids:
            add("team", str(team_id))
            labels["team"][str(team_id)] = item.team_names.get(team_id, "")
        for tag in item.tags:
            add("tag", tag)
    return counts, labels


def _empty(query: str, terms, page: int, per_page: int, mode: str) -> SearchResults:
    return SearchResults(query=query, terms=list(terms), hits=[], total=0, page=page, per_page=per_page, mode=mode)


# --- searching -------------------------------------------------------------------------------------


def search_entries(
    *, viewer, query: str, filters: SearchFilters = NO_FILTERS, page: int = 1, per_page: int = 20,
    with_facets: bool = True, as_you_type: bool = False,
) -> SearchResults:
    """Entries matching any of the query's words (or, without words, all), ranked, one page."""
    query = query or ""
    page = max(1, int(page or 1))
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    if not _active(viewer):
        return _empty(query, [], page, per_page, "empty")
    filters = _clean(filters)
    now = timezone.now()
    if not query.strip():
        return _browse(viewer=viewer, query=query, filters=filters, page=page, per_page=per_page,
                       with_facets=with_facets, now=now)
    engine = backend()
    engine.catch_up()
    slots, marked = _slots(engine, query[:20_000], as_you_type)
    terms = query_terms(query)
    if not slots:
        return _empty(query, terms, page, per_page, "empty")
    scope = _scope(viewer, filters, now)
    window = engine.window(scope, slots, limit=RESULT_WINDOW)
    ranked, attributes = _rank(window, scope)
    results = SearchResults(
        query=query, terms=terms, hits=[], total=len(ranked), page=page, per_page=per_page,
        limited=len(window) >= RESULT_WINDOW,
    )
    if with_facets:
        counts, labels = _count_attributes([attributes[entry_id] for _, entry_id in ranked])
        results.facets = _facets(counts, filters, labels)
    chosen = ranked[(page - 1) * per_page : page * per_page]
    entries = _load_entries([entry_id for _, entry_id in chosen], attributes)
    results.hits = [
        SearchHit(entry=entries[entry_id], score=score, title_html=highlight(entries[entry_id].title, marked,
                                                                               max_length=300),
                  snippet_html=_snippet(entries[entry_id], marked))
        for score, entry_id in chosen
        if entry_id in entries
    ]
    return results


def best_entry_ids(*, viewer, query: str, filters: SearchFilters = NO_FILTERS, limit: int) -> list[int]:
    """The ids of the first `limit` entries search_entries would list for this query, in its
    order, without loading, highlighting or counting them: for callers that show a few titles
    (the survey report's suggested practices, four searches per report)."""
    query = query or ""
    if not query.strip():
        results = search_entries(viewer=viewer, query=query, filters=filters, per_page=limit, with_facets=False)
        return [hit.entry.pk for hit in results.hits]
    if not _active(viewer):
        return []
    filters = _clean(filters)
    engine = backend()
    engine.catch_up()
    slots, _ = _slots(engine, query[:20_000], False)
    if not slots:
        return []
    scope = _scope(viewer, filters, timezone.now())
    ranked, _ = _rank(engine.window(scope, slots, limit=RESULT_WINDOW), scope)
    return [entry_id for _, entry_id in ranked[:limit]]


def _rank(window: list[Match], scope: Scope):
    from learnloop.knowledge.search.documents import attributes_of

    attributes = attributes_of((match.entry_id for match in window), scope.now)
    ranked = []
    for match in window:
        item = attributes.get(match.entry_id)
        if item is None or not item.in_scope(scope):
            continue  # gone, or the index is behind the database: the database decides
        score = rank_score(relevance=match.relevance, state=item.state(scope.now),
                           applications=item.application_count)
        ranked.append((score, match.entry_id))
    ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    return ranked, attributes


def _browse(*, viewer, query, filters, page, per_page, with_facets, now) -> SearchResults:
    from django.db.models import Case, IntegerField, Q, Value, When

    from learnloop.knowledge.models import STALE_AFTER_DUE, Entry
    from learnloop.knowledge.selectors import freshness_q, visible_entries

    entries = visible_entries(viewer=viewer)
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
        counts, labels = _browse_counts(entries, now)
        results.facets = _facets(counts, filters, labels)
    chosen = list(
        ordered.select_related("owner_person", "owner_team", "author").prefetch_related("tags")[
            (page - 1) * per_page : page * per_page
        ]
    )
    results.hits = [
        SearchHit(entry=entry, score=0.0, title_html=highlight(entry.title, [], max_length=300),
                  snippet_html=_snippet(entry, []))
        for entry in chosen
    ]
    return results


def _browse_counts(entries, now):
    """Facet counts over every entry being browsed, aggregated by the database."""
    from django.db.models import Count

    from learnloop.knowledge.models import Entry
    from learnloop.knowledge.selectors import freshness_q
    from learnloop.org.models import Team

    entries = entries.order_by()
    counts: dict[str, dict[str, int]] = {}
    labels: dict[str, dict[str, str]] = {"team": {}, "author": {}}
    counts["kind"] = dict(entries.values_list("kind").annotate(n=Count("pk")))
    counts["state"] = entries.aggregate(**{state: Count("pk", filter=freshness_q(state, now)) for state in STATES})
    counts["author"] = {}
    for author_id, name, count in entries.values_list("author_id", "author__full_name").annotate(n=Count("pk")):
        counts["author"][str(author_id)] = count
        labels["author"][str(author_id)] = name
    ids = entries.values("pk")
    counts["tag"] = dict(
        Entry.tags.through.objects.filter(entry_id__in=ids).order_by().values_list("tag__name").annotate(n=Count("pk"))
    )
    # An entry belongs to its teams and to its owning team; count each (entry, team) once.
    ids_sql, ids_params = ids.query.sql_with_params()
    links, table, teams = Entry.teams.through._meta.db_table, Entry._meta.db_table, Team._meta.db_table
    counts["team"] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT x.team_id, t.name, count(*) FROM (SELECT entry_id, team_id FROM {links} "  # noqa: S608
            f"WHERE entry_id IN ({ids_sql}) UNION SELECT id, owner_team_id FROM {table} "
            f"WHERE owner_team_id IS NOT NULL AND id IN ({ids_sql})) x JOIN {teams} t ON t.id = x.team_id "
            "GROUP BY x.team_id, t.name",
            [*ids_params, *ids_params],
        )
        for team_id, name, count in cursor.fetchall():
            counts["team"][str(team_id)] = count
            labels["team"][str(team_id)] = name
    return counts, labels


# --- similarity -------------------------------------------------------------------------------------


def _similar(viewer, text: str, *, exclude=(), limit: int, threshold: float) -> list[tuple[object, float]]:
    if not _active(viewer) or not text.strip():
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
    scope = _scope(viewer, SearchFilters(), timezone.now(), exclude=exclude)
    window = engine.window(scope, [[term] for term in terms], limit=max(4 * limit, 20))
    ranked, _ = _rank(window, scope)
    candidate_ids = [entry_id for _, entry_id in ranked]
    if not candidate_ids:
        return []
    from learnloop.knowledge.search.documents import documents_for

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
    entries = _load_entries([entry_id for _, entry_id in scored])
    return [(entries[entry_id], similarity) for similarity, entry_id in scored if entry_id in entries]


def related_entries(*, viewer, entry, limit: int = 5, with_scores: bool = False) -> list:
    """Entries most like this one by text (itself excluded), among those the viewer may see;
    with_scores: (entry, similarity 0..1) pairs instead."""
    from learnloop.knowledge.search.documents import text_of

    pairs = _similar(viewer, text_of(entry), exclude={entry.pk}, limit=limit, threshold=RELATED_THRESHOLD)
    return pairs if with_scores else [other for other, _ in pairs]


def similar_entries(*, viewer, title: str, body: str = "", exclude_id: int | None = None, limit: int = 5) -> list:
    """(entry, similarity 0..1) for entries a draft resembles, from SIMILAR_THRESHOLD up, most
    similar first: the editor's "similar entries already exist" warning."""
    text = "\n".join(part for part in (title or "", body or "") if part)[:20_000]
    exclude = {exclude_id} if exclude_id else set()
    return _similar(viewer, text, exclude=exclude, limit=limit, threshold=SIMILAR_THRESHOLD)
