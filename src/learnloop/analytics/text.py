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


STEM_CACHE_SIZE = 200_000


def stem_uncached(word: str) -> str:
    return _stemmer().stemWord(word)


class _Stems(dict):
    """word → stem, filled on first use; forgets everything when full (an organization's
    vocabulary fits many times over; a flood of made-up words must not grow it without end).
    A plain dict lookup in C: a third cheaper per word than lru_cache's wrapper, and indexing
    stems every word of every entry."""

    def __missing__(self, word: str) -> str:
        if len(self) >= STEM_CACHE_SIZE:
            self.clear()
        result = self[word] = stem_uncached(word)
        return result


_stems = _Stems()
stem = _stems.__getitem__


def _words_one_by_one(text: str) -> list[str]:
    return [
        match.group(0).lower().replace("'", "").replace("’", "")
        for match in WORD.finditer(text)
        if len(match.group(0)) <= MAX_TOKEN_LENGTH
    ]


def words(text: str) -> list[str]:
    """Lowercased words, apostrophes inside words removed ("team's" -> "teams").

    The whole text is lowercased once and split by one findall (indexing spends most of its
    time here: twice as fast as lowercasing match by match). Where lowercasing changes
    the text's length ("İ" becomes two characters) word boundaries could move, so such texts
    take the match-by-match path."""
    text = text or ""
    lowered = text.lower()
    if len(lowered) != len(text):
        return _words_one_by_one(text)
    # The length limit counts the word as written, apostrophe included.
    found = [word for word in WORD.findall(lowered) if len(word) <= MAX_TOKEN_LENGTH]
    if "'" in lowered or "’" in lowered:
        return [word.replace("'", "").replace("’", "") for word in found]
    return found


# Identifiers (docs/knowledge.md, "Identifiers"): `__dir__`, `snake_case`, `os.path.join`, `C++`,
# `.NET` and `CamelCase` are searched whole and by their parts. The parts are the ordinary words
# of the text ("snake", "case"); IDENTIFIER finds the whole forms, kept lowercased and unstemmed
# as one term ("__dir__", "os.path.join", "c++", ".net"), and CAMEL the words a CamelCase name
# joins ("camel", "case"; the name itself is an ordinary word).
IDENTIFIERS = True
IDENTIFIER = re.compile(
    r"(?<![\w.+#])(?:"
    r"\.[^\W\d_]\w*(?:\.\w+)*(?:\+\+|#)?"  # .NET, .gitignore
    r"|\w*_\w*(?:\.\w+)*"  # __dir__, snake_case, __init__.py
    r"|\w+(?:\.\w+)+(?:\+\+|#)?"  # os.path.join, 3.14
    r"|\w+(?:\+\+|#)"  # C++, C#
    r")(?![\w+#]|\.\w)",
    re.UNICODE,
)
CAMEL = re.compile(r"(?<![\w])[^\W_]*(?:[a-z][A-Z]|[A-Z]{2}[a-z])[^\W_]*", re.UNICODE)
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_DOT_WORD = re.compile(r"\.\w")
# The same test as CAMEL's, starting at the (rare) capital letter: re skips to capitals fast.
_CAMEL_HINT = re.compile(r"[A-Z](?:(?<=[a-z][A-Z])|[A-Z][a-z])")


def identifier_terms(text: str) -> list[str]:
    """The whole forms of the identifiers in a text and the words of its CamelCase names."""
    found = []
    text = text or ""
    # Cheap checks first (most texts have none): the full patterns only run on texts that may
    # hold an identifier, which keeps indexing fast.
    if "_" in text or "+" in text or "#" in text or _DOT_WORD.search(text):
        for match in IDENTIFIER.finditer(text):
            token = match.group(0).lower()
            if len(token) <= MAX_TOKEN_LENGTH and any(character.isalnum() for character in token):
                found.append(token)
    if not _CAMEL_HINT.search(text):
        return found
    for match in CAMEL.finditer(text):
        name = match.group(0)
        if len(name) <= MAX_TOKEN_LENGTH:
            found.extend(
                stem(part) for part in (piece.lower() for piece in _CAMEL_PART.findall(name))
                if part not in STOP_WORDS
            )
    return found


