import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from learnloop.ops.models import TaskLease
from tests.ops import sample_tasks

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_an_admin_finds_a_dead_task_from_the_audit_log_and_queues_it_again(page_as, admin):
    result = sample_tasks.always_fails.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status="FAILED", finished_at=timezone.now())
    TaskLease.objects.update_or_create(task_id=result.id, defaults={
        "attempts": 5, "dead_reason": "SMTPServerDisconnected (attempt 5 of 5)", "dead_at": timezone.now()})

    page = page_as(admin)
    page.goto("/audit/")
    page.get_by_role("link", name="Background tasks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Background tasks")
    row = page.locator(f"#task-{result.id}")
    expect(row).to_contain_text("SMTPServerDisconnected (attempt 5 of 5)")
    expect(row).to_contain_text("dead")

    row.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("Queued 1 dead-lettered task(s) again.")).to_be_visible()
    expect(page.locator(f"#task-{result.id}")).to_contain_text("ready")
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
