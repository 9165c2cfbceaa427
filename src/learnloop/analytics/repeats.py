"""Actions that say the same thing: short titles compared by text. No Django.

An action title is a dozen words, so the comparison is the platform's tf-idf cosine (the one
card grouping and "similar entries" use, from analytics.text) with document frequencies taken
from the titles being compared: a word most of a team's actions use ("add", "team", "weekly")
says little about which of them repeat each other, a rare one ("flaky", "rota") says a lot.

A few spellings of one idea are folded before comparing (_aliases: "docs" and "document", "db"
and "database"), because action titles abbreviate where lessons spell out. The threshold was
chosen on labelled pairs (tests/analytics/action_repeat_pairs.yaml, bench/action_repeats.py);
the figures are in docs/actions.md.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

from learnloop.analytics.text import analyze, bm25_idf, cosine, stem

# Two titles whose similarity reaches this are reported as the same action (bench/action_repeats.py).
REPEAT_THRESHOLD = 0.6

# Words written two ways in action titles, folded to one term before comparing.
_ALIAS_WORDS = {
    "db": "database", "dbs": "database", "docs": "document", "doc": "document", "documentation": "document",
    "writeup": "document", "auto": "automatic", "automatically": "automatic", "automate": "automatic",
    "automated": "automatic", "weekly": "week", "fortnightly": "fortnight", "biweekly": "fortnight",
    "oncall": "call", "rotation": "rota", "playbook": "runbook", "alerting": "alert", "mins": "minute",
    "min": "minute", "prs": "pr", "retro": "retrospective", "retros": "retrospective",
}
@cache
def _aliases() -> dict[str, str]:
    # Built on first use: stemming loads the stemmer, which commands that never compare titles
    # must not pay for (tests/test_cli_imports.py).
    return {stem(word): stem(target) for word, target in _ALIAS_WORDS.items()}


def title_terms(title: str) -> list[str]:
    """The terms of a title as compared: the search analyzer's stems, aliases folded."""
    aliases = _aliases()
    return [aliases.get(term, term) for term in analyze(title)]


def title_idf(titles: list[str]) -> dict[str, float]:
    """Document frequencies from the titles themselves, as BM25 idf (always positive)."""
    frequency = Counter(term for title in titles for term in set(title_terms(title)))
    count = max(len(titles), 1)
    return {term: bm25_idf(count, min(df, count)) for term, df in frequency.items()}


def _vector(terms: list[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(terms)
    if not counts:
        return {}
    fallback = max(idf.values(), default=1.0)
    weights = {term: count * idf.get(term, fallback) for term, count in counts.items()}
    norm = sum(value * value for value in weights.values()) ** 0.5
    return {term: value / norm for term, value in weights.items()} if norm else {}


def vectors(titles: list[str], idf: dict[str, float] | None = None) -> list[dict[str, float]]:
    idf = title_idf(titles) if idf is None else idf
    return [_vector(title_terms(title), idf) for title in titles]


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    return round(min(1.0, max(0.0, cosine(a, b))), 4)


def similar_titles(
    title: str, candidates: list[str], *, threshold: float = REPEAT_THRESHOLD, limit: int | None = None
) -> list[tuple[int, float]]:
    """(index into candidates, similarity) of the candidates saying what `title` says, most
    similar first (ties: earlier index first). Document frequencies come from the candidates
    and the title together."""
    idf = title_idf([*candidates, title])
    mine = _vector(title_terms(title), idf)
    if not mine:
        return []
    found = []
    for index, other in enumerate(candidates):
        score = similarity(mine, _vector(title_terms(other), idf))
        if score >= threshold:
            found.append((index, score))
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return found[:limit] if limit is not None else found


@dataclass(frozen=True)
class Cluster:
    members: tuple[int, ...]  # indices into the titles given, in order


def similar_pairs(titles: list[str], *, threshold: float = REPEAT_THRESHOLD) -> list[tuple[int, int, float]]:
    """(i, j, similarity), i < j, for every pair reaching the threshold. Only pairs sharing a term
    are scored (a postings list per term), so a long list costs what its overlaps cost."""
    vecs = vectors(titles)
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vector in enumerate(vecs):
        for term in vector:
            postings[term].append(index)
    dots: dict[tuple[int, int], float] = defaultdict(float)
    for term, holders in postings.items():
        for position, i in enumerate(holders):
            weight = vecs[i][term]
            for j in holders[position + 1:]:
                dots[i, j] += weight * vecs[j][term]
    return sorted((i, j, round(min(1.0, dot), 4)) for (i, j), dot in dots.items() if dot >= threshold)


def repeat_clusters(
    titles: list[str], *, threshold: float = REPEAT_THRESHOLD, links: list[tuple[int, int]] = ()
) -> list[Cluster]:
    """Groups of two or more titles that say the same thing (similar pairs and explicit links,
    joined transitively), largest first, then by first member."""
    parent = list(range(len(titles)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    edges = [(i, j) for i, j, _ in similar_pairs(titles, threshold=threshold)] + list(links)
    for i, j in edges:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(titles)):
        groups[root(index)].append(index)
    clusters = [Cluster(tuple(members)) for members in groups.values() if len(members) > 1]
    clusters.sort(key=lambda cluster: (-len(cluster.members), cluster.members[0]))
    return clusters


# --- measuring the detector ---------------------------------------------------------------------


@dataclass(frozen=True)
class Quality:
    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else None

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def pair_scores(pairs: list[tuple[str, str, bool]]) -> list[tuple[float, bool]]:
    """(similarity, labelled same) per pair, document frequencies from every title in the set."""
    idf = title_idf([title for a, b, _ in pairs for title in (a, b)])
    return [
        (similarity(_vector(title_terms(a), idf), _vector(title_terms(b), idf)), same) for a, b, same in pairs
    ]


def quality_at(scores: list[tuple[float, bool]], threshold: float) -> Quality:
    tp = sum(1 for score, same in scores if same and score >= threshold)
    fp = sum(1 for score, same in scores if not same and score >= threshold)
    fn = sum(1 for score, same in scores if same and score < threshold)
    tn = sum(1 for score, same in scores if not same and score < threshold)
    return Quality(threshold, tp, fp, fn, tn)


def best_threshold(scores: list[tuple[float, bool]], grid: list[float]) -> Quality:
    """The threshold of `grid` with the highest F1; on a tie the higher one (fewer false alarms)."""
    return max((quality_at(scores, threshold) for threshold in grid), key=lambda q: (round(q.f1, 9), q.threshold))
