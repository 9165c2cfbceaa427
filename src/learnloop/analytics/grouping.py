"""Suggesting groups of similar cards: texts in, clusters of indices out. No Django.

Cards are compared by tf-idf cosine similarity, with document frequencies taken from the cards
themselves (a word every card uses says nothing about which belong together). Two cards whose
similarity reaches the threshold are linked; the suggestions are the connected components of
two or more cards, largest first.
"""

from collections import Counter
from dataclasses import dataclass

from learnloop.analytics.text import analyze, bm25_idf, cosine, tfidf_vector

DEFAULT_THRESHOLD = 0.3
# Pseudo-cards that share no word with the real ones, added to the document count. With the
# cards' own frequencies alone, a word two cards of a two-card session share counts as common
# (idf 0.18 against 0.69 for a word only one uses), so near-duplicates in small sessions were
# never suggested. Measured on tests/analytics/data/retro_card_pairs.csv (30 near-duplicate and
# 30 unrelated pairs, each in a session of 2/4/8/16 cards): see tests/analytics/test_grouping.py.
BACKGROUND_CARDS = 20


@dataclass(frozen=True)
class Suggestion:
    members: tuple[int, ...]  # indices into the texts given
    shared_terms: tuple[str, ...]  # stems most of the members use, as a hint for a title


def similarity_matrix(texts: list[str], *, background: int = BACKGROUND_CARDS) -> list[list[float]]:
    document_frequency = Counter(term for text in texts for term in set(analyze(text)))
    count = len(texts) + background
    idf = {term: bm25_idf(count, df) for term, df in document_frequency.items()}
    vectors = [tfidf_vector(text, idf) for text in texts]
    return [[cosine(a, b) if i != j else 1.0 for j, b in enumerate(vectors)] for i, a in enumerate(vectors)]


def suggest_groups(texts: list[str], *, threshold: float = DEFAULT_THRESHOLD,
                   background: int = BACKGROUND_CARDS) -> list[Suggestion]:
    similarities = similarity_matrix(texts, background=background)
    parent = list(range(len(texts)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if similarities[i][j] >= threshold:
                parent[root(j)] = root(i)
    components: dict[int, list[int]] = {}
    for index in range(len(texts)):
        components.setdefault(root(index), []).append(index)
    suggestions = []
    for members in components.values():
        if len(members) < 2:
            continue
        usage = Counter(term for index in members for term in set(analyze(texts[index])))
        shared = tuple(term for term, uses in usage.most_common(3) if uses >= 2)
        suggestions.append(Suggestion(members=tuple(members), shared_terms=shared))
    suggestions.sort(key=lambda suggestion: (-len(suggestion.members), suggestion.members))
    return suggestions
