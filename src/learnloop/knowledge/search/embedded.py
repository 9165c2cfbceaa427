"""The embedded search backend: a Tantivy index in a directory beside the data.

Why Tantivy: it is an inverted index with BM25 and block-max top-k pruning written in Rust,
shipped as a wheel (no server). On the benchmark's 100k generated entries it answers
multi-word any-word queries in about a millisecond; SQLite FTS5 ordered by bm25() needs
100+ ms for the same queries because it ranks every match.

What is indexed. One `text` field holding `learnloop.analytics.text.analyze` of the entry
(stemmed, stop words removed), split on spaces by Tantivy's whitespace tokenizer, so the
index, the queries and the highlighting use the same analyzer; term frequencies without
positions (BM25 needs nothing more). Next to it, the fields the scope needs: `viewers` (who
may see it: "all", or "p<person id>" / "t<team id>" tokens), kind, teams, tags, author,
review date (epoch microseconds) and whether it is obsolete.

How it is queried. Never through a query parser: every query is built from analyzed terms
with Tantivy's query objects. For each query slot, `term` (BM25) and `const_score(term,
PRESENCE × idf)` are both optional clauses, so an entry's score is its text relevance
(analytics/ranking.py `term_weight` summed over matched slots), the order the service ranks
by, computed exactly by Tantivy's top-k collector (block-max pruning). A typed prefix's
completions form one slot through a disjunction-max query. Visibility and filters are
zero-scoring required clauses, so pages and counts only ever contain what the viewer may see.

How it stays in step with the database. `entry_changed` queues a SearchOutbox row in the
caller's transaction (the row commits or rolls back with the change) and asks for the queue to
be applied after commit. Applying takes an inter-process lock (flock on `write.lock`: gunicorn
runs several workers over one index), reads the queued rows, rewrites those entries' documents
from the database, commits the index and only then deletes exactly the rows it read. If
anything fails the rows stay queued; the next write, the next search (which first applies a
non-empty queue when the lock is free) or `learnloop search rebuild` catches up. Readers stat
`meta.json` before searching and reload when another process committed. Within a batch of
writes (activity.batch: an import) the queue rows are written in one insert at its end.
A rebuild of many entries analyzes their texts in a second process (`_fill`).

Where it lives. `SEARCH_INDEX_DIR` (default `<data dir>/search`); a schema change gets a new
subdirectory name, and a missing index is rebuilt from the database on first use. A database
that lives only in memory (the test suite's SQLite) gets a private temporary directory, so
tests never write into a developer's index.
"""

import atexit
import contextlib
import fcntl
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connection, transaction
from tantivy import FieldType, Occur, Query

from learnloop.activity.batch import gather_until_batch_end
from learnloop.analytics.ranking import FIELD_WEIGHTS, PRESENCE, bm25_idf
from learnloop.knowledge.models import STALE_AFTER_DUE, SearchOutbox
from learnloop.knowledge.search import documents
from learnloop.knowledge.search.base import Backend, Match, Scope

logger = logging.getLogger(__name__)

SCHEMA_VERSION = f"tantivy-v{documents.INDEX_FORMAT}"  # a directory per format: an upgrade rebuilds
APPLY_BATCH = 500
_BATCH_KEY = "learnloop.knowledge.search.embedded:changed"
APPLY_LOCK_WAIT_SECONDS = 10.0
REBUILD_LOCK_WAIT_SECONDS = 600.0
WRITER_HEAP = 32_000_000
REBUILD_HEAP = 256_000_000
# Below this many entries a rebuild analyzes in the process doing the rebuild: starting a second
# one costs about what analyzing a few thousand entries does.
PARALLEL_ANALYSIS_FROM = 20_000
ANALYSIS_BATCH = 1000
AHEAD = 2

_schema = None
_cache_lock = threading.Lock()
_open_indexes: dict[str, "_OpenIndex"] = {}
_temporary_root: Path | None = None


