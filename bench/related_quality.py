"""Related entries, the "similar entries already exist" warning and grouping suggestions, measured
on labelled pairs (prints figures; it is not a test).

    .venv/bin/python bench/related_quality.py            # demo pairs + all MRPC test pairs
    .venv/bin/python bench/related_quality.py --quick    # demo pairs + 100 MRPC pairs: about a minute
    .venv/bin/python bench/related_quality.py --sets demo
    .venv/bin/python bench/related_quality.py --git-mirror DIR   # read MRPC from a local clone of
                                                                 # the publishing repository

The sets.
- demo: tests/knowledge/search/related_pairs.yaml, texts written for this by reading the demo
  knowledge base: 34 duplicates (a new text saying what a demo entry says) and 20 near misses
  (same subject, different knowledge). The index holds the demo's ~400 entries, composed by
  knowledge/demo.py from demo_data/ (final text, tags, decision sections; with this script's seed
  for the demo's random choices of layout and retro notes).
- mrpc: the Microsoft Research Paraphrase Corpus test split, sentence pairs from news labelled
  paraphrase or not by people (Dolan & Brockett, 2005). Read from the public GitHub repository
  SamaySah21/Paraphrase_Detection_Distillbert at a fixed commit (raw.githubusercontent.com, or
  `--git-mirror`) and cached under .cache/related-quality/; never committed. That copy has 1,713
  of the 1,725 pairs and stores the commas inside quoted sentences as tabs; they are read back as
  commas. The second sentence of every pair is an entry (a question titled by the sentence); the
  first is the new text. --quick asks for a seeded sample of the first sentences (the index still
  holds every second sentence).

How Learnloop is run. A fresh SQLite database in a temporary directory, migrated; the corpus
bulk-inserted as entries everyone sees (setup, as in bench/search_quality.py), then indexed by
`search.rebuild()`. Per labelled item, through the services the pages and the API call:
- warning: `search.similar_entries(title, body, limit=5)` as the editor asks while typing (from
  SIMILAR_THRESHOLD up). The item is flagged when the labelled entry is in it. Precision, recall
  and F1 over duplicates (positives) and near misses / non-paraphrases (negatives).
- related: the new text is written as an entry (`services.create_entry`, team-only in a team the
  reader is not in, so no new text shows up as another's related entry) and
  `search.related_entries(entry, limit=10)` is read as the reader sees it. For positives: P@1,
  R@5, R@10 and MRR@10 of the labelled entry (one relevant entry per item, so P@k = R@k / k and
  only P@1 is printed); for all items: P/R/F1 of "the labelled entry is ranked first".
- grouping: `analytics.grouping.similarity_matrix([new text, entry text])` (what suggest_groups
  links, on a two-card session) from its DEFAULT_THRESHOLD up: P/R/F1.

Baseline, on the same texts: bm25s (k1 = 1.2, b = 0.75, Lucene idf, PyStemmer's English stemmer
and its English stop words) ranking the corpus for the new text: P@1, R@5, R@10, MRR@10, and
P/R/F1 of "ranked first". And "flag every pair": the precision a decision must beat.

The last line holds every figure as key=value pairs.
"""

import argparse
import csv
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PAIRS = ROOT / "tests" / "knowledge" / "search" / "related_pairs.yaml"
MRPC_REPOSITORY = "SamaySah21/Paraphrase_Detection_Distillbert"
MRPC_COMMIT = "63c56ce5ff98500763cb8fdfdb9c85796dc23e62"
MRPC_PATH = "msr_paraphrase_test.txt"
QUICK_MRPC_PAIRS = 100
SEED = 23
DEPTH = 10
WARNING_LIMIT = 5  # what the editor's warning shows (knowledge/views.py: similar)
UNUSABLE = "!"


# --- the data -------------------------------------------------------------------------------------


def demo_items() -> list[dict]:
    """The committed demo pairs: {"target", "title", "body", "same"}, duplicates first."""
    import yaml

    data = yaml.safe_load(PAIRS.read_text())
    return [{"target": item["entry"], "title": item["title"], "body": item["body"], "same": same}
            for key, same in (("duplicates", True), ("near_misses", False)) for item in data[key]]


def demo_documents(seed: int = SEED) -> list[dict]:
    """The demo knowledge base's entries as knowledge/demo.py composes them (final text, tags,
    decision sections), keyed by title."""
    from learnloop.knowledge import demo

    documents = []
    for spec in demo._specs(random.Random(seed)):
        fields = {"kind": spec.kind, "title": spec.title, "body": spec.body, "tags": list(spec.tags)}
        if spec.kind == "decision":
            fields.update(spec.sections)
        documents.append({"id": spec.title, "fields": fields})
    return documents


