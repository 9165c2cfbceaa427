"""The PostgreSQL search backend: BM25 with exact top-k pruning, inside the database.

Why not ts_rank. PostgreSQL's own ranking has no idf (a word in every entry counts as much as
a rare one: MRR@10 0.50 against BM25's 0.69 on the benchmark's known-item queries) and ranks
every match of an any-word query (p95 above 100 ms at 64k entries; ts_rank_cd far worse).
So this backend keeps an inverted index of its own in four tables (see knowledge/search_tables.py),
written with the change in the caller's transaction — search is never behind the database;
within a batch of writes (activity.batch: an import) once at the batch's end, still in its
transaction — and computes the same score as the embedded backend:

    the sum over matched query slots of BM25 + PRESENCE × idf (text relevance)

Top-k without ranking every match (MaxScore over slots). Slots (a query word, or
a typed prefix's completions) are sorted rarest first, using document frequencies from
knowledge_search_term. Then, exactly:

1. The rare slots (document frequencies adding up to at most PHASE_ONE_BUDGET) give the
   first candidates: every entry containing one of them, fully scored on all slots from the
   postings' covering primary key (term, entry_id) INCLUDE (tf, length) — index-only.
2. An entry containing none of the rare slots can match at most the remaining (common) ones.
   From the k-th score so far follows how many of those it must contain to still get in
   (`need`: the fewest whose upper bounds add up past it); when even all of them could not,
   the search stops. Otherwise the candidates are
   (a) entries containing at least max(need, 2) common slots — found by counting postings,
       then fully scored; and
   (b) only when need is 1: for each common slot, its best k entries by that slot's weight
       alone — an entry matching exactly one slot scores exactly that.
   Every entry of the true top k is fully scored by one of these steps, so the result is the
   same as scoring every match, without doing so.

Each step orders its scored candidates first and only then checks the scope (visibility and
filters, on knowledge_search_document) in that order, stopping at k: most candidates are never
looked up, and pages and counts only hold what the viewer may see.

Measured with bench/search.py on this kind of machine (2 cores), 100k generated entries,
known-item queries of 2–5 words, window of 200 (2026-11-24): engine p50 7.1 ms, p95 15.5 ms;
whole search service (ranking, facets, a highlighted page) p95 29 ms; MRR@10 0.508 against
bm25s's 0.478 on the same corpus and queries; indexing 4,350 entries/s.
Writers serialize on the statistics row (updated first in
every content change), which also keeps their term-frequency updates free of deadlocks.
"""

import logging
from collections import Counter

from django.db import connection, transaction

from learnloop.activity.batch import gather_until_batch_end
from learnloop.analytics.ranking import BM25_B, BM25_K1, PRESENCE, bm25_idf, norm_length, term_upper_bound
from learnloop.knowledge.models import STALE_AFTER_DUE
from learnloop.knowledge.search import documents
from learnloop.knowledge.search.base import Backend, Match, Scope

PHASE_ONE_BUDGET = 5000
MAX_TF = 32767
COPY_BATCH = 2000
_BATCH_KEY = "learnloop.knowledge.search.postgres:changed"
_warned_format: int | None = None
logger = logging.getLogger(__name__)

DOCUMENT_COLUMNS = (
    "entry_id", "length", "terms", "tfs", "kind", "visibility", "author_id", "owner_person_id", "team_ids",
    "tags", "review_due_at", "obsolete_at", "application_count", "updated_at",
)


_UPSERT_DOCUMENT = (
    f"INSERT INTO knowledge_search_document ({', '.join(DOCUMENT_COLUMNS)}) "  # noqa: S608 (our own names)
    f"VALUES ({', '.join(['%s'] * len(DOCUMENT_COLUMNS))}) ON CONFLICT (entry_id) DO UPDATE SET "
    + ", ".join(f"{column} = EXCLUDED.{column}" for column in DOCUMENT_COLUMNS[1:])
)


