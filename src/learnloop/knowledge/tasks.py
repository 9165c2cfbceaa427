"""Background jobs of the knowledge base, run by `learnloop worker` from the database queue."""

from django.tasks import task

from learnloop.knowledge.notification_mail import deliver_notification


@task
def send_notification_email(notification_id: int) -> bool:
    return deliver_notification(notification_id)