def _mrpc_text(mirror: Path | None) -> str:
    from bench_sources import pinned_file  # beside this script (tests load it by path)

    return pinned_file(MRPC_REPOSITORY, MRPC_COMMIT, MRPC_PATH, cache="related-quality", mirror=mirror).decode("utf-8")


def mrpc_set(mirror: Path | None, *, sample: int | None) -> tuple[list[dict], list[dict]]:
    """(documents, items): every pair's second sentence is a document, its first the new text."""
    pairs = []
    for line in _mrpc_text(mirror).splitlines()[1:]:
        # One line is one pair; quoted sentences hold their commas as tabs in this copy.
        fields = next(csv.reader([line], delimiter="\t", quotechar='"'))
        if len(fields) != 5 or fields[0] not in {"0", "1"}:
            continue
        first, second = (" ".join(text.replace("\t", ",").split()) for text in fields[3:5])
        pairs.append({"same": fields[0] == "1", "first": first, "second": second, "id": fields[2]})
    documents, seen = [], set()
    for pair in pairs:
        if pair["id"] not in seen:
            seen.add(pair["id"])
            documents.append({"id": pair["id"], "fields": {"kind": "question", "title": pair["second"][:300],
                                                           "body": pair["second"][300:]}})
    if sample is not None and sample < len(pairs):
        # Only the new texts are sampled: every second sentence stays in the index, as distractors.
        pairs = random.Random(SEED).sample(pairs, sample)
    items = [{"target": pair["id"], "title": pair["first"][:300], "body": pair["first"][300:], "same": pair["same"]}
             for pair in pairs]
    return documents, items


def document_text(document: dict) -> str:
    fields = document["fields"]
    parts = [fields["title"], fields.get("body", ""), *(fields.get(name, "") for name in
                                                       ("context", "options", "decision", "consequences"))]
    return "\n".join(part for part in parts if part)


def item_text(item: dict) -> str:
    return "\n".join(part for part in (item["title"], item["body"]) if part)


# --- metrics ---------------------------------------------------------------------------------------


def decision_quality(flags: list[tuple[bool, bool]]) -> dict[str, float]:
    """(flagged, labelled same) pairs -> precision, recall, F1."""
    tp = sum(1 for flagged, same in flags if flagged and same)
    fp = sum(1 for flagged, same in flags if flagged and not same)
    fn = sum(1 for flagged, same in flags if not flagged and same)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def best_threshold(scores: list[tuple[float, bool]]) -> tuple[float, dict[str, float]]:
    """The similarity threshold with the highest F1 (on a tie the higher one): what a threshold
    chosen on these very pairs could reach, an upper bound rather than a measurement."""
    grid = [round(0.05 * step, 2) for step in range(1, 20)]
    qualities = [(threshold, decision_quality([(score >= threshold, same) for score, same in scores]))
                 for threshold in grid]
    return max(qualities, key=lambda pair: (round(pair[1]["f1"], 9), pair[0]))


def ranking_quality(rankings: list[list[str]], items: list[dict]) -> dict[str, float]:
    """One relevant document per item: P@1, R@5, R@10, MRR@10 over the positives; P/R/F1 of
    "the labelled document is ranked first" over all items."""
    positives = [(ranked, item) for ranked, item in zip(rankings, items, strict=True) if item["same"]]

    def rank(ranked, item):
        return ranked.index(item["target"]) + 1 if item["target"] in ranked[:DEPTH] else None

    ranks = [rank(ranked, item) for ranked, item in positives]
    figures = {
        "p1": statistics.fmean(1.0 if found == 1 else 0.0 for found in ranks),
        "r5": statistics.fmean(1.0 if found and found <= 5 else 0.0 for found in ranks),
        "r10": statistics.fmean(1.0 if found else 0.0 for found in ranks),
        "mrr10": statistics.fmean(1 / found if found else 0.0 for found in ranks),
    }
    first = decision_quality([(bool(ranked) and ranked[0] == item["target"], item["same"])
                              for ranked, item in zip(rankings, items, strict=True)])
    figures.update({f"top1_{key}": value for key, value in first.items()})
    return figures


# --- Learnloop ---------------------------------------------------------------------------------------


