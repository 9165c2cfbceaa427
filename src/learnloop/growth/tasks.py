"""Background jobs, run by `learnloop worker` from the database queue (django.tasks)."""

from django.tasks import task

from learnloop.growth import mailing


@task
def send_proposal_email(proposal_id: int) -> int:
    return mailing.deliver_proposal(proposal_id)
