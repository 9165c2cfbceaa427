"""Background tasks for admins on the web (/ops/tasks/) and the API (/api/v1/tasks): see what
waits, runs or died and why, and queue dead-lettered tasks again. Nobody else sees them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learnloop.ops.models import TaskLease
from tests.conftest import signed_in_client
from tests.ops import sample_tasks

pytestmark = pytest.mark.django_db

API = "/api/v1/tasks"


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def dead_task(reason="RuntimeError: mail server said no (attempt 5 of 5)") -> str:
    result = sample_tasks.always_fails.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status="FAILED", finished_at=timezone.now())
    TaskLease.objects.update_or_create(task_id=result.id, defaults={
        "attempts": 5, "dead_reason": reason, "dead_at": timezone.now()})
    return str(result.id)


def ready_task() -> str:
    return str(sample_tasks.succeeds.enqueue().id)


def test_admin_sees_dead_tasks_with_their_reason_and_retries_one(admin):
    dead, other_dead, waiting = dead_task(), dead_task("SMTPRecipientsRefused"), ready_task()
    client = signed_in_client(admin)
    page = client.get("/ops/tasks/")
    assert page.status_code == 200
    text = page.content.decode()
    for task_id in (dead, other_dead, waiting):
        assert f'id="task-{task_id}"' in text
    assert "mail server said no (attempt 5 of 5)" in text
    assert "dead: 2" in text and "ready: 1" in text

    response = client.post("/ops/tasks/retry/", {"task": dead})
    assert response.status_code == 302
    assert DBTaskResult.objects.get(pk=dead).status == "READY"
    assert TaskLease.objects.get(pk=dead).attempts == 0
    assert DBTaskResult.objects.get(pk=other_dead).status == "FAILED"  # only the one asked for
    # Not a task id: a message, nothing retried.
    page = client.post("/ops/tasks/retry/", {"task": "not-a-task"}, follow=True).content.decode()
    assert "That is not a task id." in page
    assert DBTaskResult.objects.get(pk=other_dead).status == "FAILED"


def test_retry_all_on_the_web_queues_every_dead_task(admin):
    ids = [dead_task() for _ in range(3)]
    signed_in_client(admin).post("/ops/tasks/retry/")
    assert set(DBTaskResult.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"READY"}


def test_the_page_filters_by_state_and_refuses_a_misspelt_one(admin):
    dead, waiting = dead_task(), ready_task()
    client = signed_in_client(admin)
    text = client.get("/ops/tasks/", {"state": "dead"}).content.decode()
    assert f'id="task-{dead}"' in text and f'id="task-{waiting}"' not in text
    text = client.get("/ops/tasks/", {"state": "deadd"}, follow=True).content.decode()
    assert "Unknown state deadd" in text


def test_members_cannot_see_or_retry_tasks_on_the_web(member):
    dead = dead_task()
    client = signed_in_client(member)
    assert client.get("/ops/tasks/").status_code == 403
    assert client.post("/ops/tasks/retry/", {"task": dead}).status_code == 403
    assert client.post("/ops/tasks/retry/").status_code == 403
    assert DBTaskResult.objects.get(pk=dead).status == "FAILED"


def test_api_lists_tasks_without_their_arguments_and_retries(admin, api_as):
    dead, waiting = dead_task(), ready_task()
    api = api_as(admin)
    response = api.get(API, {"state": "dead"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    [row] = body["items"]
    assert (row["id"], row["state"], row["attempts"], row["task"]) == (dead, "dead", 5, "always_fails")
    assert "args" not in row and "kwargs" not in row
    assert api.get(API, {"state": "all"}).json()["count"] == 2
    assert api.get(f"{API}/counts").json() == {"ready": 1, "running": 0, "done": 0, "dead": 1}

    assert api.post(f"{API}/{waiting}/retry").status_code == 404  # not dead: nothing to retry
    assert api.post(f"{API}/{dead}/retry").json() == {"retried": 1}
    assert DBTaskResult.objects.get(pk=dead).status == "READY"
    assert api.post(f"{API}/not-a-uuid/retry").status_code in (400, 422)
    assert api.get(API, {"state": "deadd"}).status_code in (400, 422)


def test_api_refuses_members(member, api_as):
    dead = dead_task()
    api = api_as(member)
    assert api.get(API).status_code == 403
    assert api.get(f"{API}/counts").status_code == 403
    assert api.post(f"{API}/{dead}/retry").status_code == 403
    assert api.post(f"{API}/retry-dead").status_code == 403
    assert DBTaskResult.objects.get(pk=dead).status == "FAILED"


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_number_of_tasks(admin, api_as):
    client, api = signed_in_client(admin), api_as(admin)
    dead_task(), ready_task()
    api.get(API)  # the token's first use records when it was used: not part of listing
    page_small, api_small = _queries(lambda: client.get("/ops/tasks/")), _queries(lambda: api.get(API))
    for _ in range(10):
        dead_task(), ready_task()
    assert _queries(lambda: client.get("/ops/tasks/")) == page_small
    assert _queries(lambda: api.get(API)) == api_small