def _warn_if_outdated(index_format: int) -> None:
    """Searching an index of another format still works, but misses or misranks what the
    formats index differently; `learnloop migrate` rebuilds it. Said once per process."""
    global _warned_format
    if index_format != documents.INDEX_FORMAT and _warned_format != index_format:
        _warned_format = index_format
        logger.warning(
            "The search index was written in format %s; this version reads format %s. "
            "Run `learnloop migrate` or `learnloop search rebuild` to rebuild it.",
            index_format, documents.INDEX_FORMAT,
        )


def _term_arrays(terms: list[str]) -> tuple[list[str], list[int]]:
    counts = Counter(terms)
    keys = sorted(counts)
    return keys, [min(counts[key], MAX_TF) for key in keys]


def _document_row(document: documents.Document) -> tuple:
    attributes = document.attributes
    terms = document.terms
    keys, tfs = _term_arrays(terms)
    return (
        attributes.entry_id, len(terms), keys, tfs, attributes.kind, attributes.visibility, attributes.author_id,
        attributes.owner_person_id, sorted(attributes.team_ids), list(attributes.tags), attributes.review_due_at,
        attributes.obsolete_at, attributes.application_count, attributes.updated_at,
    )


class PostgresBackend(Backend):
    name = "postgres"

    # --- writing (in the caller's transaction) -----------------------------------------------

    def entry_changed(self, entry_id: int) -> None:
        # In a batch (an import of thousands of entries) the index is written once at its end,
        # still inside the transaction: updating the same terms' document frequencies once per
        # entry left PostgreSQL a growing chain of row versions to walk per update (36 ms per
        # entry after 450 in one transaction; an import of 1,000 files took 32 s).
        if not gather_until_batch_end(_BATCH_KEY, entry_id, self.entries_changed):
            self.entries_changed([entry_id])

    def entries_changed(self, entry_ids: list[int]) -> None:
        """Bring these entries' documents, postings and term statistics in step, set-based:
        a few statements for the whole list."""
        for start in range(0, len(entry_ids), COPY_BATCH):
            self._entries_changed(entry_ids[start:start + COPY_BATCH])

    def _entries_changed(self, entry_ids: list[int]) -> None:
        if not entry_ids:
            return
        found = documents.documents_for(entry_ids)
        new_rows = {entry_id: _document_row(document) for entry_id, document in found.items()}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT entry_id, terms, tfs, length FROM knowledge_search_document "
                "WHERE entry_id = ANY(%s::bigint[]) ORDER BY entry_id FOR UPDATE",
                [entry_ids],
            )
            old_rows = {row[0]: (list(row[1]), list(row[2]), row[3]) for row in cursor.fetchall()}
            frequencies: Counter = Counter()
            documents_delta = length_delta = 0
            stale, fresh = [], []  # postings to delete (old terms) and to insert (new rows)
            for entry_id in entry_ids:
                old, new = old_rows.get(entry_id), new_rows.get(entry_id)
                if old and new and old == (new[2], new[3], new[1]):
                    continue  # only attributes changed (e.g. applications): the document row below
                old_terms = old[0] if old else []
                new_terms = new[2] if new else []
                frequencies.update(set(new_terms) - set(old_terms))
                frequencies.subtract(set(old_terms) - set(new_terms))
                documents_delta += (1 if new else 0) - (1 if old else 0)
                length_delta += (new[1] if new else 0) - (old[2] if old else 0)
                if old_terms:
                    stale.append((entry_id, old_terms))
                if new:
                    fresh.append(new)
            if stale or fresh:
                # The statistics row first: it serializes writers, so the term updates below
                # can't deadlock with another transaction's.
                cursor.execute(
                    "UPDATE knowledge_search_stats SET documents = documents + %s, "
                    "total_length = total_length + %s WHERE id = 1",
                    [documents_delta, length_delta],
                )
                added = sorted(term for term, change in frequencies.items() if change > 0)
                removed = sorted(term for term, change in frequencies.items() if change < 0)
                if added:
                    cursor.execute(
                        "INSERT INTO knowledge_search_term (term, df) "
                        "SELECT * FROM unnest(%s::text[], %s::integer[]) "
                        "ON CONFLICT (term) DO UPDATE SET df = knowledge_search_term.df + EXCLUDED.df",
                        [added, [frequencies[term] for term in added]],
                    )
                if removed:
                    cursor.execute(
                        "UPDATE knowledge_search_term SET df = greatest(df - change.count, 0) "
                        "FROM unnest(%s::text[], %s::integer[]) AS change(term, count) "
                        "WHERE knowledge_search_term.term = change.term",
                        [removed, [-frequencies[term] for term in removed]],
                    )
                if stale:
                    cursor.execute(
                        "DELETE FROM knowledge_search_posting p USING unnest(%s::text[], %s::bigint[]) AS "
                        "old(term, entry_id) WHERE p.term = old.term AND p.entry_id = old.entry_id",
                        [[term for _, terms in stale for term in terms],
                         [entry_id for entry_id, terms in stale for _ in terms]],
                    )
                if fresh:
                    cursor.execute(
                        "INSERT INTO knowledge_search_posting (term, entry_id, tf, length) "
                        "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::smallint[], %s::integer[])",
                        [[term for row in fresh for term in row[2]],
                         [row[0] for row in fresh for _ in row[2]],
                         [tf for row in fresh for tf in row[3]],
                         [norm_length(row[1]) for row in fresh for _ in row[2]]],
                    )
            upserts = [list(new_rows[entry_id]) for entry_id in entry_ids if entry_id in new_rows]
            if upserts:
                # One statement per document, sent together (psycopg pipelines executemany): an
                # import's batch of 1,000 paid a round trip for each.
                cursor.executemany(_UPSERT_DOCUMENT, upserts)
            gone = [entry_id for entry_id in entry_ids if entry_id not in new_rows and entry_id in old_rows]
            if gone:
                cursor.execute("DELETE FROM knowledge_search_document WHERE entry_id = ANY(%s::bigint[])", [gone])

    def rebuild(self, *, progress=None) -> int:
        total = documents.entry_count()
        count = 0
        frequencies: Counter = Counter()
        total_length = 0
        with transaction.atomic(), connection.cursor() as wrapper:
            cursor = wrapper.cursor  # psycopg's own, for COPY
            cursor.execute(
                "TRUNCATE knowledge_search_posting, knowledge_search_document, knowledge_search_term"
            )
            # Loading without the postings' primary key and building it once afterwards is about
            # twice as fast as maintaining it row by row.
            cursor.execute("ALTER TABLE knowledge_search_posting DROP CONSTRAINT knowledge_search_posting_pkey")
            batch: list[tuple] = []

            def flush():
                # Terms are words ([^\W_]+, see analytics.text), so they need no COPY escaping;
                # array literals quote every term (a term may read "null").
                with cursor.copy(f"COPY knowledge_search_document ({', '.join(DOCUMENT_COLUMNS)}) FROM STDIN") as copy:
                    for row in batch:
                        terms = "{" + ",".join(f'"{term}"' for term in row[2]) + "}"
                        tfs = "{" + ",".join(map(str, row[3])) + "}"
                        teams = "{" + ",".join(map(str, row[8])) + "}"
                        copy.write_row((*row[:2], terms, tfs, *row[4:8], teams, *row[9:]))
                lines = []
                for row in batch:
                    tail = f"\t{row[0]}\t"
                    length = f"\t{norm_length(row[1])}\n"
                    lines.extend(f"{term}{tail}{tf}{length}" for term, tf in zip(row[2], row[3], strict=True))
                with cursor.copy("COPY knowledge_search_posting (term, entry_id, tf, length) FROM STDIN") as copy:
                    copy.write("".join(lines))
                batch.clear()

            for document in documents.all_documents():
                row = _document_row(document)
                frequencies.update(row[2])
                total_length += row[1]
                batch.append(row)
                count += 1
                if len(batch) >= COPY_BATCH:
                    flush()
                    if progress:
                        progress(count, total)
            if batch:
                flush()
            cursor.execute(
                "ALTER TABLE knowledge_search_posting ADD CONSTRAINT knowledge_search_posting_pkey "
                "PRIMARY KEY (term, entry_id) INCLUDE (tf, length)"
            )
            with cursor.copy("COPY knowledge_search_term (term, df) FROM STDIN") as copy:
                for term, frequency in frequencies.items():
                    copy.write_row((term, frequency))
            cursor.execute(
                "INSERT INTO knowledge_search_stats (id, documents, total_length, format) VALUES (1, %s, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET documents = EXCLUDED.documents, "
                "total_length = EXCLUDED.total_length, format = EXCLUDED.format",
                [count, total_length, documents.INDEX_FORMAT],
            )
        if progress:
            progress(count, total)
        tables = "knowledge_search_posting, knowledge_search_document, knowledge_search_term"
        with connection.cursor() as cursor:
            # Index-only scans need the visibility map that VACUUM sets; it can't run inside
            # a transaction, so inside one (tests, restore) ANALYZE has to do.
            cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")
        return count

    def outdated(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT format FROM knowledge_search_stats WHERE id = 1")
            row = cursor.fetchone()
        return row is None or row[0] != documents.INDEX_FORMAT

    # --- reading --------------------------------------------------------------------------------

    def statistics(self, terms) -> tuple[int, dict[str, int]]:
        terms = sorted(set(terms))
        with connection.cursor() as cursor:
            cursor.execute("SELECT documents FROM knowledge_search_stats WHERE id = 1")
            row = cursor.fetchone()
            cursor.execute("SELECT term, df FROM knowledge_search_term WHERE term = ANY(%s::text[])", [terms])
            frequencies = dict(cursor.fetchall())
        return (row[0] if row else 0), {term: frequencies.get(term, 0) for term in terms}

    def complete(self, prefix: str, *, limit: int) -> list[str]:
        if not prefix:
            return []
        upper = prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM knowledge_search_term WHERE term >= %s AND term < %s AND df > 0 "
                "ORDER BY df DESC, term LIMIT %s",
                [prefix, upper, limit],
            )
            return [term for (term,) in cursor.fetchall()]

    def window(self, scope: Scope, slots: list[list[str]], *, limit: int) -> list[Match]:
        if not slots or limit <= 0:
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT documents, total_length, format FROM knowledge_search_stats WHERE id = 1")
            documents_count, total_length, index_format = cursor.fetchone() or (0, 0, documents.INDEX_FORMAT)
            _warn_if_outdated(index_format)
            all_terms = sorted({term for slot in slots for term in slot})
            cursor.execute(
                "SELECT term, df FROM knowledge_search_term WHERE term = ANY(%s::text[]) AND df > 0", [all_terms]
            )
            frequencies = dict(cursor.fetchall())
            if not documents_count or not frequencies:
                return []
            average_length = total_length / documents_count
            plan = []  # (upper bound, frequency, slot number, terms, idfs)
            for number, slot in enumerate(slots):
                present = [term for term in dict.fromkeys(slot) if term in frequencies]
                if not present:
                    continue
                idfs = [bm25_idf(documents_count, frequencies[term]) for term in present]
                plan.append((max(term_upper_bound(idf) for idf in idfs), sum(frequencies[t] for t in present),
                             number, present, idfs))
            plan.sort(key=lambda item: (-item[0], item[2]))
            query = _Query(cursor, plan, scope, average_length, limit)
            return query.run()


