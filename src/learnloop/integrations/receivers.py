"""What the integrations hear from the other apps, without those apps importing them: saved
activity events and overdue reminders (Django's post_save)."""

from django.db.models.signals import post_save

from learnloop.integrations import dispatch, events


def activity_recorded(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    event_type = events.event_type_for(instance.subject_type, instance.verb, instance.data or {})
    if event_type is None:
        return

    def build():
        data = events.subject_data(event_type, instance.subject_id)
        if data is None:
            return None
        extra = {}
        if event_type == "effectiveness.recorded":
            extra["effect"] = (instance.data or {}).get("effect", "")
        # actor is None for events caused anonymously (and for the system's own acts).
        return events.payload(event_type, timestamp=instance.created_at, data=data,
                              actor=instance.actor, extra=extra)

    dispatch.emit(event_type, key=f"activity:{instance.pk}", build=build)


def reminder_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.kind != "overdue":
        return

    def build():
        data = events.subject_data("action.overdue", instance.action_id)
        if data is None:
            return None
        return events.payload("action.overdue", timestamp=instance.created_at, data=data)

    dispatch.emit("action.overdue", key=f"action.overdue:{instance.action_id}:{instance.for_date}", build=build)


def theme_recurred(sender, theme_ids, find, **kwargs):
    """A theme that came back after an action on it was marked effective: once per theme and
    action (the key), however often its items are placed again or regrouped."""
    if not dispatch.subscribers("theme.recurred"):
        return
    from django.utils import timezone

    for record in find():
        def build(record=record):
            data = events.theme_recurrence_data(record)
            return None if data is None else events.payload("theme.recurred", timestamp=timezone.now(), data=data)

        dispatch.emit("theme.recurred", key=f"theme.recurred:{record['theme_id']}:{record['action_id']}", build=build)


def connect():
    from learnloop.actions.models import ActionReminder
    from learnloop.activity.models import ActivityEvent
    from learnloop.activity.signals import theme_recurred as theme_recurred_signal

    post_save.connect(activity_recorded, sender=ActivityEvent, dispatch_uid="integrations-activity")
    post_save.connect(reminder_saved, sender=ActionReminder, dispatch_uid="integrations-overdue-reminder")
    theme_recurred_signal.connect(theme_recurred, dispatch_uid="integrations-theme-recurred")
