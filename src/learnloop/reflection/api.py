"""API for reflection: templates, sessions, cards, groups, votes, lessons and actions.

Anonymous and alias cards are found by their writer through the X-Writer-Key header: call
POST /sessions/{id}/join once, keep the key it returns (the server keeps only hashes of it) and
send it with every card and vote request. A session the caller may not see answers 404.
"""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Header, Router, Status

from learnloop.api_base import errors, person_ref, request_fields, team_ref
from learnloop.org.models import Person, Team
from learnloop.reflection import cards as card_services
from learnloop.reflection import follow_up, selectors, services
from learnloop.reflection.api_schemas import (
    ActionIn,
    ActionOut,
    AnonymityIn,
    BudgetIn,
    CardIn,
    CardOut,
    CardPatch,
    CloneIn,
    DecisionIn,
    GroupIn,
    GroupOut,
    GroupPatch,
    JoinOut,
    LessonIn,
    LessonOut,
    PhaseIn,
    SessionIn,
    SessionOut,
    StatusOut,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    VoteOut,
    WhyIn,
)
from learnloop.reflection.models import PHASE_ORDER, Phase
from learnloop.reflection.writer_keys import HEADER, new_key

router = Router(tags=["reflection"])
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
    return {**{f: getattr(session, f) for f in SessionOut.model_fields if f != "url"},
            "url": reverse("reflection:session", args=[session.pk])}


def _columns(columns) -> list[dict]:
    return [column.dict() for column in columns]


# --- templates ----------------------------------------------------------------------------------------------


@router.get("/templates", response=list[TemplateOut], summary="Templates you may use: built-in and custom")
def list_templates(request):
    return selectors.templates_for(request.user)


@router.post("/templates", response={201: TemplateOut}, summary="Write a custom template (organization or team)")
def create_template(request, payload: TemplateIn):
    template = services.create_template(
        by=request.user, name=payload.name, kind=payload.kind, description=payload.description,
        columns=_columns(payload.columns), scope=payload.scope, team=_team(payload.team_id),
    )
    return Status(201, template)


@router.patch("/templates/{template_id}", response=TemplateOut, summary="Edit a custom template")
def update_template(request, template_id: int, payload: TemplatePatch):
    template = selectors.template_for(request.user, template_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("columns") is not None:
        changes["columns"] = _columns(payload.columns)
    return services.update_template(by=request.user, template=template, **changes)


@router.post("/templates/{template_id}/clone", response={201: TemplateOut}, summary="Copy a template to edit")
def clone_template(request, template_id: int, payload: CloneIn):
    template = selectors.template_for(request.user, template_id)
    clone = services.clone_template(by=request.user, template=template, scope=payload.scope,
                                    team=_team(payload.team_id), name=payload.name)
    return Status(201, clone)


# --- sessions -----------------------------------------------------------------------------------------------


@router.get("/sessions", response={200: list[SessionOut], **errors(400)},
            summary="Sessions you may see, newest first")
def list_sessions(request, team_id: int | None = None):
    return [_session_out(s) for s in selectors.sessions_for(request.user, team=_team(team_id))[:200]]


@router.post("/sessions", response={201: SessionOut}, summary="Start a session")
def create_session(request, payload: SessionIn):
    team = _team(payload.team_id)
    template = selectors.template_for(request.user, payload.template_id)
    session = services.create_session(
        by=request.user, team=team, template=template, title=payload.title, goal=payload.goal, mode=payload.mode,
        phase_deadlines=payload.phase_deadlines, anonymity=payload.anonymity, vote_budget=payload.vote_budget,
        work_owner=_person(payload.work_owner_id, "work_owner_id"),
    )
    return Status(201, _session_out(session))


@router.get("/sessions/{session_id}", response=SessionOut, summary="One session")
def get_session(request, session_id: int):
    return _session_out(services.advance_if_due(selectors.session_for(request.user, session_id)))


@router.get("/sessions/{session_id}/status", response=StatusOut, summary="Live progress: phase, counts, who is done")
def get_status(request, session_id: int):
    return selectors.status_of(services.advance_if_due(selectors.session_for(request.user, session_id))).__dict__


@router.post("/sessions/{session_id}/join", response=JoinOut, summary="Take part, and get a writer key")
def join(request, session_id: int):
    session = selectors.session_for(request.user, session_id)
    services.join_session(by=request.user, session=session)
    return {"writer_key": new_key(), "votes_left": selectors.votes_left(request.user, session)}


@router.post("/sessions/{session_id}/phase", response=SessionOut, summary="Move one phase forward or back")
def change_phase(request, session_id: int, payload: PhaseIn):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.set_phase(by=request.user, session=session, phase=payload.phase))


