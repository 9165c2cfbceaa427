"""Grouping texts into themes: a nearest-neighbour graph of cosine similarities, cut into
communities by the Leiden algorithm (igraph), each labelled by its most distinctive features.

Why a graph and not k-means: nobody knows in advance how many themes a year of retros holds, and
most texts belong to no theme at all. A text links to its few most similar texts (at least
`floor` alike); Leiden then finds the groups that hang together more than chance would give,
however many there are, and a text alike to nothing stays on its own.

Why incremental placement works: the vocabulary and its idf are frozen when the model is built;
a new text is vectorised with them, compared with every grouped text in one sparse product, and
joins the theme its nearest neighbours vote for (weighted by similarity), or starts a new one.
Regrouping from scratch (a nightly job) folds new words into the vocabulary.
"""

import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from learnloop.analytics.themes.features import Vocabulary, analyse, build_vocabulary

FOLD_AFTER = 256  # texts placed one by one before they join the column index


@dataclass(frozen=True)
class ThemeSettings:
    neighbours: int = 12  # edges kept per text: enough to bridge paraphrases, few enough to stay local
    floor: float = 0.1  # cosine below which two texts are not linked at all
    resolution: float = 1.0  # Leiden's modularity resolution: higher gives more, smaller themes
    common_share: float = 0.05  # features in more texts than this share are skipped when finding neighbours
    seed: int = 1
    label_terms: int = 3
    iterations: int = -1  # Leiden passes; -1: until no node moves


@dataclass
class Theme:
    number: int
    members: list[int]  # indices into the texts given (or added)
    label: str
    terms: list[str] = field(default_factory=list)