def schema() -> tantivy.Schema:
    global _schema
    if _schema is None:
        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
        builder.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("viewers", tokenizer_name="raw", index_option="basic")
        builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
        builder.add_unsigned_field("team", indexed=True)
        builder.add_text_field("tag", tokenizer_name="raw", index_option="basic")
        builder.add_unsigned_field("author", indexed=True)
        builder.add_integer_field("due", indexed=True, fast=True)
        builder.add_unsigned_field("obsolete", indexed=True)
        _schema = builder.build()
    return _schema


class IndexBusy(Exception):
    """Another process holds the index's write lock for longer than we were willing to wait."""


def _micros(moment) -> int:
    return int(moment.timestamp() * 1_000_000)


def index_root() -> Path:
    """The directory holding the index and its write lock."""
    global _temporary_root
    configured = Path(settings.SEARCH_INDEX_DIR)
    if connection.vendor == "sqlite" and connection.is_in_memory_db() and configured == Path(
        settings.DATA_DIR
    ) / "search":
        if _temporary_root is None:
            _temporary_root = Path(tempfile.mkdtemp(prefix="learnloop-search-"))
            atexit.register(shutil.rmtree, _temporary_root, True)
        return _temporary_root
    return configured


def index_dir() -> Path:
    return index_root() / SCHEMA_VERSION


@contextlib.contextmanager
def write_lock(wait: float):
    """Exclusive across processes and threads (each call opens its own file description)."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "write.lock", "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"the search index at {root} is being written by another process") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _OpenIndex:
    def __init__(self, path: Path):
        self.path = path
        self.index = tantivy.Index.open(str(path))
        self.index.config_reader("manual")
        self.signature = self._signature()

    def _signature(self):
        meta = os.stat(self.path / "meta.json")
        return (meta.st_ino, meta.st_mtime_ns, meta.st_size)

    def fresh(self) -> bool:
        """Reload if another writer committed; False when the directory was replaced."""
        try:
            signature = self._signature()
        except FileNotFoundError:
            return False
        if signature[0] != self.signature[0]:
            return False
        if signature != self.signature:
            self.index.reload()
            self.signature = signature
        return True


def _document(document: documents.Document, terms: str | None = None) -> tantivy.Document:
    """The index's document; `terms` when they were analyzed elsewhere (_fill)."""
    attributes = document.attributes
    doc = tantivy.Document()
    doc.add_unsigned("id", attributes.entry_id)
    doc.add_text("text", " ".join(document.terms) if terms is None else terms)
    if attributes.visibility == "everyone":
        doc.add_text("viewers", "all")
    else:
        doc.add_text("viewers", f"p{attributes.author_id}")
        if attributes.owner_person_id:
            doc.add_text("viewers", f"p{attributes.owner_person_id}")
        for team_id in sorted(attributes.team_ids):
            doc.add_text("viewers", f"t{team_id}")
    doc.add_text("kind", attributes.kind)
    for team_id in sorted(attributes.team_ids):
        doc.add_unsigned("team", team_id)
    for tag in attributes.tags:
        doc.add_text("tag", tag)
    doc.add_unsigned("author", attributes.author_id)
    doc.add_integer("due", _micros(attributes.review_due_at))
    doc.add_unsigned("obsolete", 1 if attributes.obsolete_at else 0)
    return doc


def _start_worker():
    from learnloop.analytics.terms_worker import TermsWorker

    try:
        return TermsWorker(FIELD_WEIGHTS)
    except OSError:
        logger.warning("Could not start a process to analyze texts; indexing in this one.", exc_info=True)
        return None


def _last_queued() -> int | None:
    """The newest queue row before a build from the database: the rows up to it are covered."""
    return SearchOutbox.objects.order_by("-id").values_list("id", flat=True).first()


def _forget_queued(last: int | None) -> None:
    # Rows queued later have higher ids (only a holder of the write lock deletes rows, so the
    # newest id can't be freed and given again meanwhile). A range, not a list of ids: an
    # import of 100,000 files into a new installation queues more rows than SQLite takes
    # parameters.
    if last is not None:
        SearchOutbox.objects.filter(id__lte=last).delete()


