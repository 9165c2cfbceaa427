"""Search quality on public test collections with human relevance judgments (prints figures;
it is not a test).

    uv run python bench/search_quality.py            # CISI, CRAN, MED, CACM; SQLite and PostgreSQL
    uv run python bench/search_quality.py --quick    # MED on SQLite only: under a minute
    uv run python bench/search_quality.py --collections cisi --no-postgres
    uv run python bench/search_quality.py --git-mirror DIR --git-mirror-cacm DIR
                     # read the collections from local clones of the publishing repositories

Why these collections. They were judged by people decades before this project existed, so
nothing here can be tuned to flatter Learnloop: CISI (1,460 library-science abstracts, 76
judged queries), Cranfield (1,400 aerodynamics abstracts, 225 queries, graded judgments) and
MEDLINE (1,033 medical abstracts, 30 queries), read from the public GitHub repository
lailaglez/belief-network-irs; and CACM (3,204 titles and abstracts of Communications of the ACM,
52 judged queries), read from atcherepanov/Stemming-Algorithm. Both at a fixed commit
(raw.githubusercontent.com, or `--git-mirror` / `--git-mirror-cacm` when the machine cannot
reach it), cached under .cache/search-quality/; the data is never committed. CACM was added
after the ranking had been tuned on the other three, so it is the one collection here that the
ranking's settings never saw.

How Learnloop is run. Every document becomes a Markdown file ("# title", then the text; MEDLINE
has no titles, so its files are titled by their first words, and every system indexes that
same title + body text), and `learnloop knowledge import DIR --as EMAIL` (the documented import
path) brings the folder into a fresh database — a temporary SQLite file, and `--postgres-url`
(dropped and created again, so its name must end in "_bench") — indexing as it writes. Each
query then goes through `search_entries` (the function the web pages and the API call) for the
first 100 results. Imported entries are all fresh, unapplied and visible to everyone, so
freshness, reuse and visibility play no part: this measures text ranking alone.

Peers, in the same run on the same text: bm25s (k1 = 1.2, b = 0.75, Lucene idf) with PyStemmer's
English Snowball stemmer and its English stop words, and Tantivy alone (its `en_stem` analyzer,
its BM25, the query's words OR-ed).

Figures per collection and system: MAP (over the first 100 results), nDCG@10 (graded where
the collection grades), MRR@10 and Recall@100, averaged over the queries that have judgments;
then, for each figure, Learnloop's difference from the better of the two peers with the p of a
paired randomization test over the queries (two-sided, 20,000 sign flips, seeded): a
difference with a large p is one that the few dozen queries of a collection cannot tell from
chance.
The last line holds every figure as key=value pairs.
"""

import argparse
import io
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

REPOSITORY = "lailaglez/belief-network-irs"
COMMIT = "9094e4cde738bd93ed1747dc958b5acb0e0fa684"
CACM_REPOSITORY = "atcherepanov/Stemming-Algorithm"
CACM_COMMIT = "a92ce141e3cba95b0213569a42cb1668201963f7"
COLLECTIONS = {
    "cisi": {"documents": "cisi/CISI.ALL", "queries": "cisi/CISI.QRY", "judgments": "cisi/CISI.REL"},
    "cran": {"documents": "cran/cran.all.1400", "queries": "cran/cran.qry", "judgments": "cran/cranqrel"},
    "med": {"documents": "med/MED.ALL", "queries": "med/MED.QRY", "judgments": "med/MED.REL"},
    "cacm": {"documents": "cacm.all", "queries": "query.text", "judgments": "qrels.text",
             "repository": CACM_REPOSITORY, "commit": CACM_COMMIT},
}
DEPTH = 100
UNUSABLE = "!"
TITLE_WORDS = 10


# --- the data -------------------------------------------------------------------------------------


def _file(collection: str, kind: str, mirrors: dict[str, Path | None]) -> str:
    from bench_sources import pinned_file  # beside this script (tests load it by path)

    files = COLLECTIONS[collection]
    repository = files.get("repository", REPOSITORY)
    return pinned_file(repository, files.get("commit", COMMIT), files[kind], cache="search-quality",
                       mirror=mirrors.get(repository)).decode("latin-1")


def _records(text: str) -> dict[str, dict[str, str]]:
    """SMART-format records: `.I id` starts one, `.X` lines start its fields."""
    records: dict[str, dict[str, str]] = {}
    current, field = None, None
    for line in text.splitlines():
        marker = re.match(r"^\.([A-Z])(?:\s+(\S+))?\s*$", line)
        if marker and marker.group(1) == "I":
            current, field = records.setdefault(marker.group(2).lstrip("0") or "0", {}), None
        elif marker:
            field = marker.group(1)
            if current is not None:
                current.setdefault(field, "")
        elif current is not None and field is not None:
            current[field] += line + "\n"
    return records


