"""Request and response shapes of the knowledge API."""

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Int32, PersonRef, TeamRef
from learnloop.knowledge.markdown import render_markdown

Kind = Literal["lesson", "playbook", "decision", "question"]
State = Literal["fresh", "due", "stale", "obsolete"]
MAX_SUGGESTIONS = 20


class OwnerOut(Schema):
    type: Literal["person", "team"]
    id: int
    name: str


class EntryRef(Schema):
    id: int
    kind: str
    title: str


class EntrySummary(Schema):
    id: int
    kind: str
    title: str
    status: str = Field(description="Decision records only: proposed, accepted, deprecated or superseded.")
    freshness: State
    visibility: str
    owner: OwnerOut
    author: PersonRef
    tags: list[str]
    application_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    review_due_at: datetime
    obsolete_at: datetime | None

    @staticmethod
    def resolve_freshness(entry):
        return entry.freshness()

    @staticmethod
    def resolve_owner(entry):
        if entry.owner_person_id:
            return {"type": "person", "id": entry.owner_person_id, "name": entry.owner_person.full_name}
        return {"type": "team", "id": entry.owner_team_id, "name": entry.owner_team.name}

    @staticmethod
    def resolve_tags(entry):
        known = getattr(entry, "known_tag_names", None)  # a search hit's, read with its ranking
        return known if known is not None else sorted(tag.name for tag in entry.tags.all())


def entry_summary(entry) -> dict:
    """EntrySummary's output for a loaded entry, built directly: what the search answers for
    each hit. Validating a page of hits through the schema (ninja reads every field through a
    getter object) took 4.5 ms of a 17 ms call for 100 hits; this takes 1.7. A test holds
    this equal to the schema's output, field by field, so the two cannot drift apart."""
    author = entry.author
    return {
        "id": entry.pk, "kind": entry.kind, "title": entry.title, "status": entry.status,
        "freshness": entry.freshness(), "visibility": entry.visibility,
        "owner": EntrySummary.resolve_owner(entry),
        "author": {"id": author.pk, "full_name": author.full_name, "email": author.email},
        "tags": EntrySummary.resolve_tags(entry), "application_count": entry.application_count,
        "version": entry.version, "created_at": entry.created_at, "updated_at": entry.updated_at,
        "review_due_at": entry.review_due_at, "obsolete_at": entry.obsolete_at,
    }


class RefOut(Schema):
    """A typed reference as the caller reads it (learnloop.links): a link when they may follow it."""

    type: str
    id: str
    title: str = Field(description="The object's current title; for a type that is not linkable, the "
                                   "stored label; for an object the caller may not see, only its kind.")
    url: str | None = Field(description="Its page; null when there is nothing the caller may follow.")


def _ref(shown) -> dict | None:
    if shown is None:
        return None
    return {"type": shown.type, "id": shown.id, "title": shown.title, "url": shown.url}


class ProvenanceOut(Schema):
    type: str
    id: str
    title: str
    url: str | None
    source_type: str
    source_id: str
    label: str = Field(description="Same as title (kept for older clients).")
    created_at: datetime

    @staticmethod
    def resolve_type(row):
        return row.source_type

    @staticmethod
    def resolve_id(row):
        return row.source_id

    @staticmethod
    def resolve_title(row):
        return row.shown.title

    @staticmethod
    def resolve_label(row):
        return row.shown.title

    @staticmethod
    def resolve_url(row):
        return row.shown.url


class OutcomeOut(Schema):
    """An answered effectiveness check kept as evidence for the entry."""

    id: int
    check: RefOut
    effect: str
    evidence: str
    checked_at: datetime | None
    added_by: PersonRef
    added_at: datetime

    @staticmethod
    def resolve_check(row):
        return _ref(row.shown)

    @staticmethod
    def resolve_evidence(row):
        # The check's own words, for those who may see the action it belongs to.
        return row.evidence if row.shown.url else ""


class LinkOut(Schema):
    id: int
    kind: str
    phrase: str = Field(description="How the link reads from this entry: “Superseded by”, “Related to”, …")
    direction: Literal["outgoing", "incoming"]
    entry: EntryRef


def _answer_body_visible(answer) -> bool:
    # Set by selectors.answers_of for the caller; without it a hidden answer's text stays hidden.
    return getattr(answer, "body_visible", answer.hidden_at is None)