@router.post("/sessions/{session_id}/reveal", response=SessionOut, summary="Show everyone's cards")
def reveal(request, session_id: int):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.reveal(by=request.user, session=session))


@router.post("/sessions/{session_id}/anonymity", response=SessionOut, summary="Raise anonymity (never lower)")
def raise_anonymity(request, session_id: int, payload: AnonymityIn):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.raise_anonymity(by=request.user, session=session, anonymity=payload.anonymity))


@router.post("/sessions/{session_id}/budget", response=SessionOut, summary="Set the votes each person has")
def set_budget(request, session_id: int, payload: BudgetIn):
    session = selectors.session_for(request.user, session_id)
    return _session_out(services.set_vote_budget(by=request.user, session=session, budget=payload.vote_budget))


# --- cards, groups, votes --------------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/cards", response=list[CardOut], summary="Cards as you may see them")
def list_cards(request, session_id: int, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    return [card.__dict__ for card in selectors.cards_for(request.user, session, writer_key)]


@router.post("/sessions/{session_id}/cards", response={201: CardOut}, summary="Write a card (needs X-Writer-Key)")
def write_card(request, session_id: int, payload: CardIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = card_services.write_card(by=request.user, session=session, column=payload.column, text=payload.text,
                                    writer_key=writer_key)
    view = next(c for c in selectors.cards_for(request.user, session, writer_key) if c.id == str(card.pk))
    return Status(201, view.__dict__)


@router.delete("/sessions/{session_id}/cards/{card_id}", response={204: None}, summary="Delete your card")
def delete_card(request, session_id: int, card_id: str, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(card_id, "card_id"))
    card_services.delete_card(by=request.user, session=session, card=card, writer_key=writer_key)
    return Status(204, None)


@router.patch("/sessions/{session_id}/cards/{card_id}", response=CardOut,
              summary="Edit your card while writing (needs X-Writer-Key unless the session is named)")
def edit_card(request, session_id: int, card_id: str, payload: CardPatch, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(card_id, "card_id"))
    card_services.edit_card(by=request.user, session=session, card=card, text=payload.text, writer_key=writer_key)
    return next(c for c in selectors.cards_for(request.user, session, writer_key) if c.id == str(card.pk)).__dict__


@router.post("/sessions/{session_id}/cards/{card_id}/whys", response={201: CardOut}, summary="Add a why")
def add_why(request, session_id: int, card_id: str, payload: WhyIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(card_id, "card_id"))
    card_services.add_why(by=request.user, session=session, card=card, text=payload.text)
    view = next(c for c in selectors.cards_for(request.user, session, writer_key) if c.id == str(card.pk))
    return Status(201, view.__dict__)


@router.post("/sessions/{session_id}/cards/{card_id}/decision", response=CardOut,
             summary="Critique: the work's owner takes a note or leaves it")
def decide_note(request, session_id: int, card_id: str, payload: DecisionIn, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    card = selectors.card_in(session, _uuid(card_id, "card_id"))
    card_services.decide_note(by=request.user, session=session, card=card, decision=payload.decision,
                              reason=payload.reason)
    return next(c for c in selectors.cards_for(request.user, session, writer_key) if c.id == str(card.pk)).__dict__


def _groups_out(viewer, session) -> list[dict]:
    show_votes = session.phase_index >= PHASE_ORDER.index(Phase.DISCUSS)
    return [{"id": g["id"], "title": g["title"], "votes": g["votes"] if show_votes else None,
             "card_ids": [c.id for c in g["cards"]]}
            for g in selectors.groups_with_cards(session, selectors.cards_for(viewer, session))]


@router.get("/sessions/{session_id}/groups", response=list[GroupOut],
            summary="Groups, most votes first (tallies shown from the discuss phase)")
def list_groups(request, session_id: int):
    return _groups_out(request.user, selectors.session_for(request.user, session_id))


@router.get("/sessions/{session_id}/suggestions", response=list[list[str]],
            summary="Ungrouped cards that read alike: suggested groups, as card ids")
def suggestions(request, session_id: int):
    session = selectors.session_for(request.user, session_id)
    return [[c.id for c in group] for group in selectors.suggested_groups(session, selectors.cards_for(
        request.user, session))]


@router.post("/sessions/{session_id}/groups", response={201: GroupOut}, summary="Group cards")
def group_cards(request, session_id: int, payload: GroupIn):
    session = selectors.session_for(request.user, session_id)
    chosen = [selectors.card_in(session, _uuid(card_id, "card_ids")) for card_id in payload.card_ids]
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id")) if payload.group_id else None
    with request_fields(cards="card_ids"):
        group = card_services.group_cards(by=request.user, session=session, cards=chosen, title=payload.title,
                                          group=group)
    return Status(201, next(g for g in _groups_out(request.user, session) if g["id"] == str(group.pk)))


@router.patch("/sessions/{session_id}/groups/{group_id}", response=GroupOut, summary="Rename a group")
def rename_group(request, session_id: int, group_id: str, payload: GroupPatch):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(group_id, "group_id"))
    card_services.rename_group(by=request.user, session=session, group=group, title=payload.title)
    return next(g for g in _groups_out(request.user, session) if g["id"] == str(group.pk))


@router.post("/sessions/{session_id}/groups/{group_id}/votes", response={201: VoteOut},
             summary="Put one of your votes on a group (needs X-Writer-Key)")
def vote(request, session_id: int, group_id: str, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(group_id, "group_id"))
    participant = card_services.cast_vote(by=request.user, session=session, group=group, writer_key=writer_key)
    return Status(201, {"votes_left": session.vote_budget - participant.votes_used})


@router.delete("/sessions/{session_id}/groups/{group_id}/votes", response=VoteOut,
               summary="Withdraw one of your votes (only with the key it was cast with)")
def withdraw(request, session_id: int, group_id: str, writer_key: str | None = WriterKey):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(group_id, "group_id"))
    participant = card_services.withdraw_vote(by=request.user, session=session, group=group, writer_key=writer_key)
    return {"votes_left": session.vote_budget - participant.votes_used}


# --- follow-up ----------------------------------------------------------------------------------------------


@router.post("/sessions/{session_id}/lessons", response={201: LessonOut},
             summary="Promote a group or a card to a knowledge lesson")
def promote(request, session_id: int, payload: LessonIn):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id")) if payload.group_id else None
    card = selectors.card_in(session, _uuid(payload.card_id, "card_id")) if payload.card_id else None
    entry = follow_up.promote_to_lesson(by=request.user, session=session, title=payload.title, body=payload.body,
                                        group=group, card=card)
    return Status(201, {"entry_id": entry.pk, "title": entry.title})


@router.get("/sessions/{session_id}/actions", response=list[ActionOut], summary="The session's actions")
def list_actions(request, session_id: int):
    return follow_up.actions_of(selectors.session_for(request.user, session_id))


@router.post("/sessions/{session_id}/actions", response={201: ActionOut}, summary="Create an action from the session")
def create_action(request, session_id: int, payload: ActionIn):
    session = selectors.session_for(request.user, session_id)
    group = selectors.group_in(session, _uuid(payload.group_id, "group_id")) if payload.group_id else None
    action = follow_up.create_session_action(
        by=request.user, session=session, title=payload.title, owner=_person(payload.owner_id, "owner_id"),
        due_on=payload.due_on, priority=payload.priority, description=payload.description, group=group,
    )
    return Status(201, action)
