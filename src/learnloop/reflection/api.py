"""API for reflection: templates, sessions, cards, groups, votes, lessons and actions.

Anonymous and alias cards are found by their writer through the X-Writer-Key header: call
POST /sessions/{id}/join once (writing and voting need it), keep the key it returns (the server
keeps only hashes of it) and send it with every card and vote request. Card and vote writes
name their card or group in the JSON body, never in the path. A session the caller may not see
answers 404.
"""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Header, Router, Status
from ninja.pagination import paginate

from learnloop.api_base import (
    EXPORT_OPENAPI,
    ExportFormat,
    Id,
    Pagination,
    Shown,
    errors,
    person_ref,
    request_fields,
    team_ref,
)
from learnloop.links.api_schemas import lessons_here
from learnloop.org.models import Person, Team
from learnloop.reflection import cards as card_services
from learnloop.reflection import checkin, facilitation, follow_up, selectors, services, summary
from learnloop.reflection.api_schemas import (
    CritiqueDecisionIn,
    ReflectionActionIn,
    ReflectionActionOut,
    ReflectionAnonymityIn,
    ReflectionBudgetIn,
    ReflectionCardEditIn,
    ReflectionCardIn,
    ReflectionCardOut,
    ReflectionCardRefIn,
    ReflectionCheckInIn,
    ReflectionCheckInOut,
    ReflectionCheckInQuestionIn,
    ReflectionCloneIn,
    ReflectionGroupIn,
    ReflectionGroupNotesIn,
    ReflectionGroupNotesOut,
    ReflectionGroupOut,
    ReflectionGroupRenameIn,
    ReflectionJoinOut,
    ReflectionLessonIn,
    ReflectionLessonOut,
    ReflectionPhaseIn,
    ReflectionReactionIn,
    ReflectionSessionDetailOut,
    ReflectionSessionIn,
    ReflectionSessionOut,
    ReflectionStatusOut,
    ReflectionSummaryOut,
    ReflectionTemplateIn,
    ReflectionTemplateOut,
    ReflectionTemplatePatch,
    ReflectionTimerIn,
    ReflectionVoteIn,
    ReflectionVoteOut,
    ReflectionWhyIn,
)
from learnloop.reflection.writer_keys import HEADER, new_key
from learnloop.web.tables import export_response

router = Router(tags=["reflection"])
# What any reflection operation may answer besides success: invalid for the domain (400), not
# signed in (401), not allowed (403), no such session, card or group (404), malformed body (422).
# The shared error shapes (api_base); the codes every operation of a shape can give are added
# to the schema by api_base.document_errors, these are the ones reflection's handlers give too.
ERRORS = errors(400, 401, 403, 404, 422)
WriterKey = Header(None, alias=HEADER)


def _team(team_id: int | None, field: str = "team_id") -> Team | None:
    return None if team_id is None else team_ref(team_id, field=field)


def _person(person_id: int | None, field: str) -> Person | None:
    return None if person_id is None else person_ref(person_id, field=field, active=True)