# Abbreviations written as single letters with dots ("U.S.A.", "H.C.") are one word, the
# letters joined ("usa", "hc"); "e.g." and "i.e." say nothing and are dropped. Read as single
# letters they matched every "e", "g" or "s" in the index, rare and so weighty enough to put
# unrelated entries first. Measured on the judged collections (bench/search_quality.py,
# docs/knowledge.md): CISI MRR@10 +0.02, CACM +0.01, the others unchanged.
ABBREVIATIONS = True
ABBREVIATION = re.compile(r"(?<![\w.])(?:[^\W\d_]\.){2,}(?!\w)", re.UNICODE)
# Starts with a literal dot, which re finds by a fast scan: the full pattern, tried at every
# position, would cost a third of the analyzer's time on texts that hold no abbreviation.
_ABBREVIATION_HINT = re.compile(r"\.[^\W\d_]\.", re.UNICODE)
_CONNECTIVES = frozenset({"eg", "ie"})


def _abbreviation(match: re.Match) -> str:
    joined = match.group(0).replace(".", "")
    return " " if joined.lower() in _CONNECTIVES else joined


def join_abbreviations(text: str) -> str:
    """The text with each dotted abbreviation written as one word (see ABBREVIATION)."""
    if not ABBREVIATIONS or not _ABBREVIATION_HINT.search(text):
        return text
    return ABBREVIATION.sub(_abbreviation, text)


def analyze(text: str) -> list[str]:
    """The terms of a text as the search index stores them: its words' stems in order, then the
    identifiers' whole forms and CamelCase parts (identifier_terms)."""
    text = join_abbreviations(text or "")
    lowered = text.lower()
    if len(lowered) == len(text) and "'" not in lowered and "’" not in lowered:
        # words()'s fast path with the stop words and the length limit in the same pass (the
        # commonest case, and a rebuild analyzes every entry).
        kept = [word for word in WORD.findall(lowered) if word not in STOP_WORDS and len(word) <= MAX_TOKEN_LENGTH]
    else:
        kept = [word for word in words(text) if word not in STOP_WORDS]
    terms = list(map(stem, kept))
    if IDENTIFIERS:
        terms.extend(identifier_terms(text))
    return terms


def weighted_terms(title: str, rest: str, tags: str, weights: dict[str, int]) -> list[str]:
    """The indexed terms of a document whose text is `title`, a line break, then `rest` (which
    holds the tags' text too): the title's terms counted weights["title"] times and the tags'
    weights["tags"] times (BM25F with integer weights). Term order means nothing to the indexes
    (frequencies only), and no word or identifier runs across a line break, so each part is
    analyzed once and repeated."""
    terms = analyze(title) * weights["title"] if title else []
    terms.extend(analyze(rest))
    extra_tags = weights["tags"] - 1
    if extra_tags > 0 and tags:
        terms.extend(analyze(tags) * extra_tags)
    return terms


# Distinct terms of one query that are searched for. Measured on CISI's long queries
# (bench/search_quality.py, docs/knowledge.md): see there for why this number.
QUERY_TERM_LIMIT = 32
# How many times a term repeated in a query counts (query term frequency, capped: a pasted text
# repeating one word must not make a query of hundreds of clauses). See knowledge/search/query.py.
QUERY_TERM_REPEATS = 3


def query_terms(text: str, *, limit: int | None = None) -> list[str]:
    """Distinct terms of a user's query, in order of first appearance, at most `limit`
    (QUERY_TERM_LIMIT by default).

    Whatever the user typed (quotes, operators, brackets, emoji, 10,000 characters) only its
    words survive; nothing is ever interpreted as query syntax.
    """
    limit = QUERY_TERM_LIMIT if limit is None else limit
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


_HYPHENS = frozenset("-‐‑")