class _Query:
    def __init__(self, cursor, plan, scope: Scope, average_length: float, limit: int):
        self.cursor = cursor
        self.plan = plan
        self.limit = limit
        self.best: dict[int, tuple[int, float]] = {}
        terms, slots, idfs = [], [], []
        for _, _, number, slot_terms, slot_idfs in plan:
            terms.extend(slot_terms)
            slots.extend([number] * len(slot_terms))
            idfs.extend(slot_idfs)
        self.params = {
            "q_terms": terms, "q_slots": slots, "q_idfs": idfs, "k1": BM25_K1, "b": BM25_B,
            "k1p1": BM25_K1 + 1, "avgdl": average_length or 1.0, "k": limit, "presence": PRESENCE,
        }
        self.scope_sql = _scope_sql(scope, self.params)

    def _keep(self, rows) -> None:
        for entry_id, matched, bm25 in rows:
            score = (int(matched), float(bm25))
            # Text relevance decides; a full scoring (more slots seen) wins a tie with a partial one.
            if (score[1], score[0]) > (self.best.get(entry_id, (0, -1.0))[1], self.best.get(entry_id, (0, -1.0))[0]):
                self.best[entry_id] = score

    def _top(self) -> list[tuple[int, tuple[int, float]]]:
        return sorted(self.best.items(), key=lambda item: (-item[1][1], item[0]))[: self.limit]

    # Both queries score from the covering primary key of the postings (index-only), order the
    # candidates, and only then check the scope on knowledge_search_document, in that order,
    # stopping at k (the OFFSET 0 keeps the ordered subquery apart so PostgreSQL can): most
    # candidates are never looked up.
    _WEIGHT = (
        "q.idf * (%(presence)s::float8 + p.tf * %(k1p1)s::float8 / (p.tf + %(k1)s::float8 * "
        "(1 - %(b)s::float8 + %(b)s::float8 * p.length / %(avgdl)s::float8)))"
    )

    def _score(self, candidates_sql: str, extra: dict) -> None:
        """Fully score the candidate entries; keep the best k of those in scope."""
        sql = f"""
            WITH q(term, slot, idf) AS (
                SELECT * FROM unnest(%(q_terms)s::text[], %(q_slots)s::int[], %(q_idfs)s::float8[])
            ),
            cand AS ({candidates_sql}),
            h AS (
                SELECT p.entry_id, q.slot, max({self._WEIGHT}) AS w
                FROM cand
                JOIN knowledge_search_posting p ON p.entry_id = cand.entry_id AND p.term = ANY(%(q_terms)s::text[])
                JOIN q ON q.term = p.term
                GROUP BY p.entry_id, q.slot
            ),
            s AS (
                SELECT entry_id, count(*) AS m, sum(w) AS bm25 FROM h GROUP BY entry_id
                ORDER BY bm25 DESC, entry_id OFFSET 0
            )
            SELECT s.entry_id, s.m, s.bm25 FROM s JOIN knowledge_search_document d ON d.entry_id = s.entry_id
            WHERE {self.scope_sql}
            ORDER BY s.bm25 DESC, s.entry_id LIMIT %(k)s
        """  # noqa: S608 (only our own fragments; every value is a parameter)
        self.cursor.execute(sql, {**self.params, **extra})
        self._keep(self.cursor.fetchall())

    def _best_of_slot(self, slot_terms: list[str], idfs: list[float]) -> None:
        """The k best in-scope entries by one slot's BM25 alone (they match it: matched ≥ 1)."""
        sql = f"""
            WITH q(term, idf) AS (SELECT * FROM unnest(%(s_terms)s::text[], %(s_idfs)s::float8[])),
            s AS (
                SELECT p.entry_id, max({self._WEIGHT}) AS w
                FROM knowledge_search_posting p JOIN q ON q.term = p.term
                WHERE p.term = ANY(%(s_terms)s::text[])
                GROUP BY p.entry_id ORDER BY w DESC, p.entry_id OFFSET 0
            )
            SELECT s.entry_id, 1, s.w FROM s JOIN knowledge_search_document d ON d.entry_id = s.entry_id
            WHERE {self.scope_sql}
            ORDER BY s.w DESC, s.entry_id LIMIT %(k)s
        """  # noqa: S608
        self.cursor.execute(sql, {**self.params, "s_terms": slot_terms, "s_idfs": idfs})
        self._keep(self.cursor.fetchall())

    def run(self) -> list[Match]:
        plan = self.plan
        rare, spent = 0, 0
        while rare < len(plan) and spent + plan[rare][1] <= PHASE_ONE_BUDGET:
            spent += plan[rare][1]
            rare += 1
        if rare:
            rare_terms = [term for item in plan[:rare] for term in item[3]]
            self._score(
                "SELECT DISTINCT entry_id FROM knowledge_search_posting WHERE term = ANY(%(e_terms)s::text[])",
                {"e_terms": rare_terms},
            )
        common = plan[rare:]
        if common:
            need = self._need(common)
            if need <= len(common):
                common_terms = [term for item in common for term in item[3]]
                if len(common) >= max(need, 2):
                    self._score(
                        "SELECT entry_id FROM knowledge_search_posting WHERE term = ANY(%(c_terms)s::text[]) "
                        "GROUP BY entry_id HAVING count(*) >= %(need)s",
                        {"c_terms": common_terms, "need": max(need, 2)},
                    )
                if need <= 1:
                    for _, _, _, slot_terms, idfs in common:
                        self._best_of_slot(slot_terms, idfs)
        return [
            Match(entry_id=entry_id, matched=matched, relevance=relevance)
            for entry_id, (matched, relevance) in self._top()
        ]

    def _need(self, common) -> int:
        """How many common slots an entry without any rare one must match to reach the top k:
        the fewest whose largest possible weights add up to more than the k-th score so far."""
        top = self._top()
        if len(top) < self.limit:
            return 1
        kth = top[-1][1][1]
        bounds = sorted((item[0] for item in common), reverse=True)
        total = 0.0
        for count, bound in enumerate(bounds, start=1):
            total += bound
            if total > kth:
                return count
        return len(bounds) + 1