def load_collection(name: str, mirrors: dict[str, Path | None]) -> dict:
    documents = []
    for doc_id, fields in _records(_file(name, "documents", mirrors)).items():
        body = " ".join(fields.get("W", "").split())
        title = " ".join(fields.get("T", "").split())
        if not title:  # MEDLINE: no titles; every system indexes this same title + body
            title = " ".join(body.split()[:TITLE_WORDS])
        documents.append({"id": doc_id, "title": title[:300], "body": body})
    query_records = list(_records(_file(name, "queries", mirrors)).items())
    judgments: dict[str, dict[str, int]] = {}
    for line in _file(name, "judgments", mirrors).splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        if name == "cran":
            # Cranfield numbers its judged queries 1..225 in file order (not by .I), grades 1
            # (complete answer) to 4 (minimum interest); -1 and 5 are not relevant.
            query_id, doc_id, grade = parts[0], parts[1], int(parts[2])
            if not 1 <= grade <= 4:
                continue
            gain = 5 - grade
        else:  # CISI, MEDLINE; CACM's lines are "query document 0 0"
            query_id, doc_id, gain = parts[0], parts[1], 1
        judgments.setdefault(query_id.lstrip("0"), {})[doc_id.lstrip("0")] = gain
    queries = []
    for number, (query_id, fields) in enumerate(query_records, start=1):
        key = str(number) if name == "cran" else query_id
        text = " ".join(fields.get("W", "").split())
        if key in judgments and text:
            queries.append({"id": key, "text": text})
    return {"name": name, "documents": documents, "queries": queries, "judgments": judgments}


# --- metrics -------------------------------------------------------------------------------------


def per_query(runs: dict[str, list[str]], judgments: dict[str, dict[str, int]]) -> dict[str, list[float]]:
    """Each figure for each query, in the order of `runs`."""
    figures: dict[str, list[float]] = {"map": [], "ndcg10": [], "mrr10": [], "recall100": []}
    for query_id, ranked in runs.items():
        relevant = judgments[query_id]
        hits, precision_sum, first = 0, 0.0, 0.0
        for rank, doc_id in enumerate(ranked[:DEPTH], start=1):
            if doc_id in relevant:
                hits += 1
                precision_sum += hits / rank
                if not first and rank <= 10:
                    first = 1 / rank
        figures["map"].append(precision_sum / len(relevant))
        figures["mrr10"].append(first)
        figures["recall100"].append(hits / len(relevant))
        gains = [relevant.get(doc_id, 0) for doc_id in ranked[:10]]
        dcg = sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))
        ideal = sorted(relevant.values(), reverse=True)[:10]
        best = sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(ideal))
        figures["ndcg10"].append(dcg / best if best else 0.0)
    return figures


PERMUTATIONS = 20_000


def paired_p(ours: list[float], theirs: list[float]) -> float:
    """Two-sided p of a paired randomization test (Fisher's, as IR evaluation uses it): how
    often flipping the sign of each query's difference at random gives a mean difference at
    least as large as the one measured. Seeded, so a run is repeatable."""
    import numpy as np

    differences = np.asarray(ours) - np.asarray(theirs)
    observed = abs(differences.mean())
    if observed == 0:
        return 1.0
    signs = np.random.default_rng(20261205).choice((-1.0, 1.0), size=(PERMUTATIONS, len(differences)))
    extreme = np.count_nonzero(np.abs((signs * differences).mean(axis=1)) >= observed - 1e-12)
    return (extreme + 1) / (PERMUTATIONS + 1)


# --- peers ---------------------------------------------------------------------------------------


def run_bm25s(collection: dict) -> dict[str, list[str]]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    documents = collection["documents"]
    tokens = bm25s.tokenize([doc["title"] + "\n" + doc["body"] for doc in documents], stopwords="en",
                            stemmer=stemmer, show_progress=False, return_ids=False)
    model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    model.index(tokens, show_progress=False)
    vocabulary = model.vocab_dict
    runs = {}
    for query in collection["queries"]:
        found = bm25s.tokenize([query["text"]], stopwords="en", stemmer=stemmer, show_progress=False,
                               return_ids=False)[0]
        terms = [term for term in found if term in vocabulary]
        if not terms:
            runs[query["id"]] = []
            continue
        results, scores = model.retrieve([terms], k=min(DEPTH, len(documents)), show_progress=False, n_threads=1)
        runs[query["id"]] = [documents[int(doc)]["id"] for doc, score in zip(results[0], scores[0], strict=True)
                             if score > 0]
    return runs


