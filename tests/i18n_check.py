"""Finds English left on a page rendered in German.

A page is read as a person would see it: the text between tags (scripts and styles left out)
and the attributes a person reads or hears (placeholder, title, aria-label, alt, and the value
of buttons). Words are matched against a list of common English words that are not German
words ("Team", "Name", "Status", "Feedback", "Session", "Experiment", "Export", "Filter", "Admin",
"Login", "Download", "Person", "was", "will", "also" are German too and are left out),
so a German page with German content finds nothing, whatever the numbers, names and code in it.

Tests give the pages German content (names, titles, card texts): then every English word found
is a user-facing string someone forgot to translate.
"""

import re
from html.parser import HTMLParser

_ENGLISH_WORD_LIST = """
    the and with your you for from this that these those what when where which who whom whose why
    how would should could can't cannot don't isn't have has had been being are were not
    yet new add added edit edited save saved delete deleted remove removed cancel search show hide
    open opened close closed sign signed out our my me we us they them their there here about
    after before since until while because than then only any none more less most least
    people lesson lessons action actions survey surveys knowledge learning goal goals
    owner owners review reviewed reviews due date dates week weeks month months year years day
    days today yesterday tomorrow yes back next previous page pages of to by on at or is it be
    as into over under between each every other some such all own same both few many much very
    just still even ever never always often already again once twice first last latest
    answer answers question questions entry entries card cards vote votes group groups
    write written read help home settings profile log  password email create created
    update updated change changed submit send sent invite invited join joined leave left
    member members lead leads  report reports result results draft published
     sort sorted theme themes metric metrics
    chart table list view views see seen more less average share count
    nothing something everything anyone someone everyone no-one nobody anonymous
"""
ENGLISH_WORDS = frozenset(_ENGLISH_WORD_LIST.split())

_READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
# A word is a run of letters (with ' and -) standing alone: letters inside a token with digits or
# underscores ("x9you2", a random secret or id shown on the page) are not words a person reads.
_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_'-]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _words(text: str) -> list[str]:
    return [token for token in _TOKEN.findall(text) if _WORD.fullmatch(token)]


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._skip_depth += 1
        attributes = dict(attrs)
        for name in _READ_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"} and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"} and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_left(html: str, *, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The English words on the page (lower-cased, in page order, each once), less `allowed`."""
    found: list[str] = []
    for word in _words(visible_text(html)):
        lowered = word.lower()
        if lowered in ENGLISH_WORDS and lowered not in allowed and lowered not in found:
            found.append(lowered)
    return found


def english_context(html: str, word: str, width: int = 40) -> list[str]:
    """Where a word occurs, to say in a failing test which string missed."""
    text = visible_text(html)
    matches = re.finditer(rf"(?<![\w'-]){re.escape(word)}(?![\w'-])", text, re.I)
    return [text[max(0, match.start() - width): match.end() + width] for match in matches] or [text[:2 * width]]


def assert_no_english(response_or_html, *, allowed: frozenset[str] = frozenset()) -> None:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    left = english_left(html, allowed=allowed)
    assert not left, "English left on the German page: " + "; ".join(
        f"{word!r} in …{english_context(html, word)[0]}…" for word in left[:10]
    )
