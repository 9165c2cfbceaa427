"""Which emails each person receives, and one-click unsubscribe (RFC 8058).

Reminders and digests are sent by the actions app, the knowledge base's notifications by the
knowledge app, all through ops.mail; ops asks the policy set here
(`ops.mail.set_mail_policy`, from this app's ready()) whether to send and which unsubscribe URL
to put in `List-Unsubscribe`. Other emails (invitations, password resets, survey invitations)
are not subject to preferences: they are answers to something someone asked for, or one-off.

The unsubscribe URL carries a signed (SECRET_KEY) person id and kind, no stored token: it keeps
working for as long as the key does, and it can only turn that one kind off for that one person.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learnloop.integrations.models import NotificationPreference
from learnloop.knowledge.models import NotificationKind
from learnloop.ops.mail import MailDecision

KINDS = {
    "reminder": _("Reminders about your actions (due soon, overdue, effectiveness check due)"),
    "digest": _("The weekly digest of your actions"),
    # The knowledge base's notifications (review due, answers, comments, followed entries): their
    # kinds are the knowledge app's, so a new one there shows up here without a second list.
    **{kind.value: kind.label for kind in NotificationKind},
}
SALT = "learnloop.integrations.unsubscribe"


def unsubscribe_token(person_id: int, kind: str) -> str:
    return signing.dumps({"p": person_id, "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str] | None:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("k") not in KINDS or not isinstance(value.get("p"), int):
        return None
    return value["p"], value["k"]


def unsubscribe_url(person_id: int, kind: str) -> str:
    return settings.BASE_URL + reverse("integrations:unsubscribe", kwargs={"token": unsubscribe_token(person_id, kind)})


def preferences_of(person) -> dict[str, bool]:
    chosen = dict(NotificationPreference.objects.filter(person=person).values_list("kind", "enabled"))
    return {kind: chosen.get(kind, True) for kind in KINDS}


def set_preferences(*, by, choices: dict[str, bool], at=None) -> None:
    with transaction.atomic():
        for kind, enabled in choices.items():
            if kind in KINDS:
                NotificationPreference.objects.update_or_create(
                    person=by, kind=kind, defaults={"enabled": bool(enabled), "changed_at": at or timezone.now()})


def unsubscribe(token: str) -> tuple[object, str] | None:
    """Turn the token's kind off for its person. (person, kind), or None for a bad token."""
    from learnloop.org.models import Person

    read = read_token(token)
    if read is None:
        return None
    person = Person.objects.filter(pk=read[0]).first()
    if person is None:
        return None
    set_preferences(by=person, choices={read[1]: False})
    return person, read[1]


def mail_policy(kind: str, address: str) -> MailDecision:
    if kind not in KINDS:
        return MailDecision()
    from learnloop.org.models import Person

    person = Person.objects.filter(email__iexact=address).only("pk").first()
    if person is None:
        return MailDecision()
    enabled = not NotificationPreference.objects.filter(person=person, kind=kind, enabled=False).exists()
    if not enabled:
        return MailDecision(send=False)
    return MailDecision(unsubscribe_url=unsubscribe_url(person.pk, kind))
