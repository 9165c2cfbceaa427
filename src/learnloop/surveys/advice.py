"""Named advice questions (name generators): "whom do you go to for advice about X?".

Unlike every other survey answer these name people, so they are not anonymous and are kept out of
the anonymous response entirely (docs/surveys.md#named-advice-questions):
- answered apart from the anonymous form, by the signed-in invitee, in a request of its own, only
  after they tick the consent box; never in the transaction that stores their anonymous answers;
- the respondent sees and changes their own answers while the campaign is open, and can withdraw
  them (an empty answer deletes their ties);
- nobody else is shown who named whom: not the people named, not leads, not admins. The
  knowledge-flow network (learnloop.network) uses the ties only in team-level figures, and only
  for a pair of teams named by at least k respondents (the organization's anonymity threshold).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.surveys.models import AdviceTie, Campaign, CampaignStatus, Invitation, Item, ItemKind

MAX_NAMES = 10


def advice_items(campaign: Campaign) -> list[Item]:
    return list(campaign.instrument.items.filter(kind=ItemKind.ADVICE).order_by("position"))


def is_invitee(person, campaign: Campaign) -> bool:
    return bool(person and person.is_authenticated and person.is_active
                and Invitation.objects.filter(campaign=campaign, person=person).exists())


def require_can_answer(person, campaign: Campaign) -> None:
    if not is_invitee(person, campaign):
        raise PermissionDenied("Only the people invited to this survey answer its advice questions, as themselves.")


def own_answers(person, campaign: Campaign) -> dict[str, list[int]]:
    """{item key: [adviser ids]}: the person's own answers, the only ones anyone is shown."""
    require_can_answer(person, campaign)
    answers: dict[str, list[int]] = {item.key: [] for item in advice_items(campaign)}
    for key, adviser in AdviceTie.objects.filter(campaign=campaign, respondent=person).values_list(
            "item_key", "adviser_id"):
        answers.setdefault(key, []).append(adviser)
    return answers


def save_answers(*, by, campaign: Campaign, answers: dict, consent: bool, today=None) -> int:
    """Replace the person's advice ties for this campaign; returns how many are stored. Names need
    consent; no names (or withdrawing consent) deletes every tie they gave here."""
    from learnloop.org.models import Person

    require_can_answer(by, campaign)
    today = today or timezone.localdate()
    if campaign.status != CampaignStatus.OPEN or not campaign.opens_on <= today <= campaign.closes_on:
        raise ValidationError("This survey is not open today.")
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "Send the answers as {question key: [person ids]}."})
    keys = {item.key for item in advice_items(campaign)}
    unknown = sorted(str(key) for key in answers if key not in keys)
    if unknown:
        raise ValidationError({"answers": f"Not an advice question of this survey: {', '.join(unknown)}."})
    chosen: dict[str, list[int]] = {}
    for key, people in answers.items():
        if not isinstance(people, list | tuple) or not all(str(p).strip().isdigit() for p in people):
            raise ValidationError({key: "Give the colleagues as a list of person ids."})
        ids = list(dict.fromkeys(int(p) for p in people))
        if len(ids) > MAX_NAMES:
            raise ValidationError({key: f"Name at most {MAX_NAMES} colleagues."})
        if by.pk in ids:
            raise ValidationError({key: "Name colleagues, not yourself."})
        chosen[key] = ids
    named = {p for ids in chosen.values() for p in ids}
    if named and not consent:
        raise ValidationError({"consent": "Tick the box to agree that your answer is stored with your name."})
    active = set(Person.objects.filter(pk__in=named, is_active=True).values_list("pk", flat=True))
    if named - active:
        raise ValidationError({"answers": "Choose active colleagues from the list."})
    with transaction.atomic():
        AdviceTie.objects.filter(campaign=campaign, respondent=by).delete()
        if not consent:
            return 0
        rows = [AdviceTie(campaign=campaign, item_key=key, respondent=by, adviser_id=adviser, answered_on=today)
                for key, ids in sorted(chosen.items()) for adviser in ids]
        AdviceTie.objects.bulk_create(rows)
    return len(rows)
