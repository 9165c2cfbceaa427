"""Run in a subprocess: queue overdue reminders, weekly digests and survey invitations.

Prints one JSON object: the Message-ID every logical email must carry, and the tasks queued.
"""

import json
from datetime import timedelta

import django

django.setup()

from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from learnloop.actions import sending, services  # noqa: E402
from learnloop.actions.models import ActionReminder, DigestDelivery  # noqa: E402
from learnloop.ops.mail import message_id  # noqa: E402
from learnloop.surveys import services as surveys  # noqa: E402
from learnloop.surveys.mailing import email_key  # noqa: E402
from learnloop.surveys.models import Instrument, Invitation  # noqa: E402
from tests import factories  # noqa: E402

PEOPLE = 4

today = timezone.localdate()
admin = factories.person(email="ada.admin@example.org", full_name="Ada Admin", role="admin")
for number in range(PEOPLE):
    owner = factories.person(email=f"owner{number}@example.org", full_name=f"Owner {number}")
    services.create_action(by=owner, title=f"Renew certificate {number}", due_on=today - timedelta(days=1))
sending.run_reminders(today=today)
sending.run_digests(today=today)
surveys.install_built_in_instruments()
campaign = surveys.create_campaign(
    by=admin, name="Pulse", instrument=Instrument.objects.get(slug="pulse"), opens_on=today,
    closes_on=today + timedelta(days=14),
)
surveys.launch_campaign(by=admin, campaign=campaign)

keys = (
    [f"reminder:{pk}" for pk in ActionReminder.objects.values_list("pk", flat=True)]
    + [f"digest:{pk}" for pk in DigestDelivery.objects.values_list("pk", flat=True)]
    + [email_key(pk, reminder=False, number=0) for pk in Invitation.objects.values_list("pk", flat=True)]
)
print(json.dumps({
    "message_ids": [message_id(key) for key in keys],
    "kinds": sorted({key.split(":")[0] for key in keys}),
    "tasks": DBTaskResult.objects.count(),
}))
