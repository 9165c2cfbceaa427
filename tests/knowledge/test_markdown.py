from html.parser import HTMLParser

import pytest

from learnloop.knowledge.markdown import render_markdown


class Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="https://e.org" onclick="steal()">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{display:none}</style>",
    '[x](https://e.org "title" onmouseover="alert(1)")',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_script_event_handler_or_dangerous_url_survives(attack):
    # Escaped text may still *read* "onerror=": what matters is what the browser builds.
    for tag, attributes in Elements(render_markdown(attack)).elements:
        assert tag not in {"script", "style", "iframe", "svg", "object", "embed"}
        for name, value in attributes.items():
            assert not name.startswith("on")
            if name in {"href", "src"}:
                assert (value or "").split(":")[0].lower() in {"https", "http", "mailto"}


def test_links_open_safely():
    html = render_markdown("[docs](https://example.org/runbook)")
    assert 'href="https://example.org/runbook"' in html
    assert "noopener" in html


def test_ordinary_markdown_renders():
    html = render_markdown("# Steps\n\n1. **Drain** the node\n2. `kubectl cordon`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Steps</h1>" in html
    assert "<strong>Drain</strong>" in html
    assert "<code>kubectl cordon</code>" in html
    assert "<table>" in html


# --- plain_text: what a search snippet shows of Markdown --------------------------------------


def test_plain_text_keeps_the_words_and_drops_the_markup():
    from learnloop.knowledge.markdown import plain_text

    assert plain_text("**When:** `hl` rolls back, see [the runbook](https://x.test/r) ![chart](c.png)") == (
        "When: hl rolls back, see the runbook chart"
    )
    assert plain_text("# Heading\n- [x] done\n> quoted _aside_ and ~~old~~") == "Heading\ndone\nquoted aside and old"
    # Not markup: identifiers, arithmetic, a lone star between spaces.
    assert plain_text("call snake_case_name with 2 * 3 and __dir__") == "call snake_case_name with 2 * 3 and dir"


def test_plain_text_strips_emphasis_and_links_as_their_readable_definitions_do():
    """The patterns are written so each alternative starts with a literal character (20× faster
    on a snippet); this holds them to the readable form they replace."""
    import random
    import re

    from learnloop.knowledge import markdown

    emphasis = re.compile(r"(\*\*|__|~~|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
    link = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
    pieces = [*"ab1 *_~`\n.,é![]()", "**", "__", "``", "](", "[x](y)", "![a](b)"]
    rng = random.Random(7)
    for _ in range(30_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert markdown._EMPHASIS.sub("", text) == emphasis.sub("", text), text
        assert markdown._LINK.sub(r"\1", text) == link.sub(r"\1", text), text
