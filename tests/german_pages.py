"""Reading a page in German for the apps' German page tests.

`german_main` returns the page's <title> and its <main> element: the part these apps render.
The site header and footer come from web/base.html, translated with the web app, and are
checked by its own tests.
"""

import re

from tests.i18n_check import assert_no_english

_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_MAIN = re.compile(r"<main\b.*?</main>", re.S)


def german_get(client, url: str, status: int = 200):
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == status, (url, page.status_code)
    return page


def german_main(page) -> str:
    html = page.content.decode()
    main = _MAIN.search(html)
    title = _TITLE.search(html)
    return (f"<title>{title.group(1)}</title>" if title else "") + (main.group(0) if main else html)


def assert_german(page, *, allowed: frozenset[str] = frozenset()) -> None:
    assert_no_english(german_main(page), allowed=allowed)
