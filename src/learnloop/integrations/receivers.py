"""What the integrations hear from the other apps, without those apps importing them: saved
activity events and overdue reminders (Django's post_save)."""

from django.db.models.signals import post_save

from learnloop.integrations import dispatch, events


def activity_recorded(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    _chat_for_activity(instance)
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


def _chat_for_activity(event) -> None:
    """A team's session opening for writing; a released survey report (to every team whose
    channel asked for reports: a campaign belongs to the organization)."""
    from learnloop.integrations import chat
    from learnloop.integrations.chat_models import ChatChannel, ChatEvent

    if event.subject_type == "reflection.session" and event.verb == "phase_reflect":
        from learnloop.reflection.models import Session

        session = Session.objects.select_related("team", "template").filter(pk=event.subject_id).first()
        if session is not None and session.team_id:
            chat.notify(team_ids=[session.team_id], event=ChatEvent.SESSION_STARTING,
                        message=chat.session_starting(session))
    elif event.subject_type == "surveys.campaign" and event.verb == "survey_report_released":
        from learnloop.surveys.models import Campaign

        campaign = Campaign.objects.filter(pk=event.subject_id).first()
        teams = ChatChannel.objects.filter(is_active=True).values_list("team_id", flat=True).distinct()
        if campaign is not None:
            chat.notify(team_ids=list(teams), event=ChatEvent.REPORT_RELEASED, message=chat.report_released(campaign))


def reminder_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.kind == "due_soon":
        _chat_for_due_soon(instance)
    if not created or raw or instance.kind != "overdue":
        return

    def build():
        data = events.subject_data("action.overdue", instance.action_id)
        if data is None:
            return None
        return events.payload("action.overdue", timestamp=instance.created_at, data=data)

    dispatch.emit("action.overdue", key=f"action.overdue:{instance.action_id}:{instance.for_date}", build=build)


def _chat_for_due_soon(reminder) -> None:
    """Once per action and due date, however many people are reminded of it."""
    from learnloop.actions.models import ActionReminder
    from learnloop.integrations import chat
    from learnloop.integrations.chat_models import ChatEvent

    same = ActionReminder.objects.filter(action_id=reminder.action_id, kind="due_soon", for_date=reminder.for_date)
    if same.exclude(pk=reminder.pk).exists():
        return
    action = reminder.action
    if action.team_id:
        chat.notify(team_ids=[action.team_id], event=ChatEvent.ACTION_DUE, message=chat.action_due(action))


def _chat_for_recurrences(find) -> None:
    from learnloop.actions.models import Action
    from learnloop.integrations import chat
    from learnloop.integrations.chat_models import ChatChannel, ChatEvent

    wanted = ChatChannel.objects.filter(is_active=True).values_list("events", flat=True)
    if not any(ChatEvent.THEME_RECURRED in events for events in wanted):
        return
    from learnloop.integrations.models import WebhookEvent

    for record in find():
        action = Action.objects.select_related("team").filter(pk=record["action_id"]).first()
        key = f"chat.theme_recurred:{record['theme_id']}:{record['action_id']}"
        if action is None or not action.team_id or WebhookEvent.objects.filter(key=key).exists():
            continue
        # The events table keeps the key, so a theme and action are told once, as for webhooks.
        WebhookEvent.objects.create(type="chat.theme_recurred", key=key, payload=record | {
            "effective_on": str(record["effective_on"]), "latest": str(record["latest"])})
        chat.notify(team_ids=[action.team_id], event=ChatEvent.THEME_RECURRED,
                    message=chat.theme_recurred(record, action))


def theme_recurred(sender, theme_ids, find, **kwargs):
    """A theme that came back after an action on it was marked effective: once per theme and
    action (the key), however often its items are placed again or regrouped."""
    _chat_for_recurrences(find)
    if not dispatch.subscribers("theme.recurred"):
        return
    from django.utils import timezone

    for record in find():
        def build(record=record):
            data = events.theme_recurrence_data(record)
            return None if data is None else events.payload("theme.recurred", timestamp=timezone.now(), data=data)

        dispatch.emit("theme.recurred", key=f"theme.recurred:{record['theme_id']}:{record['action_id']}", build=build)


def connect():
    from learnloop.actions.digest import digests_run
    from learnloop.actions.models import ActionReminder
    from learnloop.activity.models import ActivityEvent
    from learnloop.activity.signals import theme_recurred as theme_recurred_signal
    from learnloop.integrations.chat_digest import send_weekly_digests

    post_save.connect(activity_recorded, sender=ActivityEvent, dispatch_uid="integrations-activity")
    post_save.connect(reminder_saved, sender=ActionReminder, dispatch_uid="integrations-overdue-reminder")
    theme_recurred_signal.connect(theme_recurred, dispatch_uid="integrations-theme-recurred")
    digests_run.connect(send_weekly_digests, dispatch_uid="integrations-chat-digest")
