"""API for the knowledge base: entries, their history, reuse, questions and answers, search.

Visibility is the selectors' business: every entry a path names is fetched through
`selectors.entry_for`, so an entry the caller may not see answers 404 exactly like one that
doesn't exist, and an entry named in a body (a link target, a successor) is "no entry with
that id" (400) in both cases too.
"""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from learnloop.api_base import (
    MAX_INT,
    Id,
    Number,
    Pagination,
    errors,
    person_ref,
    prebuilt_answer,
    request_fields,
    team_ref,
)
from learnloop.audit.request import client_ip
from learnloop.knowledge import entry_templates, outcomes, practice_library, search, selectors, services
from learnloop.knowledge.api_schemas import (
    MAX_SUGGESTIONS,
    AcceptIn,
    AnswerIn,
    AnswerOut,
    ApplicationIn,
    ApplicationOut,
    DiffOut,
    EntryDetail,
    EntryIn,
    EntryPatch,
    EntrySummary,
    FeedbackIn,
    FeedbackOut,
    FollowOut,
    HideAnswerIn,
    Kind,
    LinkIn,
    LinkOut,
    MarkReadIn,
    MarkReadOut,
    NotificationOut,
    ObsoleteIn,
    OutcomeIn,
    OutcomeLessonIn,
    PracticeImportIn,
    PracticeImportOut,
    ScoredEntryOut,
    SearchOut,
    SimilarIn,
    SimilarOut,
    State,
    StatusIn,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    VerifyIn,
    VersionOut,
    VersionSummary,
    VoteIn,
    search_out,
)
from learnloop.knowledge.models import Entry, EntryLink
from learnloop.knowledge.permissions import can_curate, can_edit
from learnloop.org.models import Team

router = Router(tags=["knowledge"])

MAX_PER_PAGE = 100

# --- Helpers -----------------------------------------------------------------------------------


def _entry(viewer, entry_id: int) -> Entry:
    """The entry a path names: 404 when it doesn't exist or the viewer may not see it."""
    return selectors.entry_for(viewer=viewer, entry_id=entry_id)


def _entry_ref(viewer, entry_id: int, *, field: str) -> Entry:
    """An entry named in a body: unknown and invisible ids are the same bad input (400)."""
    entry = selectors.visible_entries(viewer=viewer).filter(pk=entry_id).first()
    if entry is None:
        raise ValidationError({field: f"No entry with id {entry_id}."})
    return entry






def _teams_ref(team_ids: list[int], *, field: str) -> list[Team]:
    return [team_ref(team_id, field=field) for team_id in dict.fromkeys(team_ids)]


def _owner_field(changes: dict) -> str:
    return "owner_team_id" if changes.get("owner_team_id") else "owner_person_id"


def _detail(viewer, entry_id: int) -> Entry:
    """An entry with everything its detail shows, scoped to what the viewer may see."""
    entry = _entry(viewer, entry_id)
    selectors.with_references(viewer=viewer, entry=entry)
    entry.superseded_by = selectors.visible_successor(viewer=viewer, entry=entry)
    entry.supersedes = selectors.visible_among(
        viewer=viewer, entries=list(Entry.objects.filter(superseded_by=entry).order_by("id"))
    )
    entry.links = [
        {
            "id": link.pk,
            "kind": link.kind,
            "phrase": phrase,
            "direction": "outgoing" if link.source_id == entry.pk else "incoming",
            "entry": other,
        }
        for phrase, other, link in selectors.links_of(viewer=viewer, entry=entry)
    ]
    entry.helpful = selectors.helpful_counts(entry)
    entry.answers_out = selectors.answers_of(viewer=viewer, question=entry)
    entry.can_edit = can_edit(viewer, entry)
    entry.can_curate = can_curate(viewer, entry)
    return entry


def _scored(item) -> tuple[Entry, float]:
    """Suggestions come as hits (entry + score or similarity), (entry, score) pairs or entries."""
    if isinstance(item, Entry):
        return item, 1.0
    if isinstance(item, tuple):
        return item[0], float(item[1])
    entry = getattr(item, "entry", None)
    score = getattr(item, "similarity", None)
    if score is None:
        score = getattr(item, "score", 1.0)
    return entry, float(score)


# --- Entries -----------------------------------------------------------------------------------