def _fill(writer, *, total: int, progress=None) -> int:
    """Add every entry's document to `writer`; returns how many.

    From PARALLEL_ANALYSIS_FROM entries on (and with a second core) the texts are analyzed in a
    second process (analytics.terms_worker) while this one reads the next batches from the
    database and hands the analyzed ones to the index: analysis is most of a rebuild's Python
    time, and a process of its own is the way past the GIL. Up to AHEAD batches are in flight."""
    worker = _start_worker() if total >= PARALLEL_ANALYSIS_FROM and (os.cpu_count() or 1) > 1 else None
    count = 0
    if worker is None:
        for document in documents.all_documents():
            writer.add_document(_document(document))
            count += 1
            if progress and count % ANALYSIS_BATCH == 0:
                progress(count, total)
        return count
    pending: deque[list[documents.Document]] = deque()

    def add_oldest() -> None:
        nonlocal count
        batch = pending.popleft()
        for document, terms in zip(batch, worker.result(), strict=True):
            writer.add_document(_document(document, terms))
        count += len(batch)
        if progress:
            progress(count, total)

    def send(batch: list[documents.Document]) -> None:
        worker.submit([(document.title, document.rest, document.tags_text) for document in batch])
        pending.append(batch)
        while len(pending) > AHEAD:
            add_oldest()

    try:
        batch = []
        for document in documents.all_documents():
            batch.append(document)
            if len(batch) == ANALYSIS_BATCH:
                send(batch)
                batch = []
        if batch:
            send(batch)
        while pending:
            add_oldest()
    finally:
        worker.close()
    return count