def run_tantivy(collection: dict) -> dict[str, list[str]]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name="en_stem")
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for doc in collection["documents"]:
        writer.add_document(tantivy.Document(id=doc["id"], text=doc["title"] + "\n" + doc["body"]))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    runs = {}
    for query in collection["queries"]:
        # Its own analyzer, its own BM25; only the words of the query (no query syntax), OR-ed.
        text = " ".join(re.findall(r"\w+", query["text"].lower()))
        parsed = index.parse_query(text, ["text"]) if text else None
        hits = searcher.search(parsed, limit=DEPTH).hits if parsed else []
        runs[query["id"]] = [searcher.doc(address)["id"][0] for _, address in hits]
    return runs


# --- Learnloop, in a child process per database ------------------------------------------------------


def child(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnloop.settings")
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from learnloop.analytics import proximity, ranking, text
    from learnloop.knowledge import search
    from learnloop.knowledge.models import Provenance
    from learnloop.org.models import Person

    # Experiments (docs/knowledge.md): the product's values unless given.
    if args.title_weight is not None:
        ranking.FIELD_WEIGHTS["title"] = args.title_weight
    if args.query_terms is not None:
        text.QUERY_TERM_LIMIT = args.query_terms
    if args.query_repeats is not None:
        text.QUERY_TERM_REPEATS = args.query_repeats
    if args.no_identifiers:
        text.IDENTIFIERS = False
    if args.proximity_weight is not None:
        proximity.WEIGHT = args.proximity_weight
    call_command("migrate", verbosity=0, interactive=False)
    collection = json.loads(Path(args.collection_file).read_text())
    author = Person.objects.create(email="author@bench.example", full_name="Author", password=UNUSABLE)
    viewer = Person.objects.create(email="viewer@bench.example", full_name="Viewer", password=UNUSABLE)
    # Through the documented import path: one Markdown file per document ("# title", then the
    # text), imported by `learnloop knowledge import DIR --as EMAIL`, which indexes as it writes.
    collection_path = Path(args.collection_file)
    folder = collection_path.with_name(f"{collection_path.stem}-{args.child}-files")  # one per database run
    folder.mkdir()
    for doc in collection["documents"]:
        heading = f"# {doc['title']}\n\n" if doc["title"] else ""
        (folder / f"{doc['id']}.md").write_text(heading + doc["body"] + "\n", encoding="utf-8")
    started = time.perf_counter()
    call_command("knowledge", "import", str(folder), "--as", author.email, verbosity=0, stdout=io.StringIO())
    import_seconds = time.perf_counter() - started
    doc_of = {entry_id: source_id.removesuffix(".md") for entry_id, source_id in
              Provenance.objects.filter(source_type="import").values_list("entry_id", "source_id")}
    if len(doc_of) != len(collection["documents"]):
        raise SystemExit(f"imported {len(doc_of)} of {len(collection['documents'])} documents")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if args.rebuild_after_import:
        search.rebuild()
    runs, cpu_ms = {}, []
    for query in collection["queries"]:
        started = time.process_time()
        results = search.search_entries(viewer=viewer, query=query["text"], per_page=DEPTH, with_facets=False)
        cpu_ms.append((time.process_time() - started) * 1000)
        runs[query["id"]] = [doc_of[hit.entry.pk] for hit in results.hits]
    print(json.dumps({"backend": search.backend().name, "runs": runs, "cpu_ms_p50": statistics.median(cpu_ms),
                      "import_seconds": import_seconds}))


def run_child(database: str, url: str, collection_file: Path, workdir: Path, experiment: list[str]) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "SEARCH_BACKEND"}}
    env.update(DATABASE_URL=url, LEARNLOOP_DATA_DIR=str(workdir / f"data-{database}-{collection_file.stem}"),
               LOG_LEVEL="WARNING")
    result = subprocess.run(  # noqa: S603 (our own script, our own arguments)
        [sys.executable, __file__, "--child", database, "--collection-file", str(collection_file), *experiment],
        env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise SystemExit(f"the {database} run failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the benchmark's database name must end in _bench")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="MED on SQLite only: under a minute")
    parser.add_argument("--collections", default=None, help=f"comma-separated, of {','.join(COLLECTIONS)}")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/learnloop_h_search_bench")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--git-mirror", type=Path, help=f"a local git directory of {REPOSITORY}")
    parser.add_argument("--git-mirror-cacm", type=Path, help=f"a local git directory of {CACM_REPOSITORY}")
    parser.add_argument("--title-weight", type=int, help="experiment: count title terms this many times")
    parser.add_argument("--query-terms", type=int, help="experiment: search at most this many distinct query terms")
    parser.add_argument("--query-repeats", type=int, help="experiment: count a repeated query term at most this often")
    parser.add_argument("--no-identifiers", action="store_true", help="experiment: no identifier terms")
    parser.add_argument("--proximity-weight", type=float, help="experiment: the proximity bonus's weight (0: off)")
    parser.add_argument("--rebuild-after-import", action="store_true",
                        help="experiment: index again with `learnloop search rebuild` after the import")
    parser.add_argument("--save-runs", type=Path, help="write each system's ranked lists and the judgments here, "
                        "as NAME.json, for looking at single queries")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--collection-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    names = (args.collections or ("med" if args.quick else ",".join(COLLECTIONS))).split(",")
    figures: dict[str, object] = {"quick": int(args.quick)}
    experiment = []
    if args.title_weight is not None:
        experiment += ["--title-weight", str(args.title_weight)]
        figures["title_weight"] = args.title_weight
    if args.query_terms is not None:
        experiment += ["--query-terms", str(args.query_terms)]
        figures["query_terms"] = args.query_terms
    if args.query_repeats is not None:
        experiment += ["--query-repeats", str(args.query_repeats)]
        figures["query_repeats"] = args.query_repeats
    if args.no_identifiers:
        experiment += ["--no-identifiers"]
        figures["identifiers"] = 0
    if args.proximity_weight is not None:
        experiment += ["--proximity-weight", str(args.proximity_weight)]
        figures["proximity_weight"] = args.proximity_weight
    if args.rebuild_after_import:
        experiment += ["--rebuild-after-import"]
        figures["rebuild_after_import"] = 1
    with tempfile.TemporaryDirectory(prefix="learnloop-quality-") as temporary:
        workdir = Path(temporary)
        for name in names:
            collection = load_collection(name, {REPOSITORY: args.git_mirror, CACM_REPOSITORY: args.git_mirror_cacm})
            print(f"\n== {name.upper()}: {len(collection['documents']):,} documents, "
                  f"{len(collection['queries'])} judged queries")
            systems = {"bm25s": run_bm25s(collection), "tantivy": run_tantivy(collection)}
            collection_file = workdir / f"{name}.json"
            collection_file.write_text(json.dumps(collection))
            databases = []
            if not args.no_sqlite:
                databases.append(("sqlite", f"sqlite:///{workdir / f'{name}.sqlite3'}"))
            if not args.no_postgres and not args.quick:
                fresh_postgres(args.postgres_url)
                databases.append(("postgres", args.postgres_url))
            for database, url in databases:
                result = run_child(database, url, collection_file, workdir, experiment)
                systems[f"learnloop_{database}"] = result["runs"]
                figures[f"{name}_learnloop_{database}_cpu_p50_ms"] = round(result["cpu_ms_p50"], 2)
            if "learnloop_sqlite" in systems and "learnloop_postgres" in systems:
                # Do the backends agree? The share of queries whose first 10 results are the same,
                # in the same order.
                same = [systems["learnloop_sqlite"][key][:10] == systems["learnloop_postgres"][key][:10]
                        for key in systems["learnloop_sqlite"]]
                figures[f"{name}_backends_same_top10"] = round(sum(same) / max(1, len(same)), 4)
                print(f"   embedded and PostgreSQL: same top 10 for {sum(same)} of {len(same)} queries")
            if args.save_runs:
                args.save_runs.mkdir(parents=True, exist_ok=True)
                (args.save_runs / f"{name}.json").write_text(json.dumps({
                    "queries": collection["queries"], "judgments": collection["judgments"], "runs": systems,
                }))
            print(f"   {'system':22} {'MAP':>7} {'nDCG@10':>8} {'MRR@10':>7} {'R@100':>7}")
            by_query = {system: per_query(runs, collection["judgments"]) for system, runs in systems.items()}
            for system, values in by_query.items():
                scores = {key: statistics.fmean(series) for key, series in values.items()}
                print(f"   {system:22} {scores['map']:>7.3f} {scores['ndcg10']:>8.3f} {scores['mrr10']:>7.3f}"
                      f" {scores['recall100']:>7.3f}")
                figures.update({f"{name}_{system}_{key}": round(value, 4) for key, value in scores.items()})
            for database in ("sqlite", "postgres"):
                ours = by_query.get(f"learnloop_{database}")
                if ours is None:
                    continue
                # Against the better peer on each figure: the difference and how likely a
                # difference that large is by chance (paired randomization test over queries).
                line = []
                for key in ("map", "ndcg10", "mrr10", "recall100"):
                    means = {system: statistics.fmean(by_query[system][key]) for system in ("bm25s", "tantivy")}
                    peer = max(means, key=means.get)
                    difference = statistics.fmean(ours[key]) - means[peer]
                    p = paired_p(ours[key], by_query[peer][key])
                    figures[f"{name}_learnloop_{database}_{key}_vs_best_peer"] = round(difference, 4)
                    figures[f"{name}_learnloop_{database}_{key}_vs_best_peer_p"] = round(p, 4)
                    line.append(f"{key} {difference:+.3f} vs {peer} (p {p:.2f})")
                print(f"   learnloop_{database} against the better peer: " + ", ".join(line))
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
