"""Theme grouping: quality on public labelled collections and speed at 100,000 texts (prints
figures; it is not a test).

    uv run python bench/insights.py                # StackOverflow + Tweet quality; 100,000 texts
    uv run python bench/insights.py --quick        # Tweet quality; 20,000 texts: under a minute
    uv run python bench/insights.py --git-mirror-stackoverflow DIR --git-mirror-tweet DIR

Quality. Two collections of short texts labelled by people, read at fixed commits from their
public GitHub repositories (raw.githubusercontent.com, or a local bare clone with the
--git-mirror options) and cached under .cache/insights-quality/; the data is never committed:
- StackOverflow titles (jacoxu/StackOverflow): 20,000 question titles, 20 tags.
- Tweet (junyachen/GSDMM): 2,472 tweets, 89 news stories.
Each collection goes through `learnloop.analytics.themes.group_themes` with its default settings
(it is never told how many themes there are) and through a standard baseline told the true
number: scikit-learn's TfidfVectorizer + KMeans (k = number of labels, 3 seeds, the mean shown).
Scores: NMI and ARI against the labels (scikit-learn's metrics).

Speed. 100,000 texts made from the StackOverflow titles (each a title with one word dropped, so
few are exact copies): CPU seconds to group them, peak memory, and the time to place one new text
into the model (median and 95th percentile of 200 placements).
"""

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SOURCES = {
    "stackoverflow": {
        "repository": "jacoxu/StackOverflow", "commit": "7c207f51e649fff9e4736610b9d44431bb7ccf00",
        "files": ["rawText/title_StackOverflow.txt", "rawText/label_StackOverflow.txt"],
    },
    "tweet": {
        "repository": "junyachen/GSDMM", "commit": "6a3e3c00e3d430acab446b71cd68aff3022a418f", "files": ["Tweet"],
    },
}


def _file(collection: str, path: str, mirror: Path | None) -> str:
    from bench_sources import pinned_file  # beside this script (tests load it by path)

    source = SOURCES[collection]
    data = pinned_file(source["repository"], source["commit"], path, cache="insights-quality", mirror=mirror)
    return data.decode("utf-8", errors="replace")


def load(collection: str, mirror: Path | None) -> tuple[list[str], list[int]]:
    if collection == "stackoverflow":
        titles = _file(collection, SOURCES[collection]["files"][0], mirror).splitlines()
        labels = [int(value) for value in _file(collection, SOURCES[collection]["files"][1], mirror).split()]
        return titles, labels
    rows = [json.loads(line) for line in _file(collection, "Tweet", mirror).splitlines() if line.strip()]
    return [row["text"] for row in rows], [row["cluster"] for row in rows]


def quality(collection: str, mirror: Path | None) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from learnloop.analytics.themes import group_themes

    texts, labels = load(collection, mirror)
    started = time.process_time()
    membership = group_themes(texts).membership
    seconds = time.process_time() - started
    features = TfidfVectorizer().fit_transform(texts)
    baseline = [KMeans(len(set(labels)), n_init=1, random_state=seed).fit_predict(features) for seed in range(3)]
    return {
        "texts": len(texts), "labels": len(set(labels)), "themes": len(set(membership)), "cpu_s": seconds,
        "nmi": normalized_mutual_info_score(labels, membership), "ari": adjusted_rand_score(labels, membership),
        "kmeans_nmi": statistics.mean(normalized_mutual_info_score(labels, found) for found in baseline),
        "kmeans_ari": statistics.mean(adjusted_rand_score(labels, found) for found in baseline),
    }


