"""The real database queue: `actions remind` queues rows, `learnloop worker --batch` sends them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learnloop.actions import services
from tests import factories


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_reminders_wait_in_the_database_until_the_worker_sends_them(database_queue):
    owner = factories.person(email="owen.owner@example.org")
    services.create_action(by=owner, title="Renew the domain", due_on=timezone.localdate() - timedelta(days=1))

    call_command("actions", "remind", stdout=StringIO())
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0, stdout=StringIO())
    assert [message.to for message in mail.outbox] == [["owen.owner@example.org"]]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
