"""What the German page tests of insights, strategy and systems read: the page's <main> element,
which these apps' templates write. The layout around it (navigation, footer) and the shared form
snippets (web/field.html's length hint, the empty choice of a select) are the web app's strings,
checked by its own tests; they are taken out here so these tests say which app missed a string."""

import re

WEB_PHRASES = (
    re.compile(r"At most [\d,.]+ characters\."),
    re.compile(r"- Select an option -"),
)


CODE = re.compile(r"<code>.*?</code>", re.S)


def main_content(response) -> str:
    html = response.content.decode()
    found = re.search(r"<main\b.*?</main>", html, re.S)
    assert found, "no <main> on the page"
    text = found[0]
    for phrase in WEB_PHRASES:
        text = phrase.sub("", text)
    # Code (metric keys, API paths) is not translated.
    return CODE.sub("<code></code>", text)
