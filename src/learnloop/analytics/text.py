"""Text analysis shared by search, highlighting and similarity.

One analyzer (Unicode words, lowercased, English stop words removed, Snowball English stems)
so that what is indexed, what is queried and what is highlighted agree.
"""

import html
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

# Words too common to say anything about a document. Kept short on purpose: "not", "no" and
# "why" carry meaning in lessons ("why the deploy failed", "do not retry").
_STOP_WORD_LIST = """a an and are as at be but by for from has have i if in into is it its of on or our so
    that the their then there these this to was we were will with you your"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
MAX_TOKEN_LENGTH = 40


_local = threading.local()


def _stemmer():
    # One per thread: a snowball stemmer keeps the word it is working on in itself, so two
    # threads sharing one (the server's threaded workers) corrupt each other's words and fail.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer  # on first use: a command that never searches doesn't load it

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def words(text: str) -> list[str]:
    """Lowercased words, apostrophes inside words removed ("team's" -> "teams")."""
    return [
        match.group(0).lower().replace("'", "").replace("’", "")
        for match in WORD.finditer(text or "")
        if len(match.group(0)) <= MAX_TOKEN_LENGTH
    ]


def analyze(text: str) -> list[str]:
    """The terms of a text, in order, as the search index stores them."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def query_terms(text: str, *, limit: int = 32) -> list[str]:
    """Distinct terms of a user's query, in order of first appearance, at most `limit`.

    Whatever the user typed (quotes, operators, brackets, emoji, 10,000 characters) only its
    words survive; nothing is ever interpreted as query syntax.
    """
    seen: dict[str, None] = {}
    for term in analyze(text[:20_000]):
        if term not in seen:
            seen[term] = None
            if len(seen) >= limit:
                break
    return list(seen)


# Compounds: "rollback" and "roll back", "runbook" and "run book", "on-call" and "oncall" are
# the same idea written two ways; a known-item search must not lose the entry over a space.
MIN_COMPOUND_PART = 3


def compound_splits(word: str) -> list[tuple[str, str]]:
    """The ways to read one word as two ("rollback" → ("roll", "back")), as stems, each part at
    least MIN_COMPOUND_PART letters and not a stop word. Which reading is real is for the index
    to say (both parts must occur in it)."""
    splits = []
    for cut in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
        left, right = word[:cut], word[cut:]
        if left not in STOP_WORDS and right not in STOP_WORDS:
            splits.append((stem(left), stem(right)))
    return splits


def compound_joins(text: str, *, limit: int = 32) -> list[tuple[str, str, str]]:
    """(first term, second term, joined term) for each pair of adjacent words of a query that
    could be one word ("roll back" → ("roll", "back", "rollback"))."""
    found = []
    kept = [word for word in words(text[:20_000]) if word not in STOP_WORDS][:limit]
    for first, second in pairwise(kept):
        if len(first) + len(second) <= MAX_TOKEN_LENGTH:
            found.append((stem(first), stem(second), stem(first + second)))
    return found


def bm25_idf(document_count: int, document_frequency: int) -> float:
    """Lucene's BM25 idf: always positive, larger for rarer terms."""
    return math.log(1 + (document_count - document_frequency + 0.5) / (document_frequency + 0.5))


def distinctive_terms(
    text: str, document_frequency: dict[str, int], document_count: int, *, limit: int = 20
) -> list[str]:
    """The terms that best characterise a text (tf × idf), for "more like this" searches."""
    counts = Counter(analyze(text))
    scored = [
        (count * bm25_idf(document_count, document_frequency.get(term, 0)), term)
        for term, count in counts.items()
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [term for _, term in scored[:limit]]


@dataclass(frozen=True)
class Weighted:
    term: str
    weight: float


def tfidf_vector(text: str, idf: dict[str, float]) -> dict[str, float]:
    """A sublinear tf × idf vector, L2-normalised (terms without an idf get the largest seen)."""
    counts = Counter(analyze(text))
    if not counts:
        return {}
    fallback = max(idf.values(), default=1.0)
    vector = {term: (1 + math.log(count)) * idf.get(term, fallback) for term, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine similarity of two normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(term, 0.0) for term, value in a.items())


def highlight(text: str, terms: Iterable[str], *, max_length: int = 240) -> str:
    """An HTML-escaped excerpt of `text` around the query terms, matches wrapped in <mark>.

    Safe to insert into a page as is: everything but the <mark> tags is escaped.
    """
    wanted = set(terms)
    text = " ".join((text or "").split())
    matches = [
        match for match in WORD.finditer(text)
        if stem(match.group(0).lower().replace("'", "").replace("’", "")) in wanted
    ]
    start = 0
    if matches and len(text) > max_length:
        # Start a little before the first match so the excerpt reads as a sentence.
        start = max(0, matches[0].start() - max_length // 4)
        space = text.rfind(" ", 0, start)
        start = space + 1 if space != -1 and start > 0 else start
    end = min(len(text), start + max_length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces, cursor = [], start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(html.escape(text[cursor:match.start()]))
        pieces.append(f"<mark>{html.escape(match.group(0))}</mark>")
        cursor = match.end()
    pieces.append(html.escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(pieces) + suffix