class EmbeddedBackend(Backend):
    name = "embedded"

    # --- keeping the index in step ----------------------------------------------------------

    def entry_changed(self, entry_id: int) -> None:
        # In a batch (an import) the queue rows are written in one statement at its end, still
        # inside its transaction (an insert per entry was a tenth of an import's queries).
        if not gather_until_batch_end(_BATCH_KEY, entry_id, self._queue):
            self._queue([entry_id])

    def _queue(self, entry_ids: list[int]) -> None:
        if not entry_ids:
            return
        if len(entry_ids) == 1:
            SearchOutbox.objects.create(entry_id=entry_ids[0])
        else:
            SearchOutbox.objects.bulk_create([SearchOutbox(entry_id=entry_id) for entry_id in entry_ids])
        # One application of the queue after the commit applies every change of the transaction:
        # an import of 500 files queued 500 (the first did the work, the others cost 5 ms each).
        # Looked up in the connection's pending hooks rather than flagged, so a hook dropped with
        # a rolled-back savepoint is registered again by the next change.
        pending = transaction.get_connection().run_on_commit
        if not any(hook == self._apply_after_commit for _, hook, _ in pending):
            transaction.on_commit(self._apply_after_commit)

    def _apply_after_commit(self) -> None:
        # The change is committed whatever happens here: a failure only leaves rows queued.
        # No waiting for the lock: its holder looks at the queue again after letting go (see
        # apply_queue), so it applies this change too, in one index commit with the others made
        # meanwhile. Waiting in line made every concurrent write pay for each index commit
        # before its own (entry creation took seconds under load).
        try:
            self.apply_queue(wait=0)
        except IndexBusy:
            pass
        except Exception:
            logger.exception("Could not update the search index; the changes stay queued.")

    def catch_up(self) -> None:
        if not SearchOutbox.objects.exists():
            return
        try:
            self.apply_queue(wait=0)
        except IndexBusy:
            pass  # someone else is applying it right now
        except Exception:
            logger.exception("Could not update the search index; the changes stay queued.")

    def apply_queue(self, *, wait: float) -> int:
        """Apply queued changes to the index; returns how many entries were rewritten."""
        applied = 0
        with write_lock(wait):
            applied += self._apply_locked()
        # A writer that found the lock taken left its change to us, and it committed before we
        # let go: if the queue holds anything now, take the lock again, unless someone else has
        # (they read the queue after taking it, so they apply it).
        while SearchOutbox.objects.exists():
            try:
                with write_lock(0):
                    applied += self._apply_locked()
            except IndexBusy:
                break
        return applied

    def _apply_locked(self) -> int:
        applied = 0
        opened = self._open_locked()
        while True:
            rows = list(SearchOutbox.objects.order_by("id").values_list("id", "entry_id")[:APPLY_BATCH])
            if not rows:
                break
            entry_ids = sorted({entry_id for _, entry_id in rows})
            found = documents.documents_for(entry_ids)
            self._write(opened.index, entry_ids, found.values())
            SearchOutbox.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
            applied += len(entry_ids)
        opened.fresh()
        return applied

    def _write(self, index, entry_ids, new_documents) -> None:
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        try:
            writer.delete_documents_by_query(Query.term_set_query(schema(), "id", list(entry_ids)))
            for document in new_documents:
                writer.add_document(_document(document))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    def rebuild(self, *, progress=None) -> int:
        with write_lock(REBUILD_LOCK_WAIT_SECONDS):
            # Rows queued before this point are covered by reading every entry below; rows
            # queued while it runs are applied afterwards.
            queued = _last_queued()
            path = index_dir()
            try:
                index = tantivy.Index.open(str(path)) if (path / "meta.json").exists() else None
            except Exception:
                logger.warning("The search index at %s is unreadable; making a new one.", path)
                index = None
            if index is None:
                shutil.rmtree(path, ignore_errors=True)
                path.mkdir(parents=True, exist_ok=True)
                index = tantivy.Index(schema(), path=str(path))
            total = documents.entry_count()
            writer = index.writer(heap_size=REBUILD_HEAP)
            try:
                writer.delete_all_documents()
                count = _fill(writer, total=total, progress=progress)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            if progress:
                progress(count, total)
            _forget_queued(queued)
            with _cache_lock:
                _open_indexes.pop(str(path), None)
        self.apply_queue(wait=APPLY_LOCK_WAIT_SECONDS)
        return count

    # --- reading ------------------------------------------------------------------------------

    def _open_locked(self) -> _OpenIndex:
        """The open index; when it is missing, create it from the database (lock held)."""
        path = index_dir()
        with _cache_lock:
            opened = _open_indexes.get(str(path))
            if opened is not None and opened.fresh():
                return opened
        if not (path / "meta.json").exists():
            logger.info("No search index at %s yet; building it from the database.", path)
            path.mkdir(parents=True, exist_ok=True)
            # As in rebuild: what is queued now is covered by reading every entry. Applied again
            # afterwards, each entry was indexed twice, and Tantivy counts a replaced document's
            # words in document frequencies until it merges segments: the first import into a
            # new installation (CACM, 3,204 files) ranked with 5 % higher frequencies than a
            # rebuild (same first ten for 32 of 52 queries).
            queued = _last_queued()
            index = tantivy.Index(schema(), path=str(path))
            writer = index.writer(heap_size=REBUILD_HEAP)
            try:
                _fill(writer, total=documents.entry_count())
                writer.commit()
            finally:
                writer.wait_merging_threads()
            _forget_queued(queued)
        opened = _OpenIndex(path)
        with _cache_lock:
            _open_indexes[str(path)] = opened
        return opened

    def _searcher(self) -> tantivy.Searcher:
        path = index_dir()
        with _cache_lock:
            opened = _open_indexes.get(str(path))
            if opened is not None and opened.fresh():
                return opened.index.searcher()
        if (path / "meta.json").exists():
            opened = _OpenIndex(path)
            with _cache_lock:
                _open_indexes[str(path)] = opened
            return opened.index.searcher()
        with write_lock(REBUILD_LOCK_WAIT_SECONDS):  # creating it: one process does, others wait
            return self._open_locked().index.searcher()

    def window(self, scope: Scope, slots: list[list[str]], *, limit: int) -> list[Match]:
        if not slots or limit <= 0:
            return []
        searcher = self._searcher()
        query = Query.boolean_query(
            [(Occur.Must, self._text_query(searcher, slots)), *self._scope_clauses(scope)]
        )
        hits = searcher.search(query, limit=limit, count=False).hits
        if not hits:
            return []
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        # Tantivy's score is the text relevance itself; how many slots matched is not needed
        # for ranking any more (see analytics/ranking.py), so it is not reported.
        # Equal scores in entry order, as the PostgreSQL backend gives them (Tantivy leaves ties
        # in index order).
        matches = [
            Match(entry_id=int(entry_id), matched=0, relevance=max(0.0, float(score)))
            for (score, _), entry_id in zip(hits, ids, strict=True)
        ]
        matches.sort(key=lambda match: (-match.relevance, match.entry_id))
        return matches

    def _text_query(self, searcher, slots: list[list[str]]) -> Query:
        documents_count = max(searcher.num_docs, 1)
        clauses = []
        for slot in slots:
            alternatives = []
            for term in slot:
                term_query = Query.term_query(schema(), "text", term, index_option="freq")
                presence = PRESENCE * bm25_idf(documents_count, min(searcher.doc_freq("text", term), documents_count))
                if presence > 0:
                    alternatives.append(Query.boolean_query([
                        (Occur.Should, term_query),
                        (Occur.Should, Query.const_score_query(term_query, presence)),
                    ]))
                else:
                    alternatives.append(term_query)
            if len(alternatives) == 1:
                clauses.append((Occur.Should, alternatives[0]))
            else:
                clauses.append((Occur.Should, Query.disjunction_max_query(alternatives)))
        return Query.boolean_query(clauses)

    def _scope_clauses(self, scope: Scope) -> list:
        s = schema()
        viewers = ["all", f"p{scope.viewer_id}", *(f"t{team_id}" for team_id in sorted(scope.team_ids))]
        required = [Query.term_set_query(s, "viewers", viewers)]
        filters = scope.filters
        if filters.kinds:
            required.append(Query.term_set_query(s, "kind", list(filters.kinds)))
        if filters.team_ids:
            required.append(Query.term_set_query(s, "team", [int(i) for i in filters.team_ids]))
        if filters.tags:
            required.append(Query.term_set_query(s, "tag", list(filters.tags)))
        if filters.author_ids:
            required.append(Query.term_set_query(s, "author", [int(i) for i in filters.author_ids]))
        if filters.states:
            states = [(Occur.Should, self._state_query(state, scope)) for state in filters.states]
            required.append(Query.boolean_query(states))
        clauses = [(Occur.Must, Query.const_score_query(Query.boolean_query([(Occur.Must, q) for q in required]), 0.0))]
        if scope.exclude_ids:
            clauses.append((Occur.MustNot, Query.term_set_query(s, "id", sorted(scope.exclude_ids))))
        return clauses

    def _state_query(self, state: str, scope: Scope) -> Query:
        s = schema()
        if state == "obsolete":
            return Query.term_query(s, "obsolete", 1)
        now = _micros(scope.now)
        stale_from = _micros(scope.now - STALE_AFTER_DUE)
        if state == "fresh":
            due = Query.range_query(s, "due", FieldType.Integer, now, None, include_lower=False)
        elif state == "due":
            due = Query.range_query(s, "due", FieldType.Integer, stale_from, now, include_lower=False,
                                    include_upper=True)
        elif state == "stale":
            due = Query.range_query(s, "due", FieldType.Integer, None, stale_from, include_upper=True)
        else:
            return Query.empty_query()
        return Query.boolean_query([(Occur.Must, due), (Occur.Must, Query.term_query(s, "obsolete", 0))])

    def statistics(self, terms) -> tuple[int, dict[str, int]]:
        searcher = self._searcher()
        return searcher.num_docs, {term: searcher.doc_freq("text", term) for term in set(terms)}

    def complete(self, prefix: str, *, limit: int) -> list[str]:
        searcher = self._searcher()
        found = searcher.terms_with_prefix("text", prefix, limit=500)
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return [term for term, _ in found[:limit]]