def compound_joins(text: str, *, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(first term, second term, joined term) for each pair of adjacent words of a query that
    could be one word ("roll back" → ("roll", "back", "rollback")): both words at least
    MIN_COMPOUND_PART letters, or written with a hyphen between them ("re-entry")."""
    text = text[:20_000]
    limit = QUERY_TERM_LIMIT if limit is None else limit
    kept = []  # (word, start, end) of the words that are no stop words
    for match in WORD.finditer(text):
        word = match.group(0).lower().replace("'", "").replace("’", "")
        if len(match.group(0)) <= MAX_TOKEN_LENGTH and word not in STOP_WORDS:
            kept.append((word, match.start(), match.end()))
            if len(kept) >= limit:
                break
    found = []
    for (first, _, first_end), (second, second_start, _) in pairwise(kept):
        # A short word next to another is an abbreviation or a letter ("Robot OS", "no C"), not
        # half of a compound: joining them found unrelated words ("roboto", "noc"). Unless it
        # was written joined ("re-entry", "co-ordinate": Cranfield's queries).
        hyphenated = text[first_end:second_start] in _HYPHENS
        long_enough = min(len(first), len(second)) >= MIN_COMPOUND_PART
        if (long_enough or hyphenated) and len(first) + len(second) <= MAX_TOKEN_LENGTH:
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


# Highlighting never analyses a whole text: a regular expression finds candidate words (those
# starting like a wanted stem) at C speed, only they are stemmed, and only a bounded window around
# the first match is cleaned, escaped and marked. A 50 KB body costs a scan up to its first match
# more than a short one (docs/knowledge.md has the figures), not an analysis of the whole text.
SCAN_LIMIT = 200_000  # characters of one text searched for its first match
# Occurrences of a wanted stem's prefix looked at before giving up on it: a very short stem
# ("er") occurs inside thousands of words of a long text that are no match.
CANDIDATE_LIMIT = 300
_WORD_CHARS = r"[^\W_]"


def _stem_prefix(term: str) -> str:
    """A prefix of (almost) every word stemming to `term`: Snowball rewrites at most the last
    letter of what stays of a word ("possibility" → "possibl", "happy" → "happi"); a handful of
    irregular words ("dying" → "die") are not highlighted."""
    return term[: max(min(len(term), 3), len(term) - 1)]


@lru_cache(maxsize=2_000)
def _candidates(wanted: frozenset[str]) -> re.Pattern | None:
    prefixes = sorted({_stem_prefix(term) for term in wanted if term}, key=len, reverse=True)
    if not prefixes:
        return None
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes)
    return re.compile(
        rf"(?<!{_WORD_CHARS})(?:{alternatives}){_WORD_CHARS}*(?:['’]{_WORD_CHARS}+)?", re.IGNORECASE | re.UNICODE
    )


def _word_matches(text: str, wanted: frozenset[str], pattern: re.Pattern | None, end: int | None = None):
    """The words of `text` (up to `end`) whose stem is wanted, in order, lazily."""
    if pattern is None:
        return
    for match in pattern.finditer(text, 0, len(text) if end is None else end):
        word = match.group(0)
        if len(word) <= MAX_TOKEN_LENGTH and stem(word.lower().replace("'", "").replace("’", "")) in wanted:
            yield match


def _wanted_word_at(lowered: str, at: int, wanted: frozenset[str]) -> tuple[str | None, int]:
    """Whether a wanted word starts at `at` of a lowercased text: (its stem or None, where to
    look next)."""
    if at and WORD.match(lowered, at - 1):  # inside a word, not at its start
        return None, at + 1
    word = WORD.match(lowered, at)
    if word is None:
        return None, at + 1
    token = word.group(0)
    if "'" in token or "’" in token:
        token = token.replace("'", "").replace("’", "")
    if len(token) > MAX_TOKEN_LENGTH:
        return None, word.end()
    term = stem(token)
    return (term if term in wanted else None), word.end()


def word_positions(text: str, wanted: frozenset[str]) -> list[tuple[int, str]]:
    """(position, stem) of each word of `text` whose stem is wanted, in order. A position
    counts the spaces and line breaks before the word, which for prose is the number of words
    before it (stop words included). Search ranking calls this for 20 texts per query, so it
    works like _first_match_start: a plain substring search for each stem's prefix (memchr
    speed), a look at each occurrence, and spaces counted in C; the text's other words are
    never split or stemmed."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters lowercase to two: offsets would not line up
        return _word_positions_by_pattern(text, wanted)
    starts: dict[int, str] = {}
    for prefix in {_stem_prefix(term) for term in wanted if term}:
        at = lowered.find(prefix)
        while at != -1:
            term, after = _wanted_word_at(lowered, at, wanted)
            if term is not None:
                starts[at] = term
            at = lowered.find(prefix, after)
    return _positions(text, sorted(starts.items()))


def _word_positions_by_pattern(text: str, wanted: frozenset[str]) -> list[tuple[int, str]]:
    starts = [
        (match.start(), stem(match.group(0).lower().replace("'", "").replace("’", "")))
        for match in _word_matches(text, wanted, _candidates(wanted))
    ]
    return _positions(text, starts)


