"""The Content-Security-Policy in a real browser: what it refuses, and pages that work under it.

Every browser test already fails on a violation (see conftest.py); these check that the
recording can fail at all, and the page built by a third party: the API docs.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _record_csp_violations

pytestmark = pytest.mark.browser


def test_injected_inline_script_and_style_are_refused_and_recorded(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    violations = _record_csp_violations(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: rgb(255, 0, 0)">x</p>');
    }""")
    assert page.evaluate("window.injected") is None
    assert page.locator("#styled").evaluate("p => getComputedStyle(p).color") != "rgb(255, 0, 0)"
    page.evaluate("0")  # let the reports arrive
    context.close()
    assert any("script-src" in violation for violation in violations), violations
    assert any("style-src" in violation for violation in violations), violations


def test_the_api_docs_work_under_the_policy(page):
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Learnloop API")
    operation = page.locator(".opblock-summary").filter(has_text="/api/v1/me").first
    # Swagger UI lays out ~130 operations after the title appears; on a busy machine that takes seconds.
    expect(operation).to_be_visible(timeout=30_000)
    operation.click(no_wait_after=True)  # deep linking changes the address; nothing to wait for
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible(timeout=30_000)
