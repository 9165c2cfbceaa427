"""Background jobs, run by `learnloop worker` from the database queue (django.tasks)."""

from django.tasks import task

from learnloop.surveys import mailing


@task
def send_survey_invitation(invitation_id: int, reminder: bool = False, number: int | None = None) -> bool:
    return mailing.deliver_invitation(invitation_id, reminder=reminder, number=number)


@task
def decide_release(campaign_id: int) -> dict:
    """A closing campaign's disclosure decision; safe to run again after a crash (see release.py)."""
    from learnloop.surveys import release

    return release.decide_and_publish(campaign_id)