def _uuid(value: str, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise ValidationError({field: f"“{value}” is not a card or group id."}) from None


def _session_out(session) -> dict:
    return {**{f: getattr(session, f) for f in ReflectionSessionOut.model_fields if f not in COMPUTED},
            "anonymity_weak": selectors.anonymity_weak(session),
            "url": reverse("reflection:session", args=[session.pk])}


COMPUTED = {"url", "anonymity_weak"}


def _columns(columns) -> list[dict]:
    return [column.dict() for column in columns]


# --- templates ----------------------------------------------------------------------------------------------


@router.get("/templates", response={200: list[ReflectionTemplateOut], **ERRORS},
            summary="Templates you may use: built-in and custom")
@paginate(Pagination)
def list_templates(request):
    return selectors.templates_for(request.user)


@router.post("/templates", response={201: ReflectionTemplateOut, **ERRORS},
             summary="Write a custom template (organization or team)")
def create_template(request, payload: ReflectionTemplateIn):
    template = services.create_template(
        by=request.user, name=payload.name, kind=payload.kind, description=payload.description,
        columns=_columns(payload.columns), scope=payload.scope, team=_team(payload.team_id),
    )
    return Status(201, template)


@router.patch("/templates/{template_id}", response={200: ReflectionTemplateOut, **ERRORS},
              summary="Edit a custom template")
def update_template(request, template_id: Id, payload: ReflectionTemplatePatch):
    template = selectors.template_for(request.user, template_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("columns") is not None:
        changes["columns"] = _columns(payload.columns)
    return services.update_template(by=request.user, template=template, **changes)


@router.post("/templates/{template_id}/clone", response={201: ReflectionTemplateOut, **ERRORS},
             summary="Copy a template to edit")
def clone_template(request, template_id: Id, payload: ReflectionCloneIn):
    template = selectors.template_for(request.user, template_id)
    clone = services.clone_template(by=request.user, template=template, scope=payload.scope,
                                    team=_team(payload.team_id), name=payload.name)
    return Status(201, clone)


# --- sessions -----------------------------------------------------------------------------------------------


@router.get("/sessions", response={200: list[ReflectionSessionOut], **ERRORS},
            summary="Sessions you may see, newest first")
@paginate(Pagination)
def list_sessions(request, team_id: Id | None = None):
    sessions = selectors.with_participant_counts(selectors.sessions_for(request.user, team=_team(team_id)))
    return Shown(sessions, _session_out)


@router.get("/sessions/export", response={200: None, **ERRORS}, openapi_extra=EXPORT_OPENAPI,
            summary="Sessions you may see, newest first, as a CSV or JSON file")
def export_sessions(request, format: ExportFormat = "csv", team_id: Id | None = None):
    """Every session `GET /sessions` lists (not a page). See docs/exports.md."""
    rows = selectors.session_export_rows(request.user, team=_team(team_id))
    return export_response(fmt=format, filename="sessions", columns=selectors.SESSION_EXPORT_COLUMNS, rows=rows)


@router.get("/sessions/{session_id}/cards/export", response={200: None, **ERRORS}, openapi_extra=EXPORT_OPENAPI,
            summary="A session's cards as the board shows them to you, as a CSV or JSON file")
def export_cards(request, session_id: Id, format: ExportFormat = "csv", writer_key: str | None = WriterKey):
    """Before the reveal only your own cards (send your X-Writer-Key to include your anonymous
    ones). Anonymous cards carry no author, alias cards their alias; no card ids, and the rows
    are sorted by column, group and text, never in the order they were written."""
    session = selectors.session_for(request.user, session_id)
    rows = selectors.card_export_rows(request.user, session, writer_key)
    return export_response(fmt=format, filename=f"session-{session.pk}-cards",
                           columns=selectors.CARD_EXPORT_COLUMNS, rows=rows)


@router.post("/sessions", response={201: ReflectionSessionOut, **ERRORS}, summary="Start a session")
def create_session(request, payload: ReflectionSessionIn):
    team = _team(payload.team_id)
    template = selectors.template_for(request.user, payload.template_id)
    session = services.create_session(
        by=request.user, team=team, template=template, title=payload.title, goal=payload.goal, mode=payload.mode,
        phase_deadlines=payload.phase_deadlines, anonymity=payload.anonymity, vote_budget=payload.vote_budget,
        work_owner=_person(payload.work_owner_id, "work_owner_id"), checkin_question=payload.checkin_question,
    )
    return Status(201, _session_out(session))


@router.get("/sessions/{session_id}", response={200: ReflectionSessionDetailOut, **ERRORS},
            summary="One session, with the lessons that came from it and were applied in it")
def get_session(request, session_id: Id):
    session = services.advance_if_due(selectors.session_for(request.user, session_id))
    return {**_session_out(session), **lessons_here(selectors.lessons_here(request.user, session))}


@router.get("/sessions/{session_id}/status", response={200: ReflectionStatusOut, **ERRORS},
            summary="Live progress: phase, counts, who is done")
def get_status(request, session_id: Id):
    return _status_out(services.advance_if_due(selectors.session_for(request.user, session_id)))


def _status_out(session) -> dict:
    status = selectors.status_of(session).__dict__
    timer = status.pop("timer")
    return {**status, "timer_seconds_left": timer.seconds_left if timer else None,
            "timer_auto_advance": bool(timer and timer.auto_advance)}


@router.post("/sessions/{session_id}/timer", response={200: ReflectionStatusOut, **ERRORS},
             summary="Start the current phase's timer (live sessions; facilitators)")
def start_timer(request, session_id: Id, payload: ReflectionTimerIn):
    session = selectors.session_for(request.user, session_id)
    return _status_out(facilitation.start_timer(by=request.user, session=session, minutes=payload.minutes,
                                                auto_advance=payload.auto_advance))


@router.delete("/sessions/{session_id}/timer", response={200: ReflectionStatusOut, **ERRORS},
               summary="Stop the timer")
def stop_timer(request, session_id: Id):
    session = selectors.session_for(request.user, session_id)
    return _status_out(facilitation.stop_timer(by=request.user, session=session))


def _checkin_out(request, session, writer_key) -> dict:
    found = checkin.round_for(request.user, session, writer_key)
    if found is None:  # no question, or closed: its answers are gone
        return {"question": "", "open": False, "shown": False, "count": 0, "mine": "", "answers": []}
    return {"question": found.question, "open": found.open, "shown": found.shown, "count": found.count,
            "mine": found.mine, "answers": found.answers}


@router.post("/sessions/{session_id}/checkin/question", response={200: ReflectionSessionOut, **ERRORS},
             summary="Ask, change or (with an empty question) drop the check-in question; facilitator, while preparing")
def set_checkin_question(request, session_id: Id, payload: ReflectionCheckInQuestionIn):
    session = selectors.session_for(request.user, session_id)
    return _session_out(checkin.set_question(by=request.user, session=session, question=payload.question))


@router.get("/sessions/{session_id}/checkins", response={200: ReflectionCheckInOut, **ERRORS},
            summary="The check-in round: your answer, and everyone's once the session reflects")
def get_checkins(request, session_id: Id, writer_key: str | None = WriterKey):
    return _checkin_out(request, selectors.session_for(request.user, session_id), writer_key)


@router.post("/sessions/{session_id}/checkins", response={200: ReflectionCheckInOut, **ERRORS},
             summary="Answer the check-in question while the session prepares (X-Writer-Key unless named)")
def answer_checkin(request, session_id: Id, payload: ReflectionCheckInIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    checkin.answer(by=request.user, session=session, text=payload.text, writer_key=writer_key)
    return _checkin_out(request, session, writer_key)


@router.post("/sessions/{session_id}/groups/notes", response={200: ReflectionGroupNotesOut, **ERRORS},
             summary="Write a group's discussion notes and decision (facilitators)")
def write_notes(request, session_id: Id, payload: ReflectionGroupNotesIn):
    session = selectors.session_for(request.user, session_id)
    group = facilitation.write_notes(by=request.user, session=session,
                                     group=selectors.group_in(session, _uuid(payload.group_id, "group_id")),
                                     notes=payload.notes, decision=payload.decision)
    return {"id": str(group.pk), "title": group.title, "notes": group.discussion_notes, "decision": group.decision}


def _summary_card(card) -> dict:
    return {"column": card.column, "text": card.text, "byline": card.byline}


@router.get("/sessions/{session_id}/summary", response={200: ReflectionSummaryOut, **ERRORS},
            summary="The session's summary as you may see it (from the discussion on)")
def get_summary(request, session_id: Id):
    session = selectors.session_for(request.user, session_id)
    found = summary.summary_for(request.user, session)
    return {
        "session_id": session.pk, "title": session.title, "team": session.team.name, "held_on": session.held_on,
        "anonymity": session.anonymity, "participants": found.participants,
        "groups": [{"title": group.title, "votes": group.votes, "notes": group.notes, "decision": group.decision,
                    "cards": [_summary_card(card) for card in group.cards]} for group in found.groups],
        "other_cards": [_summary_card(card) for card in found.loose_cards],
        "actions": [{"id": action.pk, "title": action.title, "status": action.status,
                     "owner": action.owner.full_name if action.owner else None, "due_on": action.due_on}
                    for action in found.actions],
        "lessons": [{"id": entry.pk, "title": entry.title} for entry in found.lessons],
        "markdown": summary.as_markdown(found),
    }


@router.post("/sessions/{session_id}/join", response={200: ReflectionJoinOut, **ERRORS},
             summary="Take part, and get a writer key")
def join(request, session_id: Id):
    session = selectors.session_for(request.user, session_id)
    services.join_session(by=request.user, session=session)
    return {"writer_key": new_key(), "votes_left": selectors.votes_left(request.user, session)}


@router.post("/sessions/{session_id}/phase", response={200: ReflectionSessionOut, **ERRORS},
             summary="Move one phase forward or back")
def change_phase(request, session_id: Id, payload: ReflectionPhaseIn):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.set_phase(by=request.user, session=session, phase=payload.phase))


@router.post("/sessions/{session_id}/reveal", response={200: ReflectionSessionOut, **ERRORS},
             summary="Show everyone's cards")
def reveal(request, session_id: Id):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.reveal(by=request.user, session=session))


@router.post("/sessions/{session_id}/anonymity", response={200: ReflectionSessionOut, **ERRORS},
             summary="Raise anonymity (never lower)")
def raise_anonymity(request, session_id: Id, payload: ReflectionAnonymityIn):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.raise_anonymity(by=request.user, session=session, anonymity=payload.anonymity))


