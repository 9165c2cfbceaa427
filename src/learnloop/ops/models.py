"""Operational records: leases of background tasks and the ledger of emails sent once."""

from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    """Who runs a queued task, until when, and how many times it was tried.

    django_tasks_db marks a claimed task RUNNING and never looks at it again; if its worker dies
    the row stays RUNNING forever. A lease says until when the claim holds: the worker renews it
    (a heartbeat) while the task runs, and any worker returns tasks with an expired lease to the
    queue, or dead-letters them once they have used up their attempts.
    """

    task = models.OneToOneField(DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="lease")
    attempts = models.PositiveIntegerField(default=0)
    worker_id = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Set when the task ends in the dead-letter state (FAILED after its last attempt): why.
    dead_reason = models.TextField(blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="ops_tasklease_expires_idx")]

    def __str__(self):
        return f"Lease of task {self.task_id} ({self.attempts} attempts)"


class SentEmail(models.Model):
    """One email per logical event (a survey invitation, a reminder of it), by a stable key.

    The row is locked while the email is handed to the mail server and `sent_at` is written in
    the same transaction, so a second attempt (a retry, a second worker) sees it and sends nothing.
    """

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.key