@router.get("/entries", response={200: SearchOut, **errors(400)}, summary="Search and list entries, with facets")
def search_entries(
    request,
    q: str = "",
    kind: Annotated[list[Kind], Query()] = (),
    team: Annotated[list[int], Query()] = (),
    tag: Annotated[list[str], Query()] = (),
    state: Annotated[list[State], Query()] = (),
    author: Annotated[list[int], Query()] = (),
    page: Annotated[int, Query(ge=1, le=MAX_INT)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
):
    """Without `q`, every entry you may see. Filters repeat (`kind=lesson&kind=playbook`): `kind`,
    `team` (id), `tag`, `state` (fresh, due, stale, obsolete), `author` (id). Pages start at 1."""
    for team_id in team:
        team_ref(team_id, field="team")
    for author_id in author:
        person_ref(author_id, field="author")
    filters = search.SearchFilters(
        kinds=tuple(kind), team_ids=tuple(team), tags=tuple(tag), states=tuple(state), author_ids=tuple(author)
    )
    results = search.search_entries(viewer=request.user, query=q, filters=filters, page=page, per_page=per_page)
    return prebuilt_answer(search_out(results))


@router.post(
    "/entries", response={201: EntryDetail}, summary="Write an entry: a lesson, playbook, decision record or question"
)
def create_entry(request, payload: EntryIn):
    owner_person = person_ref(payload.owner_person_id, field="owner_person_id") if payload.owner_person_id else None
    owner_team = team_ref(payload.owner_team_id, field="owner_team_id") if payload.owner_team_id else None
    teams = _teams_ref(payload.team_ids, field="team_ids")
    with request_fields(owner=_owner_field(payload.dict())):
        entry = services.create_entry(
            by=request.user,
            kind=payload.kind,
            title=payload.title,
            body=payload.body,
            context=payload.context,
            options=payload.options,
            decision=payload.decision,
            consequences=payload.consequences,
            owner_person=owner_person,
            owner_team=owner_team,
            teams=teams,
            visibility=payload.visibility,
            tags=payload.tags,
            skills=payload.skills,
            review_interval_days=payload.review_interval_days,
        )
    return Status(201, _detail(request.user, entry.pk))


@router.post(
    "/entries/from-outcome",
    response={201: EntryDetail},
    summary="Turn an action's answered effectiveness check into a new lesson",
)
def lesson_from_outcome(request, payload: OutcomeLessonIn):
    entry = outcomes.lesson_from_outcome(by=request.user, action_id=payload.action, title=payload.title,
                                         body=payload.body)
    return Status(201, _detail(request.user, entry.pk))


@router.post(
    "/entries/{entry_id}/outcomes",
    response={201: EntryDetail},
    summary="Keep an action's answered effectiveness check as evidence for this entry",
)
def add_outcome(request, entry_id: Id, payload: OutcomeIn):
    entry = _entry(request.user, entry_id)
    outcomes.add_outcome(by=request.user, entry=entry, action_id=payload.action)
    return Status(201, _detail(request.user, entry.pk))


@router.get("/entries/{entry_id}", response=EntryDetail, summary="An entry with its rendered text, links and answers")
def get_entry(request, entry_id: Id):
    return _detail(request.user, entry_id)


@router.patch(
    "/entries/{entry_id}",
    response=EntryDetail,
    summary="Edit an entry: content makes a new version; owner, teams and visibility are for curators",
)
def update_entry(request, entry_id: Id, payload: EntryPatch):
    entry = _entry(request.user, entry_id)
    changes = payload.dict(exclude_unset=True)
    owner_field = _owner_field(changes)
    if "owner_person_id" in changes:
        person_id = changes.pop("owner_person_id")
        changes["owner_person"] = person_ref(person_id, field="owner_person_id") if person_id else None
    if "owner_team_id" in changes:
        team_id = changes.pop("owner_team_id")
        changes["owner_team"] = team_ref(team_id, field="owner_team_id") if team_id else None
    if "team_ids" in changes:
        changes["teams"] = _teams_ref(changes.pop("team_ids") or [], field="team_ids")
    for field in ("tags", "skills"):
        if field in changes and changes[field] is None:
            changes[field] = []
    for field in ("visibility", "review_interval_days"):
        if field in changes and changes[field] is None:
            raise ValidationError({field: "This field can't be null."})
    with request_fields(owner=owner_field, teams="team_ids"):
        services.update_entry(by=request.user, entry=entry, **changes)
    return _detail(request.user, entry_id)


# --- History -----------------------------------------------------------------------------------


@router.get("/entries/{entry_id}/versions", response=list[VersionSummary], summary="An entry's versions, newest first")
@paginate(Pagination)
def list_versions(request, entry_id: Id):
    return selectors.versions_of(_entry(request.user, entry_id))


@router.get("/entries/{entry_id}/versions/{number}", response=VersionOut, summary="One version's content")
def get_version(request, entry_id: Id, number: Number):
    entry = _entry(request.user, entry_id)
    return get_object_or_404(selectors.versions_of(entry), number=number)


@router.get("/entries/{entry_id}/diff", response=DiffOut, summary="What changed between two versions, line by line")
def diff_versions(request, entry_id: Id, old: Number, new: Number):
    entry = _entry(request.user, entry_id)
    return {"old": old, "new": new, "fields": selectors.version_diff(entry, old, new)}


@router.post(
    "/entries/{entry_id}/versions/{number}/restore",
    response=EntryDetail,
    summary="Bring back an earlier version's content as a new version",
)
def restore_version(request, entry_id: Id, number: Number):
    entry = _entry(request.user, entry_id)
    get_object_or_404(entry.versions, number=number)
    services.restore_version(by=request.user, entry=entry, number=number)
    return _detail(request.user, entry_id)


# --- Curation ----------------------------------------------------------------------------------


@router.post("/entries/{entry_id}/verify", response=EntryDetail, summary="Confirm an entry is still right (owner side)")
def verify_entry(request, entry_id: Id, payload: VerifyIn | None = None):
    entry = _entry(request.user, entry_id)
    services.verify_entry(by=request.user, entry=entry, note=payload.note if payload else "")
    return _detail(request.user, entry_id)


@router.post("/entries/{entry_id}/obsolete", response=EntryDetail, summary="Mark an entry obsolete, saying why")
def obsolete_entry(request, entry_id: Id, payload: ObsoleteIn):
    entry = _entry(request.user, entry_id)
    services.mark_obsolete(by=request.user, entry=entry, reason=payload.reason)
    return _detail(request.user, entry_id)


@router.post("/entries/{entry_id}/restore", response=EntryDetail, summary="Bring an obsolete entry back into use")
def restore_entry(request, entry_id: Id):
    entry = _entry(request.user, entry_id)
    services.restore_from_obsolete(by=request.user, entry=entry)
    return _detail(request.user, entry_id)


@router.post(
    "/entries/{entry_id}/status",
    response=EntryDetail,
    summary="Move a decision record on: accepted, deprecated, or superseded by another record",
)
def set_status(request, entry_id: Id, payload: StatusIn):
    entry = _entry(request.user, entry_id)
    successor = (
        _entry_ref(request.user, payload.superseded_by_id, field="superseded_by_id")
        if payload.superseded_by_id
        else None
    )
    with request_fields(superseded_by="superseded_by_id"):
        services.set_decision_status(by=request.user, entry=entry, status=payload.status, superseded_by=successor)
    return _detail(request.user, entry_id)


@router.get("/reviews", response=list[EntrySummary], summary="Entries I answer for that are due for review")
@paginate(Pagination)
def review_queue(request):
    return selectors.review_queue(viewer=request.user).prefetch_related("tags").select_related("author")


# --- Links -------------------------------------------------------------------------------------


@router.post("/entries/{entry_id}/links", response={201: LinkOut}, summary="Link this entry to another one")
def add_link(request, entry_id: Id, payload: LinkIn):
    entry = _entry(request.user, entry_id)
    target = _entry_ref(request.user, payload.target_id, field="target_id")
    with request_fields(target="target_id"):
        link = services.add_link(by=request.user, source=entry, target=target, kind=payload.kind)
    phrase = str(dict(EntryLink._meta.get_field("kind").choices)[link.kind])
    return Status(201, {"id": link.pk, "kind": link.kind, "phrase": phrase, "direction": "outgoing", "entry": target})


@router.delete("/links/{link_id}", response={204: None}, summary="Remove a link (its author, or editors of its source)")
def remove_link(request, link_id: Id):
    visible = selectors.visible_entries(viewer=request.user)
    link = get_object_or_404(
        EntryLink.objects.select_related("source").filter(source__in=visible, target__in=visible), pk=link_id
    )
    services.remove_link(by=request.user, link=link)
    return Status(204, None)


# --- Reuse -------------------------------------------------------------------------------------


@router.get("/entries/{entry_id}/applications", response=list[ApplicationOut], summary="Where this entry was applied")
@paginate(Pagination)
def list_applications(request, entry_id: Id):
    entry = _entry(request.user, entry_id)
    return selectors.applications_of(viewer=request.user, entry=entry)


@router.post(
    "/entries/{entry_id}/applications",
    response={201: ApplicationOut},
    summary="“I applied this here”: record where, when and how it went",
)
def record_application(request, entry_id: Id, payload: ApplicationIn):
    entry = _entry(request.user, entry_id)
    application = services.record_application(by=request.user, entry=entry, **payload.dict())
    return Status(201, selectors.with_place(viewer=request.user, application=application))


@router.post(
    "/entries/{entry_id}/feedback", response=FeedbackOut, summary="Say whether the entry helped (one answer each)"
)
def give_feedback(request, entry_id: Id, payload: FeedbackIn):
    entry = _entry(request.user, entry_id)
    feedback = services.give_feedback(by=request.user, entry=entry, helpful=payload.helpful, comment=payload.comment)
    return {"helpful": feedback.helpful, "comment": feedback.comment, "counts": selectors.helpful_counts(entry)}


# --- Questions and answers ---------------------------------------------------------------------


@router.post("/entries/{entry_id}/answers", response={201: AnswerOut}, summary="Answer a question")
def add_answer(request, entry_id: Id, payload: AnswerIn):
    question = _entry(request.user, entry_id)
    answer = services.add_answer(by=request.user, question=question, body=payload.body)
    answer.question = question
    return Status(201, answer)


def _answer_out(request, answer):
    """The answer as the caller sees it (a hidden one's text only for its author and curators)."""
    question = selectors.entry_for(viewer=request.user, entry_id=answer.question_id)
    return next(item for item in selectors.answers_of(viewer=request.user, question=question) if item.pk == answer.pk)


@router.patch(
    "/answers/{answer_id}", response=AnswerOut,
    summary="Edit your answer (only its author; it then shows as edited)",
    description="Answers show under their author's name, so nobody else can change the text: anyone else gets "
    "403. Curators (the question's owner side, learning leads, admins) can hide an answer instead.",
)
def edit_answer(request, answer_id: Id, payload: AnswerIn):
    answer = selectors.answer_for(viewer=request.user, answer_id=answer_id)
    answer = services.edit_answer(by=request.user, answer=answer, body=payload.body)
    return _answer_out(request, answer)


@router.post(
    "/answers/{answer_id}/hide", response=AnswerOut,
    summary="Hide an answer with a reason (the question's owner side, learning leads, admins)",
    description="The text is kept unchanged: its author and curators still read it; everyone else sees "
    "“Hidden by … : reason” in its place.",
)
def hide_answer(request, answer_id: Id, payload: HideAnswerIn):
    answer = selectors.answer_for(viewer=request.user, answer_id=answer_id)
    answer = services.hide_answer(by=request.user, answer=answer, reason=payload.reason)
    return _answer_out(request, answer)


@router.delete(
    "/answers/{answer_id}/hide", response=AnswerOut,
    summary="Show a hidden answer again (the question's owner side, learning leads, admins)",
)
def restore_answer(request, answer_id: Id):
    answer = selectors.answer_for(viewer=request.user, answer_id=answer_id)
    answer = services.restore_answer(by=request.user, answer=answer)
    return _answer_out(request, answer)


@router.post(
    "/entries/{entry_id}/accepted-answer",
    response=EntryDetail,
    summary="Mark the answer that solved a question (its asker or owner side); null clears it",
)
def accept_answer(request, entry_id: Id, payload: AcceptIn):
    question = _entry(request.user, entry_id)
    answer = None
    if payload.answer_id is not None:
        answer = question.answers.filter(pk=payload.answer_id).first()
        if answer is None:
            raise ValidationError({"answer_id": f"This question has no answer with id {payload.answer_id}."})
    services.accept_answer(by=request.user, question=question, answer=answer)
    return _detail(request.user, entry_id)


@router.post(
    "/answers/{answer_id}/vote", response=AnswerOut,
    summary="Vote on an answer: 1 useful, -1 not, 0 withdraws (one vote per person, not on your own)",
)
def vote_answer(request, answer_id: Id, payload: VoteIn):
    answer = selectors.answer_for(viewer=request.user, answer_id=answer_id)
    services.vote_on_answer(by=request.user, answer=answer, value=payload.value)
    return _answer_out(request, answer)


@router.get(
    "/unanswered", response={200: list[EntrySummary], **errors(400)},
    summary="Questions with no answer yet, oldest first (a team's, or every team's)",
)
@paginate(Pagination)
def unanswered_questions(request, team: Id | None = None):
    chosen = team_ref(team, field="team") if team is not None else None
    return selectors.unanswered_questions(viewer=request.user, team=chosen).prefetch_related("tags")


# --- Following and notifications ----------------------------------------------------------------


@router.post("/entries/{entry_id}/follow", response=FollowOut, summary="Follow an entry: hear when it changes")
def follow_entry(request, entry_id: Id):
    services.follow_entry(by=request.user, entry=_entry(request.user, entry_id))
    return {"following": True}


@router.delete("/entries/{entry_id}/follow", response=FollowOut, summary="Stop following an entry")
def unfollow_entry(request, entry_id: Id):
    services.unfollow_entry(by=request.user, entry=_entry(request.user, entry_id))
    return {"following": False}


@router.get("/notifications", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(Pagination)
def notifications(request, unread: bool = False):
    return selectors.notifications_of(viewer=request.user, unread_only=unread)


@router.post("/notifications/read", response=MarkReadOut, summary="Mark my notifications read (those named, or all)")
def mark_notifications_read(request, payload: MarkReadIn):
    return {"count": services.mark_notifications_read(by=request.user, ids=payload.ids)}


# --- Entry templates ----------------------------------------------------------------------------


def _template(request, template_id: int):
    template = entry_templates.template_for(viewer=request.user, template_id=template_id)
    if template is None:
        raise Http404("No such template, or it is another team's.")
    return template


@router.get("/templates", response=list[TemplateOut],
            summary="Entry templates I can use (the organization's and my teams')")
@paginate(Pagination)
def list_templates(request, kind: Kind | None = None):
    return entry_templates.usable_templates(viewer=request.user, kind=kind)


@router.post("/templates", response={201: TemplateOut},
             summary="Add an entry template (org: learning leads; team: its leads)")
def create_template(request, payload: TemplateIn):
    values = payload.dict()
    team_id = values.pop("team_id")
    team = team_ref(team_id, field="team_id", current=True) if team_id is not None else None
    return Status(201, entry_templates.create_template(by=request.user, team=team, **values))


@router.patch("/templates/{template_id}", response=TemplateOut, summary="Change an entry template (who may manage it)")
def update_template(request, template_id: Id, payload: TemplatePatch):
    template = _template(request, template_id)
    return entry_templates.update_template(by=request.user, template=template, **payload.dict(exclude_unset=True))


@router.delete("/templates/{template_id}", response={204: None}, summary="Delete an entry template (who may manage it)")
def delete_template(request, template_id: Id):
    entry_templates.delete_template(by=request.user, template=_template(request, template_id))
    return Status(204, None)


# --- Suggestions -------------------------------------------------------------------------------


@router.get("/entries/{entry_id}/related", response=list[ScoredEntryOut], summary="Entries related to this one")
def related_entries(request, entry_id: Id, limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS)] = 5):
    entry = _entry(request.user, entry_id)
    items = search.related_entries(viewer=request.user, entry=entry, limit=limit, with_scores=True)
    return [{"entry": found, "score": score} for found, score in map(_scored, items)]


@router.post(
    "/similar",
    response=list[SimilarOut],
    summary="Entries similar to a draft: check before writing a duplicate",
)
def similar_entries(request, payload: SimilarIn):
    items = search.similar_entries(
        viewer=request.user,
        title=payload.title,
        body=payload.body,
        exclude_id=payload.exclude_id,
        limit=payload.limit,
    )
    return [{"entry": found, "similarity": score} for found, score in map(_scored, items)]


@router.post(
    "/practices/import",
    response={200: PracticeImportOut, **errors(400, 403)},
    summary="Import the learning-practice library: the playbooks not yet in the knowledge base (admins)",
    description=(
        "Adds each library playbook whose `practice:<slug>` tag no entry carries yet and leaves the others "
        "as they are, so importing twice creates nothing new. 403 unless the caller is an admin."
    ),
)
def import_practices(request, payload: PracticeImportIn | None = None):
    report = practice_library.import_library(
        by=request.user, dry_run=bool(payload and payload.dry_run), ip_address=client_ip(request), via="api"
    )
    return report.as_dict()
