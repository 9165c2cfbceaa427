"""How knowledge search orders what it finds: pure functions, no Django.

Text relevance is the base score, computed by both search backends from the same analyzed
terms (`learnloop.analytics.text.analyze`):

* BM25 (Lucene's flavour: k1 = 1.2, b = 0.75, idf = ln(1 + (N − df + 0.5) / (df + 0.5))) over
  one field holding the whole entry with its title's terms counted FIELD_WEIGHTS["title"]
  times (BM25F with integer weights), lengths rounded as `norm_length` does, plus PRESENCE ×
  idf for every matched term; a term the query repeats counts once per repetition (up to
  analytics.text.QUERY_TERM_REPEATS). PRESENCE is
  0: a bonus of 1 × idf per matched term (a softer coordination, which lifted the generated
  known-item benchmark by 0.005 MRR@10) cost 0.013–0.026 MAP on CISI, Cranfield and MEDLINE
  (bench/search_quality.py), so it is off; the machinery stays so it can be measured again.

`term_weight` is one term's part of that text relevance. The backends retrieve the best
`window` entries by text relevance exactly; `rank_score` then orders that window:

    score = relevance × freshness × reuse

and the first analytics.proximity.DEPTH of them are ordered again with a proximity bonus (the
query's words standing close together) added to their relevance (analytics/proximity.py).

Both factors are bounded adjustments, so they reorder near-equals and never override a
clearly better text match (except obsolete, on purpose: see below):

* freshness: fresh 1.0 ≥ due for review 0.98 > stale 0.92 ≫ obsolete 0.3. Obsolete entries
  stay findable (they match as well as ever) but sink below live ones of comparable
  relevance.
* reuse: applications count with diminishing returns, +3% at most (at 100 applications):
  enough to order near-equals, never enough to beat clearly better text relevance.

What was removed, and why. Until 2026-12 an entry matching more of the query's words always
ranked first ("coordination" before relevance). On public collections with human judgments
(bench/search_quality.py: CISI, Cranfield, MEDLINE) that rule cost 0.02–0.05 MAP on each
(CISI 0.085 → 0.107, Cranfield 0.218 → 0.272, MEDLINE 0.452 → 0.508; docs/knowledge.md).
It favours long entries, which contain more words of a long query by chance, over the short
entry that is about the query. BM25's idf already weighs a matched rare word over several
common ones.

Browse mode (no query) orders by freshness state, then applications, then recency.
"""

import math
from datetime import datetime, timedelta

from learnloop.analytics.text import bm25_idf

__all__ = [
    "BM25_B",
    "BM25_K1",
    "FIELD_WEIGHTS",
    "PRESENCE",
    "STATES",
    "bm25_idf",
    "bm25_weight",
    "freshness_state",
    "norm_length",
    "prior",
    "rank_score",
    "reuse_factor",
    "term_upper_bound",
    "term_weight",
]

# BM25 parameters, as Lucene and Tantivy use them (Tantivy's are fixed at these values).
BM25_K1 = 1.2
BM25_B = 0.75

# The freshness states of an entry, best first.
FRESH, DUE, STALE, OBSOLETE = "fresh", "due", "stale", "obsolete"
STATES = (FRESH, DUE, STALE, OBSOLETE)
FRESHNESS_FACTOR = {FRESH: 1.0, DUE: 0.98, STALE: 0.92, OBSOLETE: 0.3}
REUSE_BOOST = 0.03
PRESENCE = 0.0
REUSE_SATURATION = 100

# Field weights (BM25F with integer weights): a term in the title counts as that many
# occurrences, and the title's length counts that many times in the entry's length, so one
# saturation curve covers the whole entry (a term cannot score more by appearing in both).
# Both backends get this by indexing the title's terms `title` times; measured in
# bench/search_quality.py (docs/knowledge.md, "Measured ranking quality").
FIELD_WEIGHTS = {"title": 2, "tags": 1}

# Lengths are kept on one byte's log scale, as Lucene and Tantivy store them (fieldnorms): exact
# up to 39 terms, then within 1/8 (a 4-bit mantissa). The PostgreSQL backend stores the same
# rounded length, so both backends compute the same BM25 for long entries too.
_EXACT_LENGTHS = 24


def _int4_to_long(code: int) -> int:
    bits, shift = code & 0x07, (code >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


def _long_to_int4(value: int) -> int:
    width = value.bit_length()
    if width < 4:
        return value
    shift = width - 4
    return ((value >> shift) & 0x07) | ((shift + 1) << 3)


_NORM_TABLE = tuple(
    code if code < _EXACT_LENGTHS else _EXACT_LENGTHS + _int4_to_long(code - _EXACT_LENGTHS) for code in range(256)
)


def norm_length(length: int) -> int:
    """The length BM25 normalises by: the largest value of the one-byte scale not above it."""
    length = max(0, int(length))
    if length < _EXACT_LENGTHS:
        return length
    code = _EXACT_LENGTHS + _long_to_int4(length - _EXACT_LENGTHS)
    return _NORM_TABLE[min(code, 255)]


def bm25_weight(idf: float, tf: int, length: int, average_length: float) -> float:
    """One term's BM25 contribution to one document."""
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / (average_length or 1.0))
    return idf * tf * (BM25_K1 + 1) / (tf + norm)


def term_weight(idf: float, tf: int, length: int, average_length: float) -> float:
    """One matched term's part of an entry's text relevance: BM25 plus PRESENCE × idf."""
    return PRESENCE * idf + bm25_weight(idf, tf, length, average_length)


def term_upper_bound(idf: float) -> float:
    """No document gets more from one term than this (tf → ∞)."""
    return idf * (PRESENCE + BM25_K1 + 1)


def freshness_state(*, review_due_at: datetime, obsolete_at: datetime | None, now: datetime,
                    stale_after_due: timedelta) -> str:
    """fresh / due / stale / obsolete, as knowledge.Entry.freshness defines them."""
    if obsolete_at is not None:
        return OBSOLETE
    if now < review_due_at:
        return FRESH
    if now < review_due_at + stale_after_due:
        return DUE
    return STALE


def reuse_factor(applications: int) -> float:
    """1.0 for an entry nobody applied, up to 1 + REUSE_BOOST, with diminishing returns."""
    applications = max(0, applications or 0)
    return 1.0 + REUSE_BOOST * min(1.0, math.log1p(applications) / math.log1p(REUSE_SATURATION))


def prior(state: str, applications: int) -> float:
    return FRESHNESS_FACTOR.get(state, 1.0) * reuse_factor(applications)


def rank_score(*, relevance: float, state: str, applications: int) -> float:
    """The score a search hit is ordered by (see the module docstring)."""
    return max(0.0, relevance) * prior(state, applications)

