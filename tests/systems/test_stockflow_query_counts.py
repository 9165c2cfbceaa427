"""No N+1 on the stock-and-flow pages and API lists: as many queries with ten times the models,
scenarios and sensitivity runs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.systems.stockflow_models import Scenario, SensitivityRun, StockFlowModel
from tests import factories
from tests.conftest import signed_in_client

WEB_PAGES = ["/systems/models/", "/systems/models/{model}/"]
API_LISTS = ["/api/v1/systems/models", "/api/v1/systems/models/{model}/scenarios", "/api/v1/systems/models/{model}"]


def _grow(model, people, times: int) -> None:
    for number in range(times):
        copy = StockFlowModel.objects.get(pk=model.pk)
        copy.pk, copy.name = None, f"Copy {number} of {model.name}"
        copy.team = people.team if number % 2 else None
        copy.owner = people.member if number % 2 else people.lead
        copy.save()
        author = factories.person(full_name=f"Author {model.scenarios.count()}")
        Scenario.objects.create(model=model, name=f"Scenario {model.scenarios.count()}",
                                params={"lessons written per month": number}, author=author)
        SensitivityRun.objects.create(model=model, requested_by=author, runs=10,
                                      ranges={"lessons written per month": [1, 2]})


def _counts(client, model, pages) -> dict[str, int]:
    found = {}
    for page in pages:
        path = page.format(model=model.pk)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        found[path] = len(queries)
    return found


@pytest.mark.django_db
def test_pages_run_the_same_queries_at_ten_times_the_data(decay_model, people):
    api = factories.token_client(people.lead)
    web = signed_in_client(people.lead)
    _grow(decay_model, people, 1)
    web.get(f"/systems/models/{decay_model.pk}/")  # warm: the translation, session and caches
    api.get("/api/v1/systems/models")  # warm: the token's last use is recorded once
    small_web, small_api = _counts(web, decay_model, WEB_PAGES), _counts(api, decay_model, API_LISTS)
    _grow(decay_model, people, 9)
    assert StockFlowModel.objects.count() == 11 and decay_model.scenarios.count() == 10
    assert _counts(web, decay_model, WEB_PAGES) == small_web
    assert _counts(api, decay_model, API_LISTS) == small_api