def placing(collection: str, mirror: Path | None) -> dict:
    """Incremental placing between regroupings, on a labelled collection: every text of 10 labels
    (stories the grouping never saw) and 10% of the others are held out (seed 5); the rest is
    grouped, then the held-out texts are placed one by one in a shuffled order. Scores: NMI of the
    placed texts against their labels, and for the unseen stories the share of placed pairs of the
    same story that ended in the same theme (pair recall): texts placed since the grouping must
    attract later ones for an unseen story to hold together."""
    from sklearn.metrics import normalized_mutual_info_score

    from learnloop.analytics.themes import group_themes

    texts, labels = load(collection, mirror)
    rng = random.Random(5)
    unseen = set(rng.sample(sorted(set(labels)), 10))
    held = [index for index in range(len(texts)) if labels[index] in unseen or rng.random() < 0.1]
    held_set = set(held)
    rng.shuffle(held)
    model = group_themes([text for index, text in enumerate(texts) if index not in held_set])
    placed = {index: model.add(texts[index]) for index in held}
    new = [index for index in held if labels[index] in unseen]
    pairs = [(first, second) for position, first in enumerate(new) for second in new[position + 1:]
             if labels[first] == labels[second]]
    together = sum(placed[first] == placed[second] for first, second in pairs)
    return {"placed": len(held), "unseen_texts": len(new),
            "nmi": normalized_mutual_info_score([labels[index] for index in held], [placed[index] for index in held]),
            "unseen_pair_recall": together / len(pairs) if pairs else 0.0}


def speed(count: int, mirror: Path | None) -> dict:
    from learnloop.analytics.themes import group_themes

    titles, _ = load("stackoverflow", mirror)
    rng = random.Random(3)
    texts = []
    while len(texts) < count:
        words = rng.choice(titles).split()
        if len(words) > 3:
            words.pop(rng.randrange(len(words)))
        texts.append(" ".join(words))
    started = time.process_time()
    model = group_themes(texts)
    grouping = time.process_time() - started
    placements = []
    for _ in range(200):
        text = rng.choice(titles)
        started = time.perf_counter()
        model.add(text)
        placements.append((time.perf_counter() - started) * 1000)
    placements.sort()
    return {"texts": count, "cpu_s": grouping, "themes": len(set(model.membership)),
            "add_ms_median": statistics.median(placements), "add_ms_p95": placements[int(0.95 * len(placements))],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Tweet quality and 20,000 texts")
    parser.add_argument("--texts", type=int, help="texts in the speed run (default 100,000; --quick 20,000)")
    parser.add_argument("--git-mirror-stackoverflow", type=Path, metavar="DIR")
    parser.add_argument("--git-mirror-tweet", type=Path, metavar="DIR")
    options = parser.parse_args()
    mirrors = {"stackoverflow": options.git_mirror_stackoverflow, "tweet": options.git_mirror_tweet}
    figures = {}
    for collection in (["tweet"] if options.quick else ["tweet", "stackoverflow"]):
        result = quality(collection, mirrors[collection])
        print(f"{collection}: {result['texts']} texts, {result['labels']} labels -> {result['themes']} themes "
              f"in {result['cpu_s']:.1f} s CPU; NMI {result['nmi']:.3f} ARI {result['ari']:.3f}; "
              f"baseline k-means (k={result['labels']}) NMI {result['kmeans_nmi']:.3f} ARI {result['kmeans_ari']:.3f}")
        for key in ("nmi", "ari", "kmeans_nmi", "kmeans_ari"):
            figures[f"{collection}_{key}"] = f"{result[key]:.3f}"
    result = placing("tweet", mirrors["tweet"])
    print(f"placing: {result['placed']} Tweet texts placed one by one after grouping the rest "
          f"({result['unseen_texts']} of 10 stories the grouping never saw): NMI {result['nmi']:.3f}; "
          f"unseen stories' same-story pairs in one theme: {result['unseen_pair_recall']:.3f}")
    figures.update(placed_nmi=f"{result['nmi']:.3f}", unseen_pair_recall=f"{result['unseen_pair_recall']:.3f}")
    count = options.texts or (20_000 if options.quick else 100_000)
    result = speed(count, mirrors["stackoverflow"])
    print(f"speed: {result['texts']} texts grouped in {result['cpu_s']:.1f} s CPU into {result['themes']} themes; "
          f"placing one text: median {result['add_ms_median']:.1f} ms, p95 {result['add_ms_p95']:.1f} ms; "
          f"peak {result['peak_mb']:.0f} MB")
    figures.update(texts=count, group_cpu_s=f"{result['cpu_s']:.1f}", add_ms_median=f"{result['add_ms_median']:.1f}",
                   add_ms_p95=f"{result['add_ms_p95']:.1f}", peak_mb=f"{result['peak_mb']:.0f}")
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
