"""Demo: a few people turned the weekly digest (and one the reminders) off, as people do.

No webhook subscriptions or calendar addresses: a receiver URL must resolve to a public address
when it is saved (the demo runs offline), and calendar addresses are secrets shown once.
"""

from learnloop.integrations import notifications

DIGEST_OFF = 4


def build(context) -> None:
    people = sorted((person for person in context.people if person.is_active), key=lambda person: person.pk)
    if not people:
        return
    chosen = context.rng.sample(people, min(DIGEST_OFF, len(people)))
    for number, person in enumerate(chosen):
        choices = {"digest": False}
        if number == 0:
            choices["reminder"] = False
        notifications.set_preferences(by=person, choices=choices, at=context.clock.days_ago(20 + 7 * number))
    context.announce(f"Email preferences: {len(chosen)} people turned the weekly digest off")