def _positions(text: str, starts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    position = cursor = 0
    count = text.count
    for start, term in starts:
        position += count(" ", cursor, start) + count("\n", cursor, start)
        cursor = start
        found.append((position, term))
    return found


# The first match is looked for block by block, every wanted prefix in one block before the next:
# in a long text one query word may first occur thousands of words in, or never, while another
# occurs in the opening lines, and a prefix that is nowhere costs a pass over all that is read.
# Blocks grow fourfold, so a text without a match costs a few more find() calls than one pass
# and lowercases what it has read again at each block (about 1.5× the text in all).
FIRST_SCAN_BLOCK = 4_096
# Read past a block's end, so a word starting in the block is seen whole: a longer one is no
# word (MAX_TOKEN_LENGTH) whether cut or not.
_WORD_MARGIN = 4 * MAX_TOKEN_LENGTH


@lru_cache(maxsize=2_000)
def _prefixes(wanted: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted({_stem_prefix(term) for term in wanted if term}))


def _first_match_start(text: str, wanted: frozenset[str], pattern: re.Pattern | None) -> int | None:
    """Where the first wanted word of `text` (its first SCAN_LIMIT characters) starts. Plain
    substring search for each stem's prefix (memchr speed), then a look at each occurrence that
    starts a word, stopping at the earliest verified one. At most CANDIDATE_LIMIT looks per
    prefix: a short one ("er") found inside hundreds of words gives up alone, and the query's
    other words are still looked for."""
    if pattern is None:
        return None
    head = text[:SCAN_LIMIT]
    prefixes = _prefixes(wanted)
    # Per prefix, where its occurrences are not yet looked at (None: it gave up), and its looks left.
    resume: list[int | None] = [0] * len(prefixes)
    looks = [CANDIDATE_LIMIT] * len(prefixes)
    end, block = 0, FIRST_SCAN_BLOCK
    while end < len(head):
        end, block = min(len(head), end + block), block * 4
        visible = head[: end + _WORD_MARGIN]
        lowered = visible.lower()
        if len(lowered) != len(visible):  # a few letters lowercase to two: offsets would not line up
            first = next(_word_matches(head, wanted, pattern), None)
            return first.start() if first else None
        best = None
        for index, prefix in enumerate(prefixes):
            after = resume[index]
            if after is None:
                continue
            # Occurrences starting before `stop`: the block's end, or an earlier match's start.
            stop = (end if best is None else best) + len(prefix) - 1
            position, left = lowered.find(prefix, after, stop), looks[index]
            while position != -1 and left:
                left -= 1
                term, after = _wanted_word_at(lowered, position, wanted)
                if term is not None:
                    best = position
                    break
                position = lowered.find(prefix, after, stop)
            looks[index] = left
            resume[index] = max(end, after) if left else None
        if best is not None:
            return best
        if not any(after is not None for after in resume):
            return None
    return None


def highlight(text: str, terms: Iterable[str], *, max_length: int = 240, clean=None) -> str:
    """An HTML-escaped excerpt of `text` around the query terms, matches wrapped in <mark>.

    Safe to insert into a page as is: everything but the <mark> tags is escaped. `clean` (for
    example markdown's plain_text) is applied to the excerpt's neighbourhood only, never to the
    whole text; the cost does not grow with the text's length beyond a C-speed scan.
    """
    wanted = frozenset(terms)
    text = text or ""
    pattern = _candidates(wanted)
    first = _first_match_start(text, wanted, pattern)
    # A raw neighbourhood, generous enough that whitespace and markup removed by normalising
    # still leave a full excerpt.
    raw_start = 0 if first is None else max(0, first - max_length)
    if raw_start:
        space = text.rfind(" ", raw_start - 40 if raw_start > 40 else 0, raw_start)
        raw_start = space + 1 if space != -1 else raw_start
    # Enough for a full excerpt after normalising, most of the time; grown below if not.
    span = 5 * max_length // 2
    while True:
        raw_end = min(len(text), raw_start + span)
        piece = text[raw_start:raw_end]
        if clean is not None:
            piece = clean(piece)
        piece = " ".join(piece.split())
        if raw_end == len(text) or len(piece) >= 2 * max_length or span > 64 * max_length:
            break
        span *= 4
    leading, trailing = raw_start > 0, raw_end < len(text)
    # A word at the end of a piece cut from a longer text may be cut short ("sq" of "sql").
    matches = [match for match in _word_matches(piece, wanted, pattern)
               if not (trailing and match.end() == len(piece))]
    start = 0
    if matches and (len(piece) > max_length or leading):
        # Start a little before the first match so the excerpt reads as a sentence.
        start = max(0, matches[0].start() - max_length // 4)
        space = piece.rfind(" ", 0, start)
        start = space + 1 if space != -1 and start > 0 else start
    end = min(len(piece), start + max_length)
    if end < len(piece):
        space = piece.rfind(" ", start, end)
        end = space if space > start else end
    pieces, cursor = [], start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        pieces.append(html.escape(piece[cursor:match.start()]))
        pieces.append(f"<mark>{html.escape(match.group(0))}</mark>")
        cursor = match.end()
    pieces.append(html.escape(piece[cursor:end]))
    prefix = "…" if start > 0 or leading else ""
    suffix = "…" if end < len(piece) or trailing else ""
    return prefix + "".join(pieces) + suffix
