"""From the words a person typed to the slots a backend matches.

A slot is a list of terms any one of which matches: a query word's stem, the indexed words a
word still being typed may become, or the one word the index knows two typed words as. User
input is only ever analyzed into words, never passed on as query syntax."""

import re
from collections import Counter

from learnloop.analytics import text as analysis
from learnloop.analytics.text import (
    MIN_COMPOUND_PART,
    STOP_WORDS,
    analyze,
    compound_joins,
    compound_splits,
    query_terms,
    stem,
    words,
)
from learnloop.knowledge.search.base import Backend

COMPLETIONS = 8
_TRAILING_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]*)?$")


def _completions(engine: Backend, word: str) -> list[str]:
    """Indexed terms a word still being typed may become: those starting with it (or its
    stem), and the longest indexed term it already starts with ("deploym" → "deploy")."""
    if len(word) < 2:
        return []
    found = dict.fromkeys(engine.complete(stem(word), limit=COMPLETIONS))
    if stem(word) != word:
        found.update(dict.fromkeys(engine.complete(word, limit=COMPLETIONS)))
    prefixes = [word[:end] for end in range(len(word), 2, -1)]
    _, frequencies = engine.statistics(prefixes)
    for prefix in prefixes:
        if frequencies.get(prefix):
            found[prefix] = None
            break
    return list(found)[: COMPLETIONS + 2]


def _compounds(engine: Backend, text: str, slots: list[list[str]], *, typing: str | None):
    """Read an unknown word as two known ones ("rollback" → "roll" + "back": two slots), and
    let adjacent words (of MIN_COMPOUND_PART letters or more) match the one word the index knows
    them as ("roll back" also matches "rollback", counted once). Returns the new slots and the
    extra terms to highlight."""
    raw: dict[str, str] = {}
    for word in words(text):
        if word not in STOP_WORDS:
            raw.setdefault(stem(word), word)
    splits = {
        slot[0]: compound_splits(raw[slot[0]])
        for slot in slots
        if len(slot) == 1 and slot[0] != typing and len(raw.get(slot[0], "")) >= 2 * MIN_COMPOUND_PART
    }
    joins = [join for join in compound_joins(text) if typing not in (join[0], join[1])]
    if not splits and not joins:
        return slots, []
    wanted = {slot[0] for slot in slots} | {join[2] for join in joins}
    wanted |= {part for options in splits.values() for pair in options for part in pair}
    _, frequency = engine.statistics(wanted)
    result, extra = [], []
    for slot in slots:
        known = [pair for pair in splits.get(slot[0], ()) if frequency.get(pair[0]) and frequency.get(pair[1])]
        if known and not frequency.get(slot[0]):
            left, right = max(known, key=lambda pair: min(frequency[pair[0]], frequency[pair[1]]))
            result.extend([[left], [right]])
            extra.extend([left, right])
        else:
            result.append(list(slot))
    for first, second, joined in joins:
        if frequency.get(joined) and joined not in (first, second):
            # An alternative of the first word's slot only: an entry holding the joined word
            # scores it once (max with the first word), never once per word it stands for.
            for slot in result:
                if slot[0] == first:
                    if joined not in slot:
                        slot.append(joined)
                    break
            extra.append(joined)
    return result, extra


def query_slots(engine: Backend, text: str, as_you_type: bool) -> tuple[list[list[str]], list[str]]:
    """The slots to match for this query text, and every term to highlight in the hits.

    A term the query repeats gets one slot per repetition, up to QUERY_TERM_REPEATS: BM25's
    query term frequency, as Lucene and bm25s count it (a long question that says "titles"
    three times is about titles). Measured on CISI's long queries: MAP 0.120 → 0.14 (docs/knowledge.md)."""
    terms = query_terms(text)
    counts = Counter(analyze(text[:20_000])) if len(terms) > 1 else Counter()
    slots = [[term] for term in terms for _ in range(max(1, min(analysis.QUERY_TERM_REPEATS, counts[term])))]
    marked = list(terms)
    typing = None
    if as_you_type:
        trailing = _TRAILING_WORD.search(text)
        typed = words(trailing.group(0)) if trailing else []
        typing = stem(typed[-1]) if typed else None
    slots, extra = _compounds(engine, text, slots, typing=typing)
    marked.extend(extra)
    if as_you_type:
        trailing = _TRAILING_WORD.search(text)
        typed = words(trailing.group(0)) if trailing else []
        if typed:
            word = typed[-1]
            completions = _completions(engine, word)
            if completions:
                own = stem(word) if word not in STOP_WORDS else None
                slots = [slot for slot in slots if slot[0] != own]
                slots.append(list(dict.fromkeys([*([own] if own else []), *completions])))
                marked.extend(completions)
    return slots, marked