@router.post("/sessions/{session_id}/budget", response={200: ReflectionSessionOut, **ERRORS},
             summary="Set the votes each person has")
def set_budget(request, session_id: Id, payload: ReflectionBudgetIn):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.set_vote_budget(by=request.user, session=session, budget=payload.vote_budget))


# --- cards, groups, votes --------------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/cards", response={200: list[ReflectionCardOut], **ERRORS},
            summary="Cards as you may see them")
@paginate(Pagination)
def list_cards(request, session_id: Id, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    return [card.__dict__ for card in selectors.cards_for(request.user, session, writer_key)]


@router.post("/sessions/{session_id}/cards", response={201: ReflectionCardOut, **ERRORS},
             summary="Write a card (join first; needs X-Writer-Key unless the session is named)")
def write_card(request, session_id: Id, payload: ReflectionCardIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = card_services.write_card(by=request.user, session=session, column=payload.column, text=payload.text,
                                    writer_key=writer_key)
    return Status(201, _card_out(request.user, session, writer_key, card))


def _card_out(viewer, session, writer_key, card) -> dict:
    return next(c for c in selectors.cards_for(viewer, session, writer_key) if c.id == str(card.pk)).__dict__


# Writes that touch one card or group name it in the body: paths end up in access logs next
# to the client's address and time, and must not say which card was edited or what got a vote.


@router.post("/sessions/{session_id}/cards/edit", response={200: ReflectionCardOut, **ERRORS},
             summary="Edit your card while writing (needs X-Writer-Key unless the session is named)")
def edit_card(request, session_id: Id, payload: ReflectionCardEditIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(payload.card_id, "card_id"))
    card_services.edit_card(by=request.user, session=session, card=card, text=payload.text, writer_key=writer_key)
    return _card_out(request.user, session, writer_key, card)


@router.post("/sessions/{session_id}/cards/delete", response={204: None, **ERRORS},
             summary="Delete your card while writing (needs X-Writer-Key unless the session is named)")
def delete_card(request, session_id: Id, payload: ReflectionCardRefIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(payload.card_id, "card_id"))
    card_services.delete_card(by=request.user, session=session, card=card, writer_key=writer_key)
    return Status(204, None)


@router.post("/sessions/{session_id}/cards/whys", response={201: ReflectionCardOut, **ERRORS},
             summary="Add the next why to a contributing factor's chain")
def add_why(request, session_id: Id, payload: ReflectionWhyIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(payload.card_id, "card_id"))
    card_services.add_why(by=request.user, session=session, card=card, text=payload.text)
    return Status(201, _card_out(request.user, session, writer_key, card))


@router.post("/sessions/{session_id}/cards/react", response={200: ReflectionCardOut, **ERRORS},
             summary="Add an emoji reaction to a revealed card, or take it back")
def react(request, session_id: Id, payload: ReflectionReactionIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(payload.card_id, "card_id"))
    card_services.toggle_reaction(by=request.user, session=session, card=card, emoji=payload.emoji,
                                  writer_key=writer_key)
    return _card_out(request.user, session, writer_key, card)


@router.post("/sessions/{session_id}/cards/decision", response={200: ReflectionCardOut, **ERRORS},
             summary="Critique: the work's owner takes a note or leaves it")
def decide_note(request, session_id: Id, payload: CritiqueDecisionIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(payload.card_id, "card_id"))
    card_services.decide_note(by=request.user, session=session, card=card, decision=payload.decision,
                              reason=payload.reason)
    return _card_out(request.user, session, writer_key, card)


def _groups_out(viewer, session) -> list[dict]:
    # groups_with_cards hides tallies (None) and sorts by title until the vote is over.
    return [{"id": g["id"], "title": g["title"], "votes": g["votes"], "card_ids": [c.id for c in g["cards"]]}
            for g in selectors.groups_with_cards(session, selectors.cards_for(viewer, session))]


@router.get("/sessions/{session_id}/groups", response={200: list[ReflectionGroupOut], **ERRORS},
            summary="Groups: by title while voting, most votes first once the vote is over (tallies hidden until then)")
@paginate(Pagination)
def list_groups(request, session_id: Id):
    return _groups_out(request.user, selectors.session_for(request.user, session_id))


@router.get("/sessions/{session_id}/suggestions", response={200: list[list[str]], **ERRORS},
            summary="Ungrouped cards that read alike: suggested groups, as card ids")
def suggestions(request, session_id: Id):
    session = selectors.session_for(request.user, session_id)
    return [[c.id for c in group] for group in selectors.suggested_groups(session, selectors.cards_for(
        request.user, session))]


@router.post("/sessions/{session_id}/groups", response={201: ReflectionGroupOut, **ERRORS}, summary="Group cards")
def group_cards(request, session_id: Id, payload: ReflectionGroupIn):
    session = selectors.session_for(request.user, session_id)
    chosen = [selectors.card_in(session, _uuid(card_id, "card_ids")) for card_id in payload.card_ids]
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id")) if payload.group_id else None
    with request_fields(cards="card_ids"):
        group = card_services.group_cards(by=request.user, session=session, cards=chosen, title=payload.title,
                                          group=group)
    return Status(201, next(g for g in _groups_out(request.user, session) if g["id"] == str(group.pk)))


@router.post("/sessions/{session_id}/groups/rename", response={200: ReflectionGroupOut, **ERRORS},
             summary="Rename a group")
def rename_group(request, session_id: Id, payload: ReflectionGroupRenameIn):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id"))
    card_services.rename_group(by=request.user, session=session, group=group, title=payload.title)
    return next(g for g in _groups_out(request.user, session) if g["id"] == str(group.pk))


@router.post("/sessions/{session_id}/votes", response={201: ReflectionVoteOut, **ERRORS},
             summary="Put one of your votes on a group (join first; needs X-Writer-Key)")
def vote(request, session_id: Id, payload: ReflectionVoteIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id"))
    participant = card_services.cast_vote(by=request.user, session=session, group=group, writer_key=writer_key)
    return Status(201, {"votes_left": session.vote_budget - participant.votes_used})


@router.post("/sessions/{session_id}/votes/withdraw", response={200: ReflectionVoteOut, **ERRORS},
             summary="Withdraw one of your votes (only with the key it was cast with)")
def withdraw(request, session_id: Id, payload: ReflectionVoteIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id"))
    participant = card_services.withdraw_vote(by=request.user, session=session, group=group, writer_key=writer_key)
    return {"votes_left": session.vote_budget - participant.votes_used}


# --- follow-up ----------------------------------------------------------------------------------------------


@router.post("/sessions/{session_id}/lessons", response={201: ReflectionLessonOut, **ERRORS},
             summary="Promote a group or a card to a knowledge lesson")
def promote(request, session_id: Id, payload: ReflectionLessonIn):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id")) if payload.group_id else None
    card = selectors.card_in(session, _uuid(payload.card_id, "card_id")) if payload.card_id else None
    entry = follow_up.promote_to_lesson(by=request.user, session=session, title=payload.title, body=payload.body,
                                        group=group, card=card)
    return Status(201, {"entry_id": entry.pk, "title": entry.title})


@router.get("/sessions/{session_id}/actions", response={200: list[ReflectionActionOut], **ERRORS},
            summary="The session's actions")
@paginate(Pagination)
def list_actions(request, session_id: Id):
    return follow_up.actions_of(selectors.session_for(request.user, session_id))


@router.post("/sessions/{session_id}/actions", response={201: ReflectionActionOut, **ERRORS},
             summary="Create an action from the session")
def create_action(request, session_id: Id, payload: ReflectionActionIn):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id")) if payload.group_id else None
    action = follow_up.create_session_action(
        by=request.user, session=session, title=payload.title, owner=_person(payload.owner_id, "owner_id"),
        due_on=payload.due_on, priority=payload.priority, description=payload.description, group=group,
    )
    return Status(201, action)
