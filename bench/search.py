"""Knowledge search benchmark (prints figures; it is not a test).

    uv run python bench/search.py            # 10k and 100k entries, SQLite and PostgreSQL, bm25s beside
    uv run python bench/search.py --quick    # 10k entries, fewer queries: under a minute
    uv run python bench/search.py --sizes 20000 --no-postgres --queries 500
    uv run python bench/search.py --dump DIR             # also write corpus.jsonl and queries.jsonl
    uv run python bench/search.py --query-file FILE      # evaluate an unseen query set instead

What it measures, per corpus size and database (each in a fresh database: a temporary SQLite
file, and a PostgreSQL database the benchmark creates on `--postgres-server` under a name of its
own and drops afterwards; `--postgres-url` names it instead, and must name a database that does
not exist yet — the benchmark never drops a database it did not create):

* index build throughput: entries/s of `learnloop.knowledge.search.rebuild()` from the
  database (the embedded Tantivy index on SQLite, the PostgreSQL tables on PostgreSQL);
* query latency p50/p95 of the engine's ranked window (`Backend.window`, the best 200 by
  coordination + BM25, visibility enforced) and of the whole service
  (`search_entries`: window, ranking, facets, one page of 20 highlighted hits), and of the
  same search through the REST API (`GET /api/v1/knowledge/entries`, through Django's request
  handling in the benchmark's process with a signed-in test client: middleware, authentication,
  the JSON answer; no network or gunicorn);
* quality: MRR@10 of known-item queries, for the service's final order (freshness and reuse
  included) and for text relevance alone.

Beside it, the plain BM25 peer bm25s (k1 = 1.2, b = 0.75, Lucene idf) on the same corpus and
queries, restricted to the same visible entries, both with Learnloop's analyzer and with
bm25s's own tokenizer; Tantivy alone (its English stemming analyzer and BM25 over title and
body, the same visibility as a filter: what the engine does without Learnloop around it); and
how often a query's words all occur in its target ("all-words matching" could find at most
that share).

The corpus. Words come from wordfreq's English list (real words, ranked by real frequency),
drawn with Zipf-like weights; every entry belongs to a topic (one per 40 entries) that lends
it 40% of its words from the topic's own 40 words, as lessons of one team share vocabulary.
Titles have 4–9 words, bodies 20–69. Entries carry realistic noise for ranking: 75% fresh,
8% due for review, 12% stale, 5% obsolete, Pareto-distributed applications, 8% team-only,
tags; none of it correlates with which entry a query looks for. `--long-share` makes a share
of the entries ~50 KB long; `--long-padding unmatched` does it with words no query uses, so
the figures differ from `--long-share 0` by the cost of length alone.

Known-item queries: a random entry visible to the benchmark's viewer; 2–5 distinct words
sampled from it (title words twice as likely), each replaced with probability 0.3 by a
wrong word the target does not contain (a word of the same topic or any word) and otherwise
with probability 0.15 by another form of the same word ("deploy" → "deployments").

The last line holds every figure as key=value pairs.
"""

import argparse
import json
import math
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path

from bench_databases import DEFAULT_SERVER, temporary_database, unique_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from learnloop.analytics.text import STOP_WORDS, analyze, query_terms, stem, words  # noqa: E402

TOPIC_SIZE = 40
TOPIC_SHARE = 0.4
VOCABULARY = 30_000
NOISE = 0.3
VARIANTS = 0.15
TEAMS = 20
PEOPLE = 300
TAGS = 300
UNUSABLE = "!"  # an unusable password hash: nobody signs in to the benchmark


# --- corpus and queries ------------------------------------------------------------------------


def vocabulary(size: int = VOCABULARY) -> list[str]:
    import wordfreq

    out = []
    for word in wordfreq.top_n_list("en", size * 2, wordlist="best"):
        if word.isascii() and word.isalpha() and len(word) >= 2:
            out.append(word)
            if len(out) >= size:
                break
    return out


def _zipf_cumulative(n: int, exponent: float = 1.0, offset: float = 2.7):
    import numpy as np

    weights = 1.0 / (np.arange(1, n + 1, dtype=float) + offset) ** exponent
    return np.cumsum(weights / weights.sum())


