import pytest
from playwright.sync_api import expect

from learnloop.accounts.models import ApiToken
from learnloop.audit.models import AuditEvent, AuditKind

pytestmark = pytest.mark.browser


@pytest.fixture
def api(playwright, live_server):
    # A request context of its own, without the browser's session cookie: with the cookie the
    # API would accept the session and the token would not be what is tested.
    context = playwright.request.new_context(base_url=live_server.url)
    yield context
    context.dispose()


def test_a_token_made_in_the_ui_works_until_it_is_revoked(page_as, api, live_server, member):
    page = page_as(member)
    page.goto("/")
    page.locator("details.dropdown > summary").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_role("cell", name="No tokens yet.")).to_be_visible()

    page.get_by_label("Token name").fill("CI export")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-token").inner_text().strip()
    assert secret.startswith("ll_")
    row = page.get_by_role("row").filter(has_text="CI export")
    expect(row).to_contain_text(secret[:10])
    expect(row).to_contain_text("active")
    # Only the hash is stored.
    token = ApiToken.objects.get(person=member)
    assert secret not in {token.token_hash, token.prefix}
    assert AuditEvent.objects.filter(kind=AuditKind.TOKEN_CREATED, actor=member).exists()

    # Shown once: loading the page again doesn't show the secret.
    page.goto("/accounts/tokens/")
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.get_by_text(secret)).to_have_count(0)

    bearer = {"Authorization": f"Bearer {secret}"}
    response = api.get("/api/v1/me", headers=bearer)
    assert response.status == 200, response.text()
    body = response.json()
    assert body["email"] == member.email
    assert body["full_name"] == "Mo Member"
    # Without the token the same call is refused, so it really was the token that let us in.
    assert api.get("/api/v1/me").status == 401

    row.get_by_role("button", name="Revoke CI export").click()
    expect(page.get_by_role("status")).to_have_text("The token “CI export” was revoked.")
    expect(row).to_contain_text("revoked")
    expect(row.get_by_role("button", name="Revoke CI export")).to_have_count(0)

    response = api.get("/api/v1/me", headers=bearer)
    assert response.status == 401
    assert "Authentication required" in response.json()["detail"]