class AnswerOut(Schema):
    id: int
    body: str = Field(description="Empty when the answer is hidden and the caller is neither its author nor a curator.")
    body_html: str
    author: PersonRef
    accepted: bool
    created_at: datetime
    updated_at: datetime
    edited: bool = Field(description="The author changed the text after posting (only authors can).")
    edited_at: datetime | None
    hidden: bool
    hidden_by: PersonRef | None = Field(description="Who hid the answer, when hidden.")
    hidden_reason: str = Field(description="Why it was hidden, shown to everyone who sees the question.")
    hidden_at: datetime | None
    score: int = Field(0, description="Up votes minus down votes; answers are listed accepted first, then by score.")
    my_vote: Literal[1, -1, 0] = Field(0, description="The caller's vote on this answer (0: none).")

    @staticmethod
    def resolve_score(answer):
        return getattr(answer, "score", 0)

    @staticmethod
    def resolve_my_vote(answer):
        return getattr(answer, "my_vote", 0)

    @staticmethod
    def resolve_body(answer):
        return answer.body if _answer_body_visible(answer) else ""

    @staticmethod
    def resolve_body_html(answer):
        return render_markdown(answer.body) if _answer_body_visible(answer) else ""

    @staticmethod
    def resolve_edited(answer):
        return answer.edited_at is not None

    @staticmethod
    def resolve_hidden(answer):
        return answer.hidden_at is not None

    @staticmethod
    def resolve_accepted(answer):
        return answer.question.accepted_answer_id == answer.pk


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str = Field(description="Detected from the content, not the name.")
    size: int
    url: str

    @staticmethod
    def resolve_url(attachment):
        return f"/knowledge/{attachment.entry_id}/attachments/{attachment.pk}/"


class HelpfulCounts(Schema):
    yes: int
    no: int


class EntryDetail(EntrySummary):
    body: str
    context: str
    options: str
    decision: str
    consequences: str
    body_html: str = Field(description="The body rendered from Markdown and sanitized.")
    context_html: str
    options_html: str
    decision_html: str
    consequences_html: str
    superseded_by: EntryRef | None
    supersedes: list[EntryRef]
    teams: list[TeamRef]
    skills: list[str]
    review_interval_days: int
    last_verified_at: datetime
    last_verified_by: PersonRef | None
    obsolete_reason: str
    provenance: list[ProvenanceOut]
    outcomes: list[OutcomeOut] = Field(description="Answered checks of actions taken on it, latest first.")
    verified_by_outcome_at: datetime | None
    review_flag: str = Field(description="Why an outcome flagged it for review; empty when not flagged.")
    review_flagged_at: datetime | None
    links: list[LinkOut]
    helpful: HelpfulCounts
    answers: list[AnswerOut]
    attachments: list["AttachmentOut"] = Field(
        description="Images and files attached to the entry; `url` downloads one (signed-in browser session).")
    accepted_answer_id: int | None
    can_edit: bool
    can_curate: bool

    @staticmethod
    def resolve_attachments(entry):
        return list(entry.attachments.all())

    @staticmethod
    def resolve_skills(entry):
        return sorted(skill.name for skill in entry.skills.all())

    @staticmethod
    def resolve_teams(entry):
        return list(entry.teams.all())

    @staticmethod
    def resolve_provenance(entry):
        return list(entry.provenance.all())

    @staticmethod
    def resolve_outcomes(entry):
        return list(entry.outcomes.all())

    @staticmethod
    def resolve_answers(entry):
        # Set by _detail: only questions list answers.
        return entry.answers_out

    @staticmethod
    def resolve_body_html(entry):
        return render_markdown(entry.body)

    @staticmethod
    def resolve_context_html(entry):
        return render_markdown(entry.context)

    @staticmethod
    def resolve_options_html(entry):
        return render_markdown(entry.options)

    @staticmethod
    def resolve_decision_html(entry):
        return render_markdown(entry.decision)

    @staticmethod
    def resolve_consequences_html(entry):
        return render_markdown(entry.consequences)


class FacetOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class HitOut(Schema):
    entry: EntrySummary
    score: float
    title_html: str = Field(description="The title, HTML-escaped, with the query's words in <mark>.")
    snippet_html: str = Field(description="An excerpt, HTML-escaped, with the query's words in <mark>.")


class SearchOut(Schema):
    query: str
    terms: list[str]
    total: int
    page: int
    per_page: int
    pages: int
    hits: list[HitOut]
    facets: dict[str, list[FacetOut]]


def search_out(results) -> dict:
    """SearchOut's output for a page of search results (search.SearchResults), built directly
    (see entry_summary): the search endpoint answers with it as is."""
    return {
        "query": results.query, "terms": list(results.terms), "total": results.total, "page": results.page,
        "per_page": results.per_page, "pages": results.pages,
        "hits": [
            {"entry": entry_summary(hit.entry), "score": float(hit.score), "title_html": hit.title_html,
             "snippet_html": hit.snippet_html}
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": facet.value, "label": facet.label, "count": facet.count, "selected": facet.selected}
                   for facet in facets]
            for name, facets in results.facets.items()
        },
    }


class ScoredEntryOut(Schema):
    entry: EntrySummary
    score: float


class SimilarOut(Schema):
    entry: EntrySummary
    similarity: float


class VersionSummary(Schema):
    number: int
    changed_by: PersonRef
    change_note: str
    created_at: datetime


class VersionOut(VersionSummary):
    content: dict


class DiffLineOut(Schema):
    kind: Literal["same", "added", "removed"]
    text: str


class FieldDiffOut(Schema):
    field: str
    lines: list[DiffLineOut]


class DiffOut(Schema):
    old: int
    new: int
    fields: list[FieldDiffOut]


