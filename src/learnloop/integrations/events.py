"""The webhook event types, which domain event each comes from, and what its payload holds.

Every payload is `{"type": ..., "timestamp": ISO 8601, "data": {...}}` (docs/integrations.md
lists the fields; the subscription API's OpenAPI has them as schemas). Events come from the
activity stream (learnloop.activity), so domain apps need not know webhooks exist. An activity
event without an actor stays without one here, and anonymous acts are never activity events at
all: a webhook never names someone the platform itself keeps anonymous.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class EventType:
    name: str
    description: str  # English, as the API gives it; pages show it in their language
    subject: str  # the data key holding the subject


EVENT_TYPES = {
    item.name: item for item in (
        EventType("action.created", gettext_noop("An action was agreed."), "action"),
        EventType("action.overdue", gettext_noop("An action passed its due date (plus the team's grace days), "
                                                 "once per action and due date."), "action"),
        EventType("action.closed", gettext_noop("An action was closed: done, or not doing."), "action"),
        EventType("effectiveness.recorded", gettext_noop("Whether a done action worked was recorded."), "action"),
        EventType("lesson.published", gettext_noop("A lesson was published in the knowledge base."), "entry"),
        EventType("session.closed", gettext_noop("A reflection session (retro, AAR, postmortem…) was closed."),
                  "session"),
        EventType("experiment.decided", gettext_noop("An experiment was decided (ship, stop, iterate…)."),
                  "experiment"),
        EventType("survey.report_released", gettext_noop("A survey campaign's report was released."), "campaign"),
        EventType("theme.recurred", gettext_noop("A recurring theme came back after an action on it was marked "
                                                 "effective (once per theme and action)."), "theme"),
    )
}

# (activity subject type, verb) -> webhook event type
FROM_ACTIVITY = {
    ("actions.action", "created"): "action.created",
    ("actions.action", "closed"): "action.closed",
    ("actions.action", "checked"): "effectiveness.recorded",
    ("knowledge.entry", "created"): "lesson.published",  # lessons only, see event_type_for
    ("reflection.session", "phase_closed"): "session.closed",
    ("experiments.experiment", "decided"): "experiment.decided",
    ("surveys.campaign", "survey_report_released"): "survey.report_released",
}


def event_type_for(subject_type: str, verb: str, data: dict) -> str | None:
    name = FROM_ACTIVITY.get((subject_type, verb))
    if name == "lesson.published" and data.get("kind") != "lesson":
        return None
    return name


def _url(name: str, **kwargs) -> str:
    return settings.BASE_URL + reverse(name, kwargs=kwargs)


def _person(person) -> dict | None:
    return {"id": person.pk, "name": person.full_name} if person is not None else None


def _team(team) -> dict | None:
    return {"id": team.pk, "name": team.name} if team is not None else None


def _day(value) -> str | None:
    return value.isoformat() if value else None


def action_data(action) -> dict:
    return {
        "id": action.pk, "title": action.title, "status": action.status, "priority": action.priority,
        "due_on": _day(action.due_on), "check_on": _day(action.check_on), "effect": action.effect,
        "team": _team(action.team), "owner": _person(action.owner),
        "url": _url("actions:detail", action_id=action.pk),
    }


def _entry_data(entry) -> dict:
    return {
        "id": entry.pk, "title": entry.title, "kind": entry.kind, "visibility": entry.visibility,
        "team": _team(entry.owner_team), "url": _url("knowledge:entry", entry_id=entry.pk),
    }


def _session_data(session) -> dict:
    return {
        "id": session.pk, "title": session.title, "template": session.template.name,
        "team": _team(session.team), "url": _url("reflection:session", session_id=session.pk),
    }


def _experiment_data(experiment) -> dict:
    return {
        "id": experiment.pk, "title": experiment.title, "decision": experiment.decision,
        "outcome": experiment.outcome, "team": _team(experiment.team),
        "url": _url("experiments:detail", experiment_id=experiment.pk),
    }


def _campaign_data(campaign) -> dict:
    return {"id": campaign.pk, "name": campaign.name, "url": _url("surveys:campaign", campaign_id=campaign.pk)}


def theme_recurrence_data(record: dict) -> dict | None:
    """A theme that came back (activity.signals' record): its title and size, the action once
    found effective, and how many texts came after. No text of an item: retro cards or survey
    comments stay on the theme's page, where each reader sees only what they may."""
    from learnloop.actions.models import Action

    action = Action.objects.select_related("team", "owner").filter(pk=record["action_id"]).first()
    if action is None:
        return None
    return {
        "theme": {"id": record["theme_id"], "title": record["title"], "items": record["items"],
                  "url": _url("insights:theme", theme_id=record["theme_id"])},
        "action": action_data(action),
        "effective_on": _day(record["effective_on"]),
        "items_since": record["items_since"],
        "latest": _day(record["latest"]),
    }


def subject_data(event_type: str, subject_id: str) -> dict | None:
    """The subject's fields as of now (None if it is gone)."""
    from learnloop.actions.models import Action
    from learnloop.experiments.models import Experiment
    from learnloop.knowledge.models import Entry
    from learnloop.reflection.models import Session
    from learnloop.surveys.models import Campaign

    key = EVENT_TYPES[event_type].subject
    model, related, build = {
        "action": (Action, ("team", "owner"), action_data),
        "entry": (Entry, ("owner_team",), _entry_data),
        "session": (Session, ("team", "template"), _session_data),
        "experiment": (Experiment, ("team",), _experiment_data),
        "campaign": (Campaign, (), _campaign_data),
    }[key]
    rows = model.objects.select_related(*related) if related else model.objects.all()
    subject = rows.filter(pk=subject_id).first()
    return None if subject is None else {key: build(subject)}


def payload(event_type: str, *, timestamp, data: dict, actor=None, extra: dict | None = None) -> dict:
    body = dict(data)
    body["actor"] = _person(actor)
    body.update(extra or {})
    return {"type": event_type, "timestamp": timestamp.isoformat(), "data": body}
