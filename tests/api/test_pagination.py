"""Lists are paginated with limit/offset, say how many items there are in all, and link the next page."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def directory(admin):
    # Ada Admin plus five people whose names sort after hers.
    return [factories.person(full_name=f"Zed {letter}") for letter in "ABCDE"]


def test_lists_return_count_and_items(member, directory, api_as):
    body = api_as(member).get(f"{API}/people").json()
    assert set(body) == {"count", "items", "next"}
    assert body["count"] == 7
    assert len(body["items"]) == 7
    assert body["next"] is None  # everything is on this page


def test_limit_and_offset_page_through_a_list(member, directory, api_as):
    client = api_as(member)
    first = client.get(f"{API}/people?limit=3&offset=0").json()
    second = client.get(f"{API}/people?limit=3&offset=3").json()
    last = client.get(f"{API}/people?limit=3&offset=6").json()
    assert first["count"] == second["count"] == last["count"] == 7
    names = [p["full_name"] for page in (first, second, last) for p in page["items"]]
    assert names == ["Ada Admin", "Mo Member", "Zed A", "Zed B", "Zed C", "Zed D", "Zed E"]
    assert client.get(f"{API}/people?offset=50").json() == {"items": [], "count": 7, "next": None}


def test_next_links_page_through_a_list_with_its_filters(member, directory, api_as):
    client = api_as(member)
    page = client.get(f"{API}/people?q=zed&limit=2").json()
    names, links = [], []
    while True:
        names += [person["full_name"] for person in page["items"]]
        if page["next"] is None:
            break
        links.append(page["next"])
        page = client.get(page["next"]).json()
    assert names == ["Zed A", "Zed B", "Zed C", "Zed D", "Zed E"]
    assert links == ["http://testserver/api/v1/people?q=zed&limit=2&offset=2",
                     "http://testserver/api/v1/people?q=zed&limit=2&offset=4"]


def test_count_follows_the_filters(member, directory, api_as):
    body = api_as(member).get(f"{API}/people?q=zed&limit=2").json()
    assert body["count"] == 5
    assert len(body["items"]) == 2


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "offset=-1", "limit=100000", "limit=many"])
def test_out_of_range_paging_is_refused(member, api_as, query):
    response = api_as(member).get(f"{API}/people?{query}")
    assert response.status_code == 422
    assert response.json()["detail"]


# --- One contract for every list ---------------------------------------------------------------


# Answers that are lists but not pages of a collection, each with its reason. Adding to this
# needs a reason as good as these.
NOT_PAGED = {
    # A search: pages (page, per_page) through a window of the best 200 matches, with facets.
    f"{API}/knowledge/entries",
    # Suggestions: the best few (`limit`, at most 20), computed, not a collection to page through.
    f"{API}/knowledge/entries/{{entry_id}}/related",
    f"{API}/reflection/sessions/{{session_id}}/suggestions",
    # The metrics catalogue: the fixed set of definitions the platform ships (14), not data.
    f"{API}/insights/metrics/catalogue",
    # The same catalogue, as the metrics a key result may be bound to.
    f"{API}/strategy/metrics",
    # One theme with its figures: its items are the theme's own members, like a session's cards.
    f"{API}/insights/themes/{{theme_id}}",
    # The webhook event-type catalogue: the fixed set of types the platform sends (8), not data.
    f"{API}/webhooks/event-types",
    # Exports: the whole list as one CSV or JSON file, streamed (docs/exports.md); paging it would
    # defeat the point, and the paged list beside each one is checked above.
    f"{API}/actions/export",
    f"{API}/reflection/sessions/export",
    f"{API}/reflection/sessions/{{session_id}}/cards/export",
    f"{API}/experiments/export",
    f"{API}/surveys/campaigns/{{campaign_id}}/report/export",
}


def _list_operations(schema: dict):
    """Every GET operation whose answer is a list of things: a JSON array, or a page of one (an
    object with items or hits and their count or total). One object that holds lists (a person
    with their memberships) is not a list."""
    def resolve(node):
        while "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        answer = operation["responses"].get("200") or operation["responses"].get(200) or {}
        body = resolve(answer.get("content", {}).get("application/json", {}).get("schema", {}))
        fields = set(body.get("properties", {}))
        listed = body.get("type") == "array" or bool(fields & {"items", "hits"} and fields & {"count", "total"})
        if listed and path not in NOT_PAGED:
            yield path, operation, body, resolve


def test_every_list_in_the_schema_pages_with_limit_offset_and_says_the_count(client):
    schema = client.get(f"{API}/openapi.json").json()
    operations = list(_list_operations(schema))
    assert len(operations) > 10  # the enumeration finds the lists (people, experiments, campaigns, ...)
    problems = []
    for path, operation, body, resolve in operations:
        parameters = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        limit = parameters.get("limit", {}).get("schema", {})
        if limit.get("maximum") != 500 or limit.get("minimum") != 1 or "offset" not in parameters:
            problems.append(f"{path}: no bounded limit/offset parameters")
        properties = body.get("properties", {})
        if resolve(properties.get("items", {})).get("type") != "array" or "count" not in properties:
            problems.append(f"{path}: the answer is not {{items, count, next}}")
        next_link = properties.get("next", {}).get("anyOf", [])
        if "next" not in body.get("required", ()) or {"type": "null"} not in next_link:
            problems.append(f"{path}: the answer has no next link (a URL, or null on the last page)")
        if {"page", "per_page"} & set(parameters):
            problems.append(f"{path}: pages with page/per_page")
    assert not problems, "\n".join(problems)
