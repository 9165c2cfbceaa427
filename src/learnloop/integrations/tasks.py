"""Background jobs, run by `learnloop worker`: webhook deliveries and their retries, chat notices."""

from django.tasks import default_task_backend, task

from learnloop.integrations import chat, delivery


@task
def deliver_webhook(delivery_id: int) -> bool:
    again = delivery.attempt(delivery_id)
    if again is not None and default_task_backend.supports_defer:
        deliver_webhook.using(run_after=again).enqueue(delivery_id)
    return again is None


@task
def send_chat_message(channel_id: int, payload: dict) -> bool:
    return chat.send(channel_id, payload)