def write_corpus(documents: list[dict], *, author) -> dict[int, str]:
    """The documents as entries everyone sees, bulk-inserted with their tags (this is setup, as in
    bench/search_quality.py), then indexed by `search.rebuild()`; {entry id: document id}."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from learnloop.knowledge import search
    from learnloop.knowledge.models import Entry, Tag

    now = timezone.now()
    with transaction.atomic():
        created = Entry.objects.bulk_create(
            Entry(**{key: value for key, value in document["fields"].items() if key != "tags"}, author=author,
                  status="accepted" if document["fields"]["kind"] == "decision" else "", owner_person=author,
                  visibility="everyone", review_due_at=now + timedelta(days=365), last_verified_at=now)
            for document in documents
        )
        names = {name for document in documents for name in document["fields"].get("tags", ())}
        tags = {name: Tag.objects.get_or_create(name=name)[0] for name in sorted(names)}
        Entry.tags.through.objects.bulk_create(
            Entry.tags.through(entry_id=entry.pk, tag_id=tags[name].pk)
            for entry, document in zip(created, documents, strict=True)
            for name in dict.fromkeys(document["fields"].get("tags", ()))
        )
    search.rebuild()
    return {entry.pk: document["id"] for entry, document in zip(created, documents, strict=True)}


def run_learnloop(items: list[dict], document_of: dict[int, str], *, reader, writer, drafts_team) -> dict:
    """The warning's flags, each new entry's related entries, and CPU time per call."""
    from learnloop.knowledge import search, services

    flags, rankings, scores, warning_ms, related_ms = [], [], [], [], []
    for item in items:
        started = time.process_time()
        warned = search.similar_entries(viewer=reader, title=item["title"], body=item["body"], limit=WARNING_LIMIT)
        warning_ms.append((time.process_time() - started) * 1000)
        flags.append((item["target"] in {document_of.get(entry.pk) for entry, _ in warned}, item["same"]))
        entry = services.create_entry(by=writer, kind="lesson" if item["body"] else "question", title=item["title"],
                                      body=item["body"], owner_team=drafts_team, visibility="team")
        started = time.process_time()
        related = search.related_entries(viewer=reader, entry=entry, limit=DEPTH, with_scores=True)
        related_ms.append((time.process_time() - started) * 1000)
        rankings.append([document_of.get(other.pk, "") for other, _ in related])
        # The labelled entry's similarity (0 when not among the first DEPTH), for the threshold sweep.
        scores.append((next((score for other, score in related if document_of.get(other.pk) == item["target"]), 0.0),
                       item["same"]))
    return {"flags": flags, "rankings": rankings, "scores": scores, "warning_ms_p50": statistics.median(warning_ms),
            "related_ms_p50": statistics.median(related_ms)}


def bench_people():
    """A corpus author, the reader, and the writer of the new texts in a team the reader is not in."""
    from learnloop.org.models import Person, Team

    author = Person.objects.create(email="author@bench.example", full_name="Author", password=UNUSABLE)
    reader = Person.objects.create(email="reader@bench.example", full_name="Reader", password=UNUSABLE)
    writer = Person.objects.create(email="writer@bench.example", full_name="Writer", password=UNUSABLE)
    drafts = Team.objects.create(name="Bench drafts", slug="bench-drafts")
    return author, reader, writer, drafts


def evaluate_demo() -> dict:
    """The demo pairs through Learnloop (Django set up, database migrated and empty): the
    warning's P/R/F1, related entries' ranking figures and grouping's P/R/F1."""
    author, reader, writer, drafts = bench_people()
    documents, items = demo_documents(), demo_items()
    document_of = write_corpus(documents, author=author)
    result = run_learnloop(items, document_of, reader=reader, writer=writer, drafts_team=drafts)
    return {"warning": decision_quality(result["flags"]), "related": ranking_quality(result["rankings"], items),
            "grouping": grouping_quality(documents, items)}


# --- the other systems ---------------------------------------------------------------------------


def grouping_quality(documents: list[dict], items: list[dict]) -> dict[str, float]:
    from learnloop.analytics.grouping import DEFAULT_THRESHOLD, similarity_matrix

    text_of = {document["id"]: document_text(document) for document in documents}
    flags = [(similarity_matrix([item_text(item), text_of[item["target"]]])[0][1] >= DEFAULT_THRESHOLD, item["same"])
             for item in items]
    return decision_quality(flags)


def run_bm25s(documents: list[dict], items: list[dict]) -> list[list[str]]:
    import bm25s
    import Stemmer

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    stemmer = Stemmer.Stemmer("english")
    tokens = bm25s.tokenize([document_text(document) for document in documents], stopwords="en", stemmer=stemmer,
                            show_progress=False, return_ids=False)
    model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    model.index(tokens, show_progress=False)
    vocabulary = model.vocab_dict
    rankings = []
    for item in items:
        found = bm25s.tokenize([item_text(item)], stopwords="en", stemmer=stemmer, show_progress=False,
                               return_ids=False)[0]
        terms = [term for term in found if term in vocabulary]
        if not terms:
            rankings.append([])
            continue
        results, scores = model.retrieve([terms], k=min(DEPTH, len(documents)), show_progress=False, n_threads=1)
        rankings.append([documents[int(doc)]["id"] for doc, score in zip(results[0], scores[0], strict=True)
                         if score > 0])
    return rankings


# --- the run -------------------------------------------------------------------------------------------


