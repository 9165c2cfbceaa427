"""Markdown to safe HTML: CommonMark rendering, then an allow-list sanitizer.

Raw HTML in Markdown is escaped rather than rendered, and the sanitizer (ammonia, through nh3)
drops anything the allow-list doesn't name: scripts, event handlers, style, javascript: and
data: URLs. Links get rel="noopener noreferrer nofollow".
"""

import re
from functools import lru_cache

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt  # on first use: loading it costs every command's start-up

    # "js-default" disables raw HTML; tables and strikethrough are enabled on top.
    return MarkdownIt("js-default").enable(["table", "strikethrough"])


# An entry's page and its API detail render up to five texts on every read; most are empty or
# unchanged since the last read. The result depends on the text alone, so it is kept per text
# (short texts only: the cache stays small however long the bodies).
CACHED_TEXT_LENGTH = 20_000


def render_markdown(text: str) -> str:
    if not text:
        return ""
    if len(text) <= CACHED_TEXT_LENGTH:
        return _render_cached(text)
    return _render(text)


@lru_cache(maxsize=512)
def _render_cached(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# Every alternative of _LINK and _EMPHASIS starts with a literal character, so the regular
# expression engine skips to the next candidate character at C speed instead of trying each
# alternative at every position: _EMPHASIS took 30 µs on a snippet's 600 characters written
# as `(\*\*|__|~~|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))`, and takes 1.5 in this equivalent
# form (a lone * or _ is markup when no letter precedes it and a non-space follows, or a
# non-space precedes it and no letter follows).
_LINK = re.compile(r"(?:!\[|\[)([^\]]*)\]\([^)]*\)")  # [text](url) and ![alt](src) → text
_LINE_MARKERS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,9}[.)]\s+)", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*(?:\*|(?<!\w\*)(?=\S)|(?<=\S\*)(?!\w))|_(?:_|(?<!\w_)(?=\S)|(?<=\S_)(?!\w))|~~|``*)")
_RULES = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$|^\s*\|?(?:\s*:?-+:?\s*\|)+\s*$", re.MULTILINE)


def plain_text(text: str) -> str:
    """Markdown's words without its markup, for search snippets: a snippet shows what a reader
    sees on the page ("Roll back with hl"), not the syntax ("**When:** `hl`").

    A light, fast pass (a results page makes 20 of these) rather than a full render: it only
    has to read well, and highlight() escapes whatever it leaves.
    """
    text = _LINK.sub(r"\1", text or "")
    text = _RULES.sub(" ", text)
    text = _LINE_MARKERS.sub("", text)
    text = _EMPHASIS.sub("", text)
    return text.replace("|", " ")
