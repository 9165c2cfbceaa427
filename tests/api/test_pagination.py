"""Lists are paginated with limit/offset and say how many items there are in all."""

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
    assert set(body) == {"count", "items"}
    assert body["count"] == 7
    assert len(body["items"]) == 7


def test_limit_and_offset_page_through_a_list(member, directory, api_as):
    client = api_as(member)
    first = client.get(f"{API}/people?limit=3&offset=0").json()
    second = client.get(f"{API}/people?limit=3&offset=3").json()
    last = client.get(f"{API}/people?limit=3&offset=6").json()
    assert first["count"] == second["count"] == last["count"] == 7
    names = [p["full_name"] for page in (first, second, last) for p in page["items"]]
    assert names == ["Ada Admin", "Mo Member", "Zed A", "Zed B", "Zed C", "Zed D", "Zed E"]
    assert client.get(f"{API}/people?offset=50").json() == {"items": [], "count": 7}


def test_count_follows_the_filters(member, directory, api_as):
    body = api_as(member).get(f"{API}/people?q=zed&limit=2").json()
    assert body["count"] == 5
    assert len(body["items"]) == 2


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "offset=-1", "limit=100000", "limit=many"])
def test_out_of_range_paging_is_refused(member, api_as, query):
    response = api_as(member).get(f"{API}/people?{query}")
    assert response.status_code == 422
    assert response.json()["detail"]