class ApplicationOut(Schema):
    id: int
    entry_id: int
    person: PersonRef
    context: str
    context_type: str
    context_id: str
    place: RefOut | None = Field(description="The object named by context_type and context_id, as the caller "
                                             "reads it; null for a place given as text only.")
    applied_on: date
    outcome: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_place(row):
        return _ref(getattr(row, "shown", None))


class FeedbackOut(Schema):
    helpful: bool
    comment: str
    counts: HelpfulCounts


class EntryIn(InputSchema):
    kind: Kind
    title: str
    body: str = ""
    context: str = ""
    options: str = ""
    decision: str = ""
    consequences: str = ""
    owner_person_id: Id | None = Field(None, description="Owner: a person, or…")
    owner_team_id: Id | None = Field(None, description="…a team. Neither: the author owns it.")
    team_ids: list[Id] = []
    visibility: Literal["everyone", "team"] = "everyone"
    tags: list[str] = []
    skills: list[str] = []
    review_interval_days: Int32 | None = None


class EntryPatch(InputSchema):
    change_note: str = Field("", description="Why the content changed; kept with the new version.")
    title: str | None = None
    body: str | None = None
    context: str | None = None
    options: str | None = None
    decision: str | None = None
    consequences: str | None = None
    tags: list[str] | None = None
    skills: list[str] | None = None
    team_ids: list[Id] | None = None
    visibility: Literal["everyone", "team"] | None = None
    owner_person_id: Id | None = None
    owner_team_id: Id | None = None
    review_interval_days: Int32 | None = None


class VerifyIn(InputSchema):
    note: str = ""


class ObsoleteIn(InputSchema):
    reason: str


class StatusIn(InputSchema):
    status: Literal["proposed", "accepted", "deprecated", "superseded"]
    superseded_by_id: Id | None = None


class LinkIn(InputSchema):
    target_id: Id
    kind: Literal["related", "contradicts", "supersedes"] = "related"


class ApplicationIn(InputSchema):
    context: str = Field("", description="Where you applied it: a project, a team, a session…")
    context_type: str = ""
    context_id: str = ""
    applied_on: date | None = None
    outcome: Literal["worked", "partly", "did_not_work", "too_early"] = "too_early"
    note: str = ""


class OutcomeIn(InputSchema):
    action: Id = Field(description="The action whose answered effectiveness check is kept as evidence.")


class OutcomeLessonIn(InputSchema):
    action: Id = Field(description="The action whose answered effectiveness check becomes a lesson.")
    title: str
    body: str = Field("", description="The lesson (Markdown); defaults to the check's answer and evidence.")


class FeedbackIn(InputSchema):
    helpful: bool
    comment: str = ""


class AnswerIn(InputSchema):
    body: str


class HideAnswerIn(InputSchema):
    reason: str = Field(description="Why the answer is hidden; shown under it to everyone who sees the question.")


class AcceptIn(InputSchema):
    answer_id: Id | None = Field(description="The answer that solved it; null clears the choice.")


class SimilarIn(InputSchema):
    title: str
    body: str = ""
    exclude_id: Id | None = None
    limit: int = Field(5, ge=1, le=MAX_SUGGESTIONS)


class PracticeImportIn(InputSchema):
    dry_run: bool = Field(False, description="Say what would be imported; change nothing.")


class LibraryPracticeOut(Schema):
    slug: str = Field(description="The library practice; its entry carries the tag practice:<slug>.")
    title: str
    entry_id: int | None = Field(description="The entry created (null in a dry run), or the one already holding it.")


class PracticeImportOut(Schema):
    dry_run: bool
    summary: str
    created: list[LibraryPracticeOut]
    skipped: list[LibraryPracticeOut] = Field(description="Practices already in the knowledge base, left as they are.")


class VoteIn(InputSchema):
    value: Literal[1, -1, 0] = Field(description="1: useful, -1: wrong or misleading, 0: withdraw your vote.")


class FollowOut(Schema):
    following: bool


class NotificationOut(Schema):
    id: int
    kind: Literal["entry_review", "entry_answer", "entry_comment", "entry_followed"]
    text: str
    entry: EntryRef
    actor: PersonRef | None
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(notification):
        return notification.read_at is not None


class MarkReadIn(InputSchema):
    ids: list[Id] | None = Field(None, description="The notifications to mark read; null or absent: all of yours.")


class MarkReadOut(Schema):
    count: int = Field(description="How many notifications were unread and are now read.")


class TemplateOut(Schema):
    id: int
    name: str
    kind: Kind
    team: TeamRef | None = Field(description="Null: an organization-wide template.")
    description: str
    body: str
    context: str
    options: str
    decision: str
    consequences: str
    updated_at: datetime


class TemplateIn(InputSchema):
    name: str
    kind: Kind
    team_id: Id | None = Field(None, description="The team whose template it is; null: the whole organization "
                                                 "(learning leads and admins).")
    description: str = ""
    body: str = ""
    context: str = ""
    options: str = ""
    decision: str = ""
    consequences: str = ""


class TemplatePatch(InputSchema):
    name: str | None = None
    description: str | None = None
    body: str | None = None
    context: str | None = None
    options: str | None = None
    decision: str | None = None
    consequences: str | None = None