def setup_django(workdir: Path) -> None:
    os.environ.pop("SEARCH_BACKEND", None)
    os.environ.update(DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}", LEARNLOOP_DATA_DIR=str(workdir / "data"),
                      LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="learnloop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def reset_database() -> None:
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_MRPC_PAIRS} MRPC pairs: about a minute")
    parser.add_argument("--sets", default="demo,mrpc", help="comma-separated, of demo,mrpc")
    parser.add_argument("--mrpc-pairs", type=int, help="a seeded sample of this many MRPC pairs")
    parser.add_argument("--git-mirror", type=Path, help="a local git directory of the MRPC repository")
    args = parser.parse_args()
    names = args.sets.split(",")
    sample = args.mrpc_pairs or (QUICK_MRPC_PAIRS if args.quick else None)
    figures: dict[str, object] = {"quick": int(args.quick)}
    with tempfile.TemporaryDirectory(prefix="learnloop-related-") as temporary:
        setup_django(Path(temporary))
        from learnloop.knowledge import search
        from learnloop.knowledge.search.similarity import SIMILAR_THRESHOLD

        figures["similar_threshold"] = SIMILAR_THRESHOLD
        for name in names:
            reset_database()
            author, reader, writer, drafts = bench_people()
            if name == "demo":
                documents, items = demo_documents(), demo_items()
            elif name == "mrpc":
                documents, items = mrpc_set(args.git_mirror, sample=sample)
            else:
                raise SystemExit(f"unknown set {name!r}")
            started = time.perf_counter()
            positives = sum(1 for item in items if item["same"])
            print(f"\n== {name}: {len(documents):,} entries, {len(items)} labelled pairs "
                  f"({positives} same, {len(items) - positives} not)")
            document_of = write_corpus(documents, author=author)
            learnloop = run_learnloop(items, document_of, reader=reader, writer=writer, drafts_team=drafts)
            figures[f"{name}_backend"] = search.backend().name
            figures[f"{name}_pairs"] = len(items)
            figures[f"{name}_same"] = positives
            warning = decision_quality(learnloop["flags"])
            related = ranking_quality(learnloop["rankings"], items)
            grouping = grouping_quality(documents, items)
            baseline = ranking_quality(run_bm25s(documents, items), items)
            # What a warning that flags every pair would score: the floor a decision has to beat.
            everything = decision_quality([(True, item["same"]) for item in items])
            print(f"   {'decision':40} {'P':>6} {'R':>6} {'F1':>6}")
            for label, quality in (("learnloop warning (similar_entries)", warning),
                                   ("learnloop grouping (similarity_matrix)", grouping),
                                   ("learnloop related, ranked first", {key[5:]: value for key, value in related.items()
                                                                        if key.startswith("top1_")}),
                                   ("bm25s, ranked first", {key[5:]: value for key, value in baseline.items()
                                                            if key.startswith("top1_")}),
                                   ("flag every pair", everything)):
                print(f"   {label:40} {quality['precision']:>6.3f} {quality['recall']:>6.3f} {quality['f1']:>6.3f}")
            print(f"   {'ranking (positives)':40} {'P@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7}")
            for label, quality in (("learnloop related_entries", related), ("bm25s", baseline)):
                print(f"   {label:40} {quality['p1']:>6.3f} {quality['r5']:>6.3f} {quality['r10']:>6.3f}"
                      f" {quality['mrr10']:>7.3f}")
            for system, values in (("warning", warning), ("grouping", grouping), ("related", related),
                                   ("bm25s", baseline), ("everything", everything)):
                figures.update({f"{name}_{system}_{key}": round(value, 4) for key, value in values.items()})
            threshold, best = best_threshold(learnloop["scores"])
            print(f"   similarity threshold with the best F1 on these pairs: {threshold:.2f} (P {best['precision']:.3f}"
                  f" R {best['recall']:.3f} F1 {best['f1']:.3f}); the warning's is {SIMILAR_THRESHOLD}")
            figures[f"{name}_best_threshold"] = threshold
            figures.update({f"{name}_best_threshold_{key}": round(value, 4) for key, value in best.items()})
            figures[f"{name}_warning_cpu_p50_ms"] = round(learnloop["warning_ms_p50"], 2)
            figures[f"{name}_related_cpu_p50_ms"] = round(learnloop["related_ms_p50"], 2)
            figures[f"{name}_seconds"] = round(time.perf_counter() - started, 1)
            if name == "demo":
                for (flagged, same), item in zip(learnloop["flags"], items, strict=True):
                    if flagged != same:
                        verdict = "missed" if same else "false alarm"
                        print(f"   warning {verdict}: {item['title']!r} ~ {item['target']!r}")
                for ranked, item in zip(learnloop["rankings"], items, strict=True):
                    if item["same"] and ranked[:1] != [item["target"]]:
                        print(f"   related entries put {ranked[:1]!r} above {item['target']!r} for {item['title']!r}")
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