def _neighbour_edges(matrix: sparse.csr_matrix, settings: ThemeSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The `neighbours` most similar texts of each text (cosine ≥ floor), as (source, target, weight).

    Features used by more than `common_share` of the texts are left out of the product: they add
    little to any cosine (their idf is small) but make every text a candidate neighbour of
    thousands, which is what makes an all-pairs product quadratic.
    """
    count = matrix.shape[0]
    used_by = np.bincount(matrix.indices, minlength=matrix.shape[1])
    common = used_by > max(50, settings.common_share * count)
    searchable = sparse.csr_matrix(matrix @ sparse.diags((~common).astype(float))) if common.any() else matrix
    searchable.eliminate_zeros()
    transposed = searchable.T.tocsr()
    rows_per_block = 2000
    sources, targets, weights = [], [], []
    for start in range(0, count, rows_per_block):
        block = (searchable[start:start + rows_per_block] @ transposed).tocsr()
        # Only the entries alike enough (about a tenth), then their rows, and never a text itself.
        # Changing the sparse block in place (setdiag, eliminate_zeros) or giving every entry its
        # row first cost as much as the product: about 5,500 entries per row at 100,000 texts.
        positions = np.flatnonzero(block.data >= settings.floor)
        rows = np.searchsorted(block.indptr, positions, side="right") - 1
        columns, data = block.indices[positions], block.data[positions]
        other = columns != rows + start
        rows, columns, data = rows[other], columns[other], data[other]
        # Best first within each row, then the first `neighbours` of every row: the same order as
        # np.lexsort((-data, rows)), from two stable sorts (the second on integers) that are faster.
        order = np.argsort(-data, kind="stable")
        order = order[np.argsort(rows[order], kind="stable")]
        per_row = np.bincount(rows, minlength=block.shape[0])
        first_of_row = np.cumsum(per_row) - per_row
        keep = order[np.arange(len(order)) - first_of_row[rows[order]] < settings.neighbours]
        sources.append(rows[keep] + start)
        targets.append(columns[keep])
        weights.append(data[keep])
    if not sources:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    return np.concatenate(sources), np.concatenate(targets), np.concatenate(weights)


def _communities(count: int, edges, settings: ThemeSettings) -> list[int]:
    import igraph  # on first use: the CLI's --help and the web pages that never group don't load it

    sources, targets, weights = edges
    graph = igraph.Graph(n=count, edges=np.column_stack([sources, targets]).tolist(), edge_attrs={"weight": weights})
    graph.simplify(combine_edges="max")  # a pair found from both ends is one link
    # Leiden starts from random node orders; a seeded generator makes the same texts give the same themes.
    igraph.set_random_number_generator(random.Random(settings.seed))  # noqa: S311 (not a secret)
    try:
        clustering = graph.community_leiden(objective_function="modularity", weights="weight",
                                            resolution=settings.resolution, n_iterations=settings.iterations)
    finally:
        igraph.set_random_number_generator(random)
    return list(clustering.membership)


def _label(matrix: sparse.csr_matrix, members: list[int], features: list[str], overall_share: np.ndarray,
           vocabulary: Vocabulary, settings: ThemeSettings) -> tuple[str, list[str]]:
    """The features that set the members apart: share among the members × log(that share / share
    overall), so a word every title uses ("how", "get") loses to the words this theme is about."""
    if len(members) < 2 or matrix.shape[1] == 0:
        return "", []
    share = np.asarray((matrix[members] > 0).sum(axis=0)).ravel() / len(members)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(share > 0, share * np.log(share / overall_share), 0.0)
    score[share * len(members) < 2] = 0  # a feature of one member says nothing about the group
    order = [column for column in np.argsort(-score, kind="stable") if score[column] > 0]
    chosen: list[str] = []
    for column in order:
        feature = features[column]
        # A pair already says what its words say: skip a word inside a chosen pair and vice versa.
        if any(set(feature.split(" ")) & set(taken.split(" ")) for taken in chosen):
            continue
        chosen.append(feature)
        if len(chosen) == settings.label_terms:
            break
    readable = [vocabulary.readable(feature) for feature in chosen]
    return " · ".join(readable), readable


class ThemeModel:
    """Themes of a collection, able to place new texts without regrouping."""

    def __init__(self, vocabulary: Vocabulary, matrix: sparse.csr_matrix, membership: list[int],
                 settings: ThemeSettings):
        self.vocabulary, self.settings = vocabulary, settings
        self._grouped = matrix
        # By feature, so placing a text reads only the columns of its own features.
        self._grouped_by_feature = matrix.tocsc()
        self._added: list[sparse.csr_matrix] = []
        self._membership = list(membership)
        self._features = sorted(vocabulary.index, key=vocabulary.index.__getitem__)
        self._next_theme = max(membership, default=-1) + 1
        # Words the vocabulary does not know, by text added since the grouping: two added texts
        # sharing such words can still find each other (see `add`).
        self._new_features: dict[int, frozenset[str]] = {}  # added text index -> all its features
        self._new_postings: dict[str, list[int]] = {}  # unknown feature -> added texts using it

    def reserve_numbers_below(self, number: int) -> None:
        """New themes get numbers from `number` up (a caller's ids below it are taken)."""
        self._next_theme = max(self._next_theme, number)

    @property
    def size(self) -> int:
        return len(self._membership)

    @property
    def membership(self) -> list[int]:
        return list(self._membership)

    @property
    def matrix(self) -> sparse.csr_matrix:
        """Every text's tf-idf row (grouped and added), for storing the model between processes."""
        return self._all_rows()

    def _similarities(self, vector: sparse.csr_matrix) -> np.ndarray:
        columns, weights = vector.indices, vector.data
        grouped = self._grouped_by_feature[:, columns] @ weights if len(columns) else np.zeros(self._grouped.shape[0])
        if not self._added:
            return np.asarray(grouped).ravel()
        added = sparse.vstack(self._added) @ vector.T
        return np.concatenate([np.asarray(grouped).ravel(), added.toarray().ravel()])

    def _new_word_similarities(self, analysed, unknown: frozenset[str]) -> dict[int, float]:
        """Cosine with the added texts that share an unknown word with this one, over the known
        features and the unknown ones at least two added texts use (this one included); idf of an
        unknown feature from the texts seen so far, like the vocabulary's."""
        others = {index for feature in unknown for index in self._new_postings.get(feature, ())}
        if not others:
            return {}
        count = self.vocabulary.document_count + len(self._new_features) + 1

        def weights(features: frozenset[str]) -> dict[str, float]:
            found = {}
            for feature in features:
                column = self.vocabulary.index.get(feature)
                if column is not None:
                    found[feature] = float(self.vocabulary.idf[column])
                else:
                    used = len(self._new_postings.get(feature, ())) + (feature in unknown)
                    if used >= 2:
                        found[feature] = float(np.log((1 + count) / (1 + used)) + 1)
            return found

        mine = weights(analysed.features)
        mine_norm = np.sqrt(sum(value * value for value in mine.values()))
        found = {}
        for index in others:
            theirs = weights(self._new_features[index])
            shared = sum(mine[feature] * theirs[feature] for feature in mine.keys() & theirs.keys())
            norm = mine_norm * np.sqrt(sum(value * value for value in theirs.values()))
            if norm:
                found[index] = shared / norm
        return found

    def add(self, text: str, *, theme: int | None = None) -> int:
        """Place one text; returns its theme number (a new number when nothing is alike enough).

        Texts added since the grouping count as neighbours too, through the known features and
        through words the vocabulary never saw: the first text about something new starts a
        theme, and later ones using its new words join it. `theme=` records a text already
        placed (say, in another process) in that theme without voting."""
        analysed = analyse(text)
        vector = self.vocabulary.vectorize([analysed])
        unknown = frozenset(feature for feature in analysed.features if feature not in self.vocabulary.index)
        if theme is not None:
            self._remember(vector, analysed.features, unknown, theme)
            return theme
        similarities = self._similarities(vector)
        for index, similarity in self._new_word_similarities(analysed, unknown).items():
            similarities[index] = max(similarities[index], similarity)
        candidates = np.flatnonzero(similarities >= self.settings.floor)
        if len(candidates):
            if len(candidates) > self.settings.neighbours:
                nearest = np.argpartition(-similarities[candidates], self.settings.neighbours)
                candidates = candidates[nearest[: self.settings.neighbours]]
            votes: Counter = Counter()
            for index in candidates:
                votes[self._membership[index]] += float(similarities[index])
            theme = max(votes, key=lambda number: (votes[number], -number))
        else:
            theme = self._next_theme
        self._remember(vector, analysed.features, unknown, theme)
        return theme

    def _remember(self, vector: sparse.csr_matrix, features: frozenset[str], unknown: frozenset[str],
                  theme: int) -> None:
        index = len(self._membership)
        self._added.append(vector)
        self._membership.append(theme)
        self._next_theme = max(self._next_theme, theme + 1)
        self._new_features[index] = features
        for feature in unknown:
            self._new_postings.setdefault(feature, []).append(index)
        if len(self._added) >= FOLD_AFTER:  # keep placing cheap: the stacked rows grow with every text
            self._grouped = self._all_rows()
            self._grouped_by_feature = self._grouped.tocsc()
            self._added = []

    def _all_rows(self) -> sparse.csr_matrix:
        if not self._added:
            return self._grouped
        return sparse.csr_matrix(sparse.vstack([self._grouped, *self._added]))

    def themes(self, *, min_size: int = 1) -> list[Theme]:
        """Themes largest first (ties by first member); `min_size=2` leaves out texts alike to nothing."""
        grouped: dict[int, list[int]] = {}
        for index, number in enumerate(self._membership):
            grouped.setdefault(number, []).append(index)
        matrix = self._all_rows()
        overall_share = np.maximum(np.bincount(matrix.indices, minlength=matrix.shape[1]), 1) / max(self.size, 1)
        themes = []
        for number, members in grouped.items():
            if len(members) < min_size:
                continue
            label, terms = _label(matrix, members, self._features, overall_share, self.vocabulary, self.settings)
            themes.append(Theme(number=number, members=members, label=label, terms=terms))
        themes.sort(key=lambda theme: (-len(theme.members), theme.members[0]))
        return themes


def group_themes(texts: list[str], settings: ThemeSettings | None = None) -> ThemeModel:
    settings = settings or ThemeSettings()
    analysed = [analyse(text) for text in texts]
    vocabulary = build_vocabulary(analysed)
    matrix = vocabulary.vectorize(analysed)
    membership = _communities(len(texts), _neighbour_edges(matrix, settings), settings) if texts else []
    return ThemeModel(vocabulary, matrix, membership, settings)
