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