def generate_corpus(size: int, seed: int, long_share: float = 0.0, padding: str = "vocabulary") -> dict:
    """Entries with text and the attributes ranking and visibility need (JSON-friendly).

    `padding` says what makes `long_share` of the entries ~50 KB long (see PADDINGS)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vocab = vocabulary()
    v = len(vocab)
    global_cdf = _zipf_cumulative(v)
    band = np.arange(150, v)
    band_p = 1.0 / (np.arange(1, len(band) + 1) + 2.7) ** 0.6
    band_p /= band_p.sum()
    topics = [rng.choice(band, size=TOPIC_SIZE, replace=False, p=band_p) for _ in range(max(20, size // 40))]
    topic_cdf = _zipf_cumulative(TOPIC_SIZE)
    unmatched = unmatched_words(vocab) if padding != "vocabulary" else []
    kinds = rng.choice(["lesson", "playbook", "decision", "question"], size=size, p=[0.55, 0.2, 0.1, 0.15])
    state = rng.random(size)
    applications = np.floor(rng.pareto(1.5, size)).clip(0, 500).astype(int)
    entries = []
    for number in range(size):
        topic_number = int(rng.integers(len(topics)))
        topic = topics[topic_number]

        def draw(count, topic=topic):
            from_global = np.minimum(np.searchsorted(global_cdf, rng.random(count)), v - 1)
            from_topic = topic[np.minimum(np.searchsorted(topic_cdf, rng.random(count)), TOPIC_SIZE - 1)]
            chosen = np.where(rng.random(count) < TOPIC_SHARE, from_topic, from_global)
            return [vocab[int(i)] for i in chosen]

        title = " ".join(draw(int(rng.integers(4, 10)))).capitalize()
        body = " ".join(draw(int(rng.integers(20, 70)))).capitalize() + "."
        extra = None
        if rng.random() < long_share:
            if padding == "vocabulary":
                # A long entry (an incident diary, a pasted log): ~50 KB of further words after the
                # body, so snippets must find their window in it without re-reading all of it.
                body += " " + " ".join(draw(LONG_WORDS)) + "."
            else:
                extra = " ".join(unmatched[int(i)] for i in rng.integers(len(unmatched), size=LONG_WORDS)) + "."
        s = state[number]
        entries.append({
            "n": number, "title": title, "body": body, "kind": str(kinds[number]), "topic": topic_number,
            "state": "obsolete" if s < 0.05 else "stale" if s < 0.17 else "due" if s < 0.25 else "fresh",
            "applications": int(applications[number]),
            "team_only": bool(rng.random() < 0.08), "team": int(rng.integers(TEAMS)),
            "author": int(rng.integers(PEOPLE)),
            "tags": sorted({f"tag{int(t)}" for t in rng.integers(TAGS, size=int(rng.integers(0, 4)))}),
        })
        if extra is not None:
            entries[-1]["padding"], entries[-1]["padding_first"] = extra, padding == "unmatched-first"
    return {"entries": entries, "topics": [[vocab[int(i)] for i in topic] for topic in topics], "vocab": vocab}


VIEWER_TEAMS = (0, 1)
LONG_WORDS = 7000
# What makes an entry long. "vocabulary": more words of the corpus after the body, so a long
# entry also matches more queries (a real long text does). "unmatched": words no query uses
# after the body, so every query matches exactly what it matches without them and only the
# length differs (compare with --long-share 0). "unmatched-first": the same words before the
# body, so every first match lies ~50 KB in (the worst case for snippets).
PADDINGS = ("vocabulary", "unmatched", "unmatched-first")
NOT_DUMPED = {"topic", "padding", "padding_first"}  # a dump's body is the stored one, padding included


def unmatched_words(vocab: list[str], count: int = 3000) -> list[str]:
    """Made-up words that stem to nothing of the corpus vocabulary (queries are drawn from it)."""
    taken = {stem(word) for word in vocab}
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "tu", "vo", "xe", "zy", "qua", "pri"]
    rng = random.Random(11)
    out: set[str] = set()
    while len(out) < count:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) + "q"
        if stem(word) not in taken:
            out.add(word)
    return sorted(out)


def stored_body(entry: dict) -> str:
    """The body as stored and searched: with its padding, if it has one."""
    if "padding" not in entry:
        return entry["body"]
    return f"{entry['padding']} {entry['body']}" if entry["padding_first"] else f"{entry['body']} {entry['padding']}"


def visible(entry) -> bool:
    return not entry["team_only"] or entry["team"] in VIEWER_TEAMS


def generate_queries(corpus: dict, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    entries, vocab, topics = corpus["entries"], corpus["vocab"], corpus["topics"]
    forms = defaultdict(list)
    for word in vocab:
        forms[stem(word)].append(word)
    cdf = list(_zipf_cumulative(len(vocab)))
    candidates = [entry for entry in entries if visible(entry)]
    queries = []
    import bisect

    while len(queries) < count:
        target = rng.choice(candidates)
        content = [w for w in words(target["title"]) * 2 + words(target["body"]) if w not in STOP_WORDS]
        own = set(analyze(target["title"] + " " + target["body"]))
        if not content:
            continue
        length = rng.choices([2, 3, 4, 5], weights=[25, 35, 25, 15])[0]
        chosen, seen = [], set()
        for _ in range(60):
            if len(chosen) >= length:
                break
            word = rng.choice(content)
            if word in seen:
                continue
            seen.add(word)
            roll = rng.random()
            if roll < NOISE:
                # A wrong word: one the target does not contain (else it would be no noise).
                for _ in range(20):
                    if rng.random() < 0.5:
                        wrong = rng.choice(topics[target["topic"]])
                    else:
                        wrong = vocab[min(bisect.bisect_left(cdf, rng.random()), len(vocab) - 1)]
                    if wrong not in STOP_WORDS and stem(wrong) not in own:
                        word = wrong
                        break
            elif roll < NOISE + VARIANTS:
                others = [form for form in forms.get(stem(word), []) if form != word]
                if others:
                    word = rng.choice(others)
            chosen.append(word)
        queries.append({"query": " ".join(chosen), "target": target["n"]})
    return queries


def all_words_share(corpus: dict, queries: list[dict]) -> float:
    hits = 0
    for query in queries:
        entry = corpus["entries"][query["target"]]
        terms = set(analyze(entry["title"] + " " + entry["body"]))
        wanted = query_terms(query["query"])
        hits += bool(wanted) and all(term in terms for term in wanted)
    return hits / max(1, len(queries))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def reciprocal_rank(ranked: list, target) -> float:
    ranked = list(ranked)[:10]
    return 1.0 / (ranked.index(target) + 1) if target in ranked else 0.0


# --- the plain BM25 peer -------------------------------------------------------------------------


def run_bm25s(corpus: dict, queries: list[dict], *, analyzer: bool) -> dict:
    import bm25s
    import numpy as np

    entries = corpus["entries"]
    texts = [entry["title"] + "\n" + stored_body(entry) for entry in entries]
    started = time.perf_counter()
    if analyzer:
        tokens = [analyze(text) for text in texts]
    else:
        tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False, return_ids=False)
    model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    model.index(tokens, show_progress=False)
    build = len(texts) / (time.perf_counter() - started)
    vocabulary = model.vocab_dict
    mask = np.array([1.0 if visible(entry) else 0.0 for entry in entries], dtype=np.float32)
    latencies, ranks = [], []
    for number, query in enumerate(queries):
        started = time.perf_counter()
        if analyzer:
            terms = [term for term in query_terms(query["query"]) if term in vocabulary]
        else:
            found = bm25s.tokenize([query["query"]], stopwords="en", show_progress=False, return_ids=False)[0]
            terms = [term for term in found if term in vocabulary]
        if terms:
            results, scores = model.retrieve([terms], k=10, show_progress=False, n_threads=1, weight_mask=mask)
            ranked = [int(doc) for doc, score in zip(results[0], scores[0], strict=True) if score > 0]
        else:
            ranked = []
        if number >= 20:  # warm-up
            latencies.append((time.perf_counter() - started) * 1000)
        ranks.append(reciprocal_rank(ranked, query["target"]))
    return {"build_per_s": build, "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            "mrr10": statistics.fmean(ranks)}


def run_tantivy_alone(corpus: dict, queries: list[dict]) -> dict:
    """Tantivy on its own, as a team would use it without Learnloop: one text field (title and
    body) with its English stemming analyzer, its own BM25, the query's words OR-ed; the
    benchmark viewer's visibility as a filter clause (idf over every entry, as bm25s's mask).
    Built in memory, one indexing thread; latency for its top 10 (no snippets, no facets)."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("number", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("visible", indexed=True)
    builder.add_text_field("text", tokenizer_name="en_stem")
    schema = builder.build()
    index = tantivy.Index(schema)
    entries = corpus["entries"]
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for number, entry in enumerate(entries):
        document = tantivy.Document()
        document.add_unsigned("number", number)
        document.add_unsigned("visible", int(visible(entry)))
        document.add_text("text", entry["title"] + "\n" + stored_body(entry))
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    build = len(entries) / (time.perf_counter() - started)
    searcher = index.searcher()
    allowed = tantivy.Query.term_query(schema, "visible", 1)
    latencies, ranks = [], []
    for number, query in enumerate(queries):
        started = time.perf_counter()
        text = " ".join(re.findall(r"\w+", query["query"].lower()))
        ranked = []
        if text:
            parsed = tantivy.Query.boolean_query([
                (tantivy.Occur.Must, index.parse_query(text, ["text"])), (tantivy.Occur.Must, allowed),
            ])
            hits = searcher.search(parsed, limit=10).hits
            ranked = [searcher.doc(address)["number"][0] for _, address in hits]
        if number >= 20:  # warm-up
            latencies.append((time.perf_counter() - started) * 1000)
        ranks.append(reciprocal_rank(ranked, query["target"]))
    return {"build_per_s": build, "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            "mrr10": statistics.fmean(ranks)}


# --- Learnloop on a real database (a child process per database) --------------------------------


def child(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    data = json.loads(Path(args.corpus_file).read_text())
    corpus, queries = data["corpus"], data["queries"]
    ids, viewer = load_database(corpus)

    from learnloop.knowledge import search
    from learnloop.knowledge.search import SearchFilters
    from learnloop.knowledge.search.scope import viewer_scope

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    started, cpu, child_cpu = time.perf_counter(), time.process_time(), children_cpu()
    count = search.rebuild()
    build_seconds = time.perf_counter() - started
    # This process's threads and the process a large embedded rebuild analyzes in
    # (analytics.terms_worker); not PostgreSQL's own.
    build_cpu_seconds = time.process_time() - cpu + children_cpu() - child_cpu
    engine = search.backend()
    from django.utils import timezone

    scope = viewer_scope(viewer, SearchFilters(), timezone.now())
    engine_ms, service_ms, text_ranks, final_ranks = [], [], [], []
    service_cpu_ms, service100_cpu_ms, api_ms, api_cpu_ms, api100_cpu_ms = [], [], [], [], []
    api = api_client(viewer)
    for number, query in enumerate(queries):
        target = ids[query["target"]]
        started = time.perf_counter()
        slots = [[term] for term in query_terms(query["query"])]
        window = engine.window(scope, slots, limit=search.RESULT_WINDOW) if slots else []
        elapsed = (time.perf_counter() - started) * 1000
        started, cpu = time.perf_counter(), time.process_time()
        results = search.search_entries(viewer=viewer, query=query["query"], per_page=20)
        service = (time.perf_counter() - started) * 1000
        service_cpu = (time.process_time() - cpu) * 1000
        cpu = time.process_time()
        search.search_entries(viewer=viewer, query=query["query"], per_page=100)
        service100_cpu = (time.process_time() - cpu) * 1000
        started, cpu = time.perf_counter(), time.process_time()
        api_answer(api, query["query"], 20)
        api_call, api_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        cpu = time.process_time()
        api_answer(api, query["query"], 100)
        api100_cpu = (time.process_time() - cpu) * 1000
        if number >= 20:  # the first queries warm caches
            engine_ms.append(elapsed)
            service_ms.append(service)
            service_cpu_ms.append(service_cpu)
            service100_cpu_ms.append(service100_cpu)
            api_ms.append(api_call)
            api_cpu_ms.append(api_cpu)
            api100_cpu_ms.append(api100_cpu)
        text_ranks.append(reciprocal_rank([match.entry_id for match in window], target))
        final_ranks.append(reciprocal_rank([hit.entry.pk for hit in results.hits], target))
    print(json.dumps({
        "backend": engine.name, "entries": count, "build_per_s": count / build_seconds,
        "build_cpu_per_s": count / max(build_cpu_seconds, 1e-9),
        "engine_p50_ms": percentile(engine_ms, 0.5), "engine_p95_ms": percentile(engine_ms, 0.95),
        "service_p50_ms": percentile(service_ms, 0.5), "service_p95_ms": percentile(service_ms, 0.95),
        "service_cpu_p50_ms": percentile(service_cpu_ms, 0.5), "service_cpu_p95_ms": percentile(service_cpu_ms, 0.95),
        "service100_cpu_p50_ms": percentile(service100_cpu_ms, 0.5),
        "service100_cpu_p95_ms": percentile(service100_cpu_ms, 0.95),
        "api_p50_ms": percentile(api_ms, 0.5), "api_p95_ms": percentile(api_ms, 0.95),
        "api_cpu_p50_ms": percentile(api_cpu_ms, 0.5), "api_cpu_p95_ms": percentile(api_cpu_ms, 0.95),
        "api100_cpu_p50_ms": percentile(api100_cpu_ms, 0.5), "api100_cpu_p95_ms": percentile(api100_cpu_ms, 0.95),
        "mrr10": statistics.fmean(final_ranks), "text_mrr10": statistics.fmean(text_ranks),
    }))


def api_client(viewer):
    """A signed-in client of the REST API, through Django's whole request handling in this
    process (middleware, authentication, the handler, the JSON answer; no network, no gunicorn)."""
    from django.conf import settings
    from django.test import Client

    # The test client's host (setup_test_environment would allow it too, but it also
    # instruments template rendering, which is not what a server does).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(viewer)
    return client


def api_answer(client, query: str, per_page: int) -> dict:
    response = client.get("/api/v1/knowledge/entries", {"q": query, "per_page": per_page})
    if response.status_code != 200:
        raise SystemExit(f"the search API answered {response.status_code}: {response.content[:300]!r}")
    return response.json()


def load_database(corpus: dict):
    """Write the corpus as entries, people, teams and tags (bulk: this is the setup, not the
    measurement). Returns the entry id of every corpus entry and the viewer."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from learnloop.knowledge.models import STALE_AFTER_DUE, Entry, Tag
    from learnloop.org.models import Membership, Person, Team

    now = timezone.now()
    with transaction.atomic():
        people = Person.objects.bulk_create(
            Person(email=f"person{n}@bench.example", full_name=f"Person {n}", password=UNUSABLE) for n in range(PEOPLE)
        )
        viewer = Person.objects.create(email="viewer@bench.example", full_name="Viewer", password=UNUSABLE)
        teams = Team.objects.bulk_create(Team(name=f"Team {n}", slug=f"team-{n}") for n in range(TEAMS))
        Membership.objects.bulk_create(Membership(person=viewer, team=teams[n]) for n in VIEWER_TEAMS)
        tags = {tag.name: tag for tag in Tag.objects.bulk_create(Tag(name=f"tag{n}") for n in range(TAGS))}
        ids = []
        batch = 5000
        entries = corpus["entries"]
        for start in range(0, len(entries), batch):
            rows = []
            for item in entries[start:start + batch]:
                due = {
                    "fresh": now + timedelta(days=60), "due": now - timedelta(days=5),
                    "stale": now - STALE_AFTER_DUE - timedelta(days=60), "obsolete": now + timedelta(days=60),
                }[item["state"]]
                decision, body = item["kind"] == "decision", stored_body(item)
                rows.append(Entry(
                    kind=item["kind"], title=item["title"][:300], body="" if decision else body,
                    decision=body if decision else "", status="proposed" if decision else "",
                    author=people[item["author"]], owner_person=people[item["author"]],
                    visibility="team" if item["team_only"] else "everyone",
                    review_due_at=due, last_verified_at=due - timedelta(days=180),
                    obsolete_at=now - timedelta(days=10) if item["state"] == "obsolete" else None,
                    application_count=item["applications"],
                ))
            created = Entry.objects.bulk_create(rows)
            ids.extend(entry.pk for entry in created)
            team_links, tag_links = [], []
            for item, entry in zip(entries[start:start + batch], created, strict=True):
                if item["team_only"]:
                    team_links.append(Entry.teams.through(entry_id=entry.pk, team_id=teams[item["team"]].pk))
                for name in item["tags"]:
                    tag_links.append(Entry.tags.through(entry_id=entry.pk, tag_id=tags[name].pk))
            Entry.teams.through.objects.bulk_create(team_links)
            Entry.tags.through.objects.bulk_create(tag_links)
    # The statistics autovacuum would gather soon after a bulk load (without them PostgreSQL
    # plans the bulk-loaded tables as if they were empty).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids, viewer


def run_child(database: str, url: str, corpus_file: Path, workdir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SEARCH_BACKEND"}}
    env.update(DATABASE_URL=url, LEARNLOOP_DATA_DIR=str(workdir / f"data-{database}"), LOG_LEVEL="WARNING")
    result = subprocess.run(  # noqa: S603 (our own script, our own arguments)
        [sys.executable, __file__, "--child", database, "--corpus-file", str(corpus_file)],
        env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"the {database} run failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k entries and 300 queries: under a minute")
    parser.add_argument("--sizes", default=None, help="comma-separated corpus sizes (default 10000,100000)")
    parser.add_argument("--queries", type=int, default=None, help="known-item queries per size (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-server", default=DEFAULT_SERVER,
                        help="PostgreSQL server URL (no database name): the benchmark creates its own database there")
    parser.add_argument("--postgres-url", default=None,
                        help="the database to create (and drop afterwards); it must not exist yet")
    parser.add_argument("--long-share", type=float, default=0.0,
                        help="share of entries made ~50 KB long (snippet cost on long entries)")
    parser.add_argument("--long-padding", choices=PADDINGS, default="vocabulary",
                        help="what makes them long: more corpus words (vocabulary), words no query uses after "
                             "the body (unmatched: only the length differs) or before it (unmatched-first)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--dump", type=Path, help="write corpus.jsonl and queries.jsonl per size into this directory")
    parser.add_argument("--query-file", type=Path,
                        help='JSON lines {"query": ..., "target": corpus entry number} to use instead')
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sizes = [int(size) for size in (args.sizes or ("10000" if args.quick else "10000,100000")).split(",")]
    query_count = args.queries or (300 if args.quick else 1000)
    figures: dict[str, object] = {"quick": int(args.quick), "queries": query_count, "long_share": args.long_share,
                                  "long_padding": args.long_padding}
    with tempfile.TemporaryDirectory(prefix="learnloop-bench-") as temporary:
        workdir = Path(temporary)
        for size in sizes:
            started = time.perf_counter()
            corpus = generate_corpus(size, args.seed, args.long_share, args.long_padding)
            if args.query_file:
                queries = [json.loads(line) for line in args.query_file.read_text().splitlines() if line.strip()]
            else:
                queries = generate_queries(corpus, query_count, args.seed + size)
            print(f"\n== {size:,} entries, {len(queries)} known-item queries "
                  f"(generated in {time.perf_counter() - started:.1f} s)")
            if args.dump:
                args.dump.mkdir(parents=True, exist_ok=True)
                with open(args.dump / f"corpus-{size}.jsonl", "w") as handle:
                    for entry in corpus["entries"]:
                        kept = {key: value for key, value in entry.items() if key not in NOT_DUMPED}
                        handle.write(json.dumps({**kept, "body": stored_body(entry)}) + "\n")
                with open(args.dump / f"queries-{size}.jsonl", "w") as handle:
                    for query in queries:
                        handle.write(json.dumps(query) + "\n")
            share = all_words_share(corpus, queries)
            print(f"   targets containing every query word (the most all-words matching can find): {share:.1%}")
            figures[f"allwords_{size}"] = round(share, 3)
            corpus_file = workdir / f"corpus-{size}.json"
            corpus_file.write_text(json.dumps({"corpus": {"entries": corpus["entries"]}, "queries": queries}))
            rows, cpu_rows = [], []
            for label, analyzer in (("bm25s, our analyzer", True), ("bm25s, its tokenizer", False)):
                peer = run_bm25s(corpus, queries, analyzer=analyzer)
                key = "bm25s" if analyzer else "bm25s_own"
                rows.append((label, peer["build_per_s"], peer["p50_ms"], peer["p95_ms"], None, None, peer["mrr10"],
                             None))
                figures.update({f"{key}_{size}_{name}": round(value, 3) for name, value in peer.items()})
            peer = run_tantivy_alone(corpus, queries)
            rows.append(("tantivy alone, its analyzer", peer["build_per_s"], peer["p50_ms"], peer["p95_ms"], None,
                         None, peer["mrr10"], None))
            figures.update({f"tantivy_{size}_{name}": round(value, 3) for name, value in peer.items()})
            databases = []
            if not args.no_sqlite:
                databases.append(("sqlite", f"sqlite:///{workdir / f'bench-{size}.sqlite3'}"))
            if not args.no_postgres:
                url = args.postgres_url or unique_url(args.postgres_server, "learnloop_search")
                databases.append(("postgres", url))
            for database, url in databases:
                with temporary_database(url) if database == "postgres" else nullcontext(url):
                    result = run_child(database, url, corpus_file, workdir)
                rows.append((f"learnloop on {database} ({result['backend']})", result["build_per_s"],
                             result["engine_p50_ms"], result["engine_p95_ms"], result["service_p50_ms"],
                             result["service_p95_ms"], result["mrr10"], result["text_mrr10"]))
                cpu_rows.append((database, result))
                figures.update({f"{database}_{size}_{name}": round(value, 3)
                                for name, value in result.items() if isinstance(value, float)})
            print(f"   {'':34} {'index/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'svc p50':>8} {'svc p95':>8}"
                  f" {'MRR@10':>7} {'text':>7}")
            for label, build, p50, p95, s50, s95, mrr, text in rows:
                def cell(value, width=8, digits=2):
                    return f"{value:>{width}.{digits}f}" if value is not None else " " * (width - 1) + "-"

                print(f"   {label:34} {build:>9,.0f} {cell(p50)} {cell(p95)} {cell(s50)} {cell(s95)}"
                      f" {cell(mrr, 7, 3)} {cell(text, 7, 3)}")
            for database, result in cpu_rows:
                print(f"   index build on {database}: {result['build_cpu_per_s']:,.0f} entries per CPU second of "
                      "this process and its analyzing child")
                print(f"   full search call on {database}, CPU ms (20 hits, snippets, facets) p50/p95 "
                      f"{result['service_cpu_p50_ms']:.2f}/{result['service_cpu_p95_ms']:.2f}; "
                      f"100 hits {result['service100_cpu_p50_ms']:.2f}/{result['service100_cpu_p95_ms']:.2f}")
                print(f"   the same through the REST API (GET /api/v1/knowledge/entries), CPU ms p50/p95 "
                      f"{result['api_cpu_p50_ms']:.2f}/{result['api_cpu_p95_ms']:.2f} (wall "
                      f"{result['api_p50_ms']:.2f}/{result['api_p95_ms']:.2f}); 100 hits "
                      f"{result['api100_cpu_p50_ms']:.2f}/{result['api100_cpu_p95_ms']:.2f}")
    print("\np50/p95: the engine's ranked window of 200 (bm25s: its top 10); svc: the whole search_entries call"
          "\n(window, ranking, facets, a page of 20 highlighted hits); api: the same search through the REST API."
          "\nMRR@10: final order; text: text relevance only.")
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
