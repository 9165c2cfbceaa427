"""Email notification preferences through the API: the same choices as
/integrations/notifications/ (notifications.py), for the signed-in person only."""

from django.core.exceptions import ValidationError
from ninja import Router, Schema

from learnloop.api_base import InputSchema, errors
from learnloop.integrations import notifications

router = Router(tags=["notification-preferences"])


class NotificationKindOut(Schema):
    kind: str
    label: str
    enabled: bool


class NotificationPreferencesOut(Schema):
    """An object, not a bare list: the kinds are a fixed handful, not a collection to page."""

    kinds: list[NotificationKindOut]


class NotificationPreferencesIn(InputSchema):
    choices: dict[str, bool]


def _preferences(person) -> dict:
    enabled = notifications.preferences_of(person)
    kinds = [{"kind": kind, "label": str(label), "enabled": enabled[kind]}
             for kind, label in notifications.KINDS.items()]
    return {"kinds": kinds}


@router.get("", response=NotificationPreferencesOut, summary="My email notifications: each kind, on or off")
def get_preferences(request):
    return _preferences(request.user)


@router.patch(
    "",
    response={200: NotificationPreferencesOut, **errors(400)},
    summary="Turn kinds of email notification on or off (the kinds named; others stay as they are)",
    description="Body: `{\"choices\": {\"digest\": false, \"entry_answer\": true}}`. An unknown kind is refused "
                "(400, naming it) and nothing is changed.",
)
def update_preferences(request, payload: NotificationPreferencesIn):
    unknown = sorted(set(payload.choices) - set(notifications.KINDS))
    if unknown:
        raise ValidationError({"choices": f"Unknown notification kind: {', '.join(unknown)}. "
                                          f"Known kinds: {', '.join(notifications.KINDS)}."})
    notifications.set_preferences(by=request.user, choices=payload.choices)
    return _preferences(request.user)