def _scope_sql(scope: Scope, params: dict) -> str:
    params.update(viewer=scope.viewer_id, viewer_teams=sorted(scope.team_ids))
    parts = [
        "(d.visibility = 'everyone' OR d.author_id = %(viewer)s OR d.owner_person_id = %(viewer)s "
        "OR d.team_ids && %(viewer_teams)s::bigint[])"
    ]
    filters = scope.filters
    if filters.kinds:
        params["f_kinds"] = list(filters.kinds)
        parts.append("d.kind = ANY(%(f_kinds)s::text[])")
    if filters.team_ids:
        params["f_teams"] = [int(i) for i in filters.team_ids]
        parts.append("d.team_ids && %(f_teams)s::bigint[]")
    if filters.tags:
        params["f_tags"] = list(filters.tags)
        parts.append("d.tags && %(f_tags)s::text[]")
    if filters.author_ids:
        params["f_authors"] = [int(i) for i in filters.author_ids]
        parts.append("d.author_id = ANY(%(f_authors)s::bigint[])")
    if filters.states:
        params["now"] = scope.now
        params["stale_from"] = scope.now - STALE_AFTER_DUE
        live = "d.obsolete_at IS NULL AND "
        conditions = {
            "fresh": live + "d.review_due_at > %(now)s",
            "due": live + "d.review_due_at <= %(now)s AND d.review_due_at > %(stale_from)s",
            "stale": live + "d.review_due_at <= %(stale_from)s",
            "obsolete": "d.obsolete_at IS NOT NULL",
        }
        chosen = [f"({conditions[state]})" for state in filters.states if state in conditions] or ["false"]
        parts.append("(" + " OR ".join(chosen) + ")")
    if scope.exclude_ids:
        params["exclude"] = sorted(scope.exclude_ids)
        parts.append("d.entry_id <> ALL(%(exclude)s::bigint[])")
    return " AND ".join(parts)

