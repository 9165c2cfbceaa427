"""Reading the knowledge base, always scoped to what the viewer may see."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_noop

from learnloop.knowledge.models import (
    STALE_AFTER_DUE,
    Answer,
    AnswerVote,
    Application,
    DecisionStatus,
    Entry,
    EntryKind,
    EntryLink,
    EntryVersion,
    Feedback,
    Follow,
    Freshness,
    Notification,
    Visibility,
)
from learnloop.knowledge.permissions import (
    can_accept_answer,
    can_curate,
    can_edit,
    can_hide_answer,
    can_read_hidden_answer,
    can_view,
    visible_q,
)
from learnloop.knowledge.references import annotate_applications, annotate_entry
from learnloop.links.registry import backlinks_of
from learnloop.org.membership import member_team_ids


def visible_entries(*, viewer) -> QuerySet[Entry]:
    # The visibility filter joins teams, so ids are collected first to keep rows distinct
    # without DISTINCT on every later annotation.
    return Entry.objects.filter(pk__in=Entry.objects.filter(visible_q(viewer)).values("pk"))


def freshness_q(state: str, now=None) -> Q:
    now = now or timezone.now()
    live = Q(obsolete_at__isnull=True)
    return {
        Freshness.OBSOLETE: Q(obsolete_at__isnull=False),
        Freshness.FRESH: live & Q(review_due_at__gt=now),
        Freshness.DUE: live & Q(review_due_at__lte=now, review_due_at__gt=now - STALE_AFTER_DUE),
        Freshness.STALE: live & Q(review_due_at__lte=now - STALE_AFTER_DUE),
    }[state]


def entry_for(*, viewer, entry_id: int) -> Entry:
    """One entry with what its page shows; 404 when it doesn't exist or isn't visible.

    Visibility is decided on the loaded row and its prefetched teams (permissions.can_view),
    not by a visibility subquery: the same rule, without compiling and running it on every
    read of an entry (the most frequent request)."""
    entry = (
        Entry.objects.select_related("author", "owner_person", "owner_team", "last_verified_by", "superseded_by",
                                     "accepted_answer")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or not (viewer and viewer.is_authenticated and viewer.is_active):
        raise Http404("No such entry, or it is visible only to its teams.")
    related = ["tags", "skills", "teams", "provenance", "outcomes", "attachments",
               Prefetch("applications", queryset=Application.objects.select_related("person"))]
    if entry.kind == EntryKind.QUESTION:  # only questions list answers (answers_of)
        related.append(Prefetch("answers", queryset=Answer.objects.select_related("author", "hidden_by")))
    prefetch_related_objects([entry], *related)
    if not can_view(viewer, entry):
        raise Http404("No such entry, or it is visible only to its teams.")
    return entry


def visible_among(*, viewer, entries) -> list[Entry]:
    """The given entries the viewer may see, in their order: the rule of `visible_q` applied to
    loaded rows. Entries seen by everyone, or through their author, owner or owning team, need
    no query; the team links of the others are read in one query (none when there are none)."""
    if not (viewer and viewer.is_authenticated and viewer.is_active):
        return []
    teams = member_team_ids(viewer)

    def plainly_visible(entry):
        return (
            entry.visibility == Visibility.EVERYONE
            or viewer.pk in (entry.author_id, entry.owner_person_id)
            or entry.owner_team_id in teams
        )

    undecided = {entry.pk for entry in entries if not plainly_visible(entry)}
    through_teams = set()
    if undecided and teams:
        through_teams = set(
            Entry.teams.through.objects.filter(entry_id__in=undecided, team_id__in=teams)
            .values_list("entry_id", flat=True)
        )
    return [entry for entry in entries if entry.pk not in undecided or entry.pk in through_teams]


def visible_successor(*, viewer, entry: Entry) -> Entry | None:
    """The record that superseded this decision, if the viewer may see it: a team-only successor
    is named to its teams only, on the page and in the API alike."""
    if entry.superseded_by_id is None or not visible_among(viewer=viewer, entries=[entry.superseded_by]):
        return None
    return entry.superseded_by


def links_of(*, viewer, entry: Entry) -> list[tuple[str, Entry, EntryLink]]:
    """Typed links in both directions, as (phrase, other entry, link), only to entries the viewer sees."""
    # English here (the API returns them as they are); pages translate them (entry.html).
    phrases = {
        ("related", True): gettext_noop("Related to"), ("related", False): gettext_noop("Related to"),
        ("supersedes", True): gettext_noop("Supersedes"), ("supersedes", False): gettext_noop("Superseded by"),
        ("contradicts", True): gettext_noop("Contradicts"), ("contradicts", False): gettext_noop("Contradicted by"),
    }
    # One query for both directions; outgoing links first, each direction in id order.
    found = list(
        EntryLink.objects.filter(Q(source=entry) | Q(target=entry)).select_related("source", "target").order_by("id")
    )
    others = {link.pk: (link.target if link.source_id == entry.pk else link.source) for link in found}
    visible = {other.pk for other in visible_among(viewer=viewer, entries=list(others.values()))}
    found = [link for link in found if others[link.pk].pk in visible]
    outgoing = [(phrases[(link.kind, True)], link.target, link) for link in found if link.source_id == entry.pk]
    incoming = [(phrases[(link.kind, False)], link.source, link) for link in found if link.source_id != entry.pk]
    return outgoing + incoming


def with_references(*, viewer, entry: Entry) -> Entry:
    """The entry's provenance, applications and kept outcomes, each with `.shown`: a link when
    the viewer may follow it, plain text otherwise (references.py). One query per linked type."""
    return annotate_entry(viewer, entry)


def applications_of(*, viewer, entry: Entry) -> list[Application]:
    """Where the entry was applied, newest first, each place as the viewer reads it."""
    return annotate_applications(
        viewer, entry.applications.select_related("person").order_by("-applied_on", "-id")
    )


def with_place(*, viewer, application: Application) -> Application:
    return annotate_applications(viewer, [application])[0]


def lessons_pointing_at(*, viewer, type_key: str, object_id):
    """The lessons that came from, and were applied at, one object (learnloop.links)."""
    return backlinks_of(viewer, type_key, str(object_id))


def helpful_counts(entry: Entry) -> dict[str, int]:
    counts = entry.feedback.aggregate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    return {"yes": counts["yes"] or 0, "no": counts["no"] or 0}


def review_queue(*, viewer) -> QuerySet[Entry]:
    """Entries the viewer answers for (owned by them or their teams) that need a review, most
    overdue first: due by the calendar, or flagged by an outcome that contradicts them."""
    now = timezone.now()
    mine = Q(owner_person=viewer) | Q(owner_team__in=member_team_ids(viewer))
    return (
        visible_entries(viewer=viewer)
        .filter(mine, Q(review_due_at__lte=now) | Q(review_flagged_at__isnull=False), obsolete_at__isnull=True)
        .select_related("owner_person", "owner_team")
        .order_by("review_due_at", "id")
    )


def versions_of(entry: Entry) -> QuerySet[EntryVersion]:
    return entry.versions.select_related("changed_by").order_by("-number")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    field: str
    lines: list[DiffLine]


def version_diff(entry: Entry, old: int, new: int) -> list[FieldDiff]:
    """Line-by-line differences between two versions of an entry, field by field."""
    versions = {v.number: v for v in entry.versions.filter(number__in=[old, new])}
    if old not in versions or new not in versions:
        raise Http404("No such version.")
    before, after = versions[old].content, versions[new].content
    diffs = []
    for field in ("title", "body", "context", "options", "decision", "consequences", "tags", "skills"):
        a, b = before.get(field, ""), after.get(field, "")
        if isinstance(a, list):
            a, b = ", ".join(a), ", ".join(b)
        if a == b:
            continue
        a_lines, b_lines = a.splitlines(), b.splitlines()
        lines = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(a=a_lines, b=b_lines, autojunk=False).get_opcodes():
            if tag == "equal":
                lines.extend(DiffLine("same", line) for line in a_lines[i1:i2])
            else:
                lines.extend(DiffLine("removed", line) for line in a_lines[i1:i2])
                lines.extend(DiffLine("added", line) for line in b_lines[j1:j2])
        diffs.append(FieldDiff(field, lines))
    return diffs


def recent_entries(*, viewer, limit: int = 8) -> QuerySet[Entry]:
    return (
        visible_entries(viewer=viewer)
        .filter(obsolete_at__isnull=True)
        .select_related("owner_person", "owner_team")
        .order_by("-created_at", "-id")[:limit]
    )


# --- what an entry's page offers its viewer ---------------------------------------------------------


@dataclass(frozen=True)
class EntryAbilities:
    """What the viewer may do with one entry, so a page shows only the buttons that work.
    The services check the same rules again on every write."""

    edit: bool  # may open the editor (content and, for curators, ownership)
    edit_content: bool  # the content itself can change (accepted decisions are frozen)
    curate: bool  # verify, mark obsolete, restore, move a decision's status
    accept_answer: bool  # the asker or the owner side picks the answer that solved a question


def abilities(*, viewer, entry: Entry) -> EntryAbilities:
    edit = can_edit(viewer, entry)
    curate = can_curate(viewer, entry)
    return EntryAbilities(
        edit=edit and (not entry.is_locked or curate),
        edit_content=edit and not entry.is_locked,
        curate=curate,
        accept_answer=can_accept_answer(viewer, entry),
    )


def answers_of(*, viewer, question: Entry) -> list[Answer]:
    """A question's answers as the viewer sees them: a hidden answer's text only for its author
    and those who may restore it (`body_visible`), with what the viewer may do to each."""
    answers = list(question.answers.all()) if question.kind == EntryKind.QUESTION else []
    may_hide = can_hide_answer(viewer, question)
    votes = _votes_of(viewer, answers)
    for answer in answers:
        answer.question = question
        answer.body_visible = not answer.is_hidden or can_read_hidden_answer(viewer, answer)
        answer.viewer_may_edit = viewer.pk == answer.author_id
        answer.viewer_may_hide = may_hide
        answer.score, answer.my_vote = votes.get(answer.pk, (0, 0))
        answer.viewer_may_vote = viewer.pk != answer.author_id and not answer.is_hidden
    return rank_answers(answers, accepted_id=question.accepted_answer_id)


def rank_answers(answers: list[Answer], *, accepted_id: int | None) -> list[Answer]:
    """Best first: the accepted answer, then by votes (up minus down), then the earliest; hidden
    answers last. A tie keeps the order they were written in."""
    return sorted(answers, key=lambda answer: (
        answer.is_hidden, answer.pk != accepted_id, -answer.score, answer.created_at, answer.pk,
    ))


def _votes_of(viewer, answers) -> dict[int, tuple[int, int]]:
    """answer id → (score, the viewer's vote), in one query."""
    if not answers:
        return {}
    rows = (
        AnswerVote.objects.filter(answer_id__in=[answer.pk for answer in answers])
        .values("answer_id")
        .annotate(score=Sum("value"), mine=Sum("value", filter=Q(person_id=viewer.pk)))
    )
    return {row["answer_id"]: (row["score"] or 0, row["mine"] or 0) for row in rows}


def answer_for(*, viewer, answer_id: int, question: Entry | None = None) -> Answer:
    """One answer to a question the viewer can see; 404 otherwise."""
    answers = Answer.objects.select_related("question", "author", "hidden_by")
    if question is not None:
        answers = answers.filter(question=question)
    answer = answers.filter(question__in=visible_entries(viewer=viewer), pk=answer_id).first()
    if answer is None:
        raise Http404("No such answer, or its question is visible only to its teams.")
    return answer


def feedback_of(*, viewer, entry: Entry) -> Feedback | None:
    """The viewer's own "Was this helpful?" answer, if they gave one."""
    return Feedback.objects.filter(entry=entry, person=viewer).first()


def superseding_candidates(*, viewer, entry: Entry) -> QuerySet[Entry]:
    """Accepted decision records the viewer can see that could supersede `entry`."""
    return (
        visible_entries(viewer=viewer)
        .filter(kind=EntryKind.DECISION, status=DecisionStatus.ACCEPTED)
        .exclude(pk=entry.pk)
        .order_by("title", "id")
    )


# --- following and notifications --------------------------------------------------------------------


def is_following(*, viewer, entry: Entry) -> bool:
    return Follow.objects.filter(entry=entry, person=viewer).exists()


def notifications_of(*, viewer, unread_only: bool = False) -> QuerySet[Notification]:
    """The viewer's notifications, newest first, about entries they may still see (an entry made
    team-only since drops out of the list rather than showing its title)."""
    found = Notification.objects.filter(recipient=viewer, entry__in=visible_entries(viewer=viewer))
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.select_related("entry", "actor").order_by("-created_at", "-id")


def unread_notification_count(*, viewer) -> int:
    return notifications_of(viewer=viewer, unread_only=True).count()


def unanswered_questions(*, viewer, team=None) -> QuerySet[Entry]:
    """Questions nobody has answered yet (a hidden answer doesn't count), oldest first: those of
    `team` (owned by it or shared with it), or of every team when None. Obsolete ones are left out."""
    questions = visible_entries(viewer=viewer).filter(kind=EntryKind.QUESTION, obsolete_at__isnull=True)
    if team is not None:
        questions = questions.filter(
            pk__in=Entry.objects.filter(Q(owner_team=team) | Q(teams=team)).values("pk")
        )
    answered = Answer.objects.filter(question=OuterRef("pk"), hidden_at__isnull=True)
    return (
        questions.exclude(Exists(answered))
        .select_related("author", "owner_person", "owner_team")
        .order_by("created_at", "id")
    )
