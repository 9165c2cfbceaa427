"""Every read a session page or the API needs, already scoped to the viewer.

Cards are shown as `CardView`s: the text, the column and a byline that is the author's name in
named sessions, the alias in alias sessions and nothing at all in anonymous ones. Before the
reveal a viewer gets only their own cards, facilitators and admins included.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404

from learnloop.analytics.grouping import suggest_groups
from learnloop.links.registry import backlinks_of
from learnloop.org.membership import is_active_person, team_access
from learnloop.reflection.builtin_templates import NOT_A_PROBLEM_COLUMNS
from learnloop.reflection.cards import reactions_of
from learnloop.reflection.facilitation import timer_of
from learnloop.reflection.models import (
    Anonymity,
    Card,
    Group,
    Lesson,
    Participant,
    Reaction,
    Session,
    Template,
    TemplateScope,
)
from learnloop.reflection.permissions import can_use_template, can_view_session, templates_usable_by
from learnloop.reflection.services import ensure_builtin_templates
from learnloop.reflection.writer_keys import card_hash, is_well_formed

SESSION_REF = "reflection.session"


def not_a_problem_cards(card_ids) -> set[str]:
    """Which of these cards (ids as strings) were written in a built-in template's column for what
    went well or what to try next. One query. Custom templates' columns say nothing of the kind, so
    none of theirs is."""
    ids = list(card_ids)
    if not ids:
        return set()
    rows = Card.objects.filter(pk__in=ids, session__template__scope=TemplateScope.BUILTIN).values_list(
        "pk", "column", "session__template__slug")
    return {str(pk) for pk, column, slug in rows if column in NOT_A_PROBLEM_COLUMNS.get(slug, ())}


@dataclass
class CardView:
    id: str
    column: str
    text: str
    byline: str
    mine: bool
    group_id: str | None
    has_chain: bool = False  # a contributing factor, with a "5 whys" chain
    decision: str = ""
    decision_reason: str = ""
    whys: list = field(default_factory=list)
    reactions: dict = field(default_factory=dict)  # emoji -> count, in Reaction.EMOJIS order
    my_reactions: list = field(default_factory=list)  # the emojis the viewer's key added

    @property
    def reaction_buttons(self) -> list[tuple[str, int, bool]]:
        """(emoji, count, added by the viewer) for every emoji one can react with."""
        return [(emoji, self.reactions.get(emoji, 0), emoji in self.my_reactions) for emoji in Reaction.EMOJIS]


def templates_for(viewer) -> list[Template]:
    ensure_builtin_templates()
    return templates_usable_by(viewer, Template.objects.select_related("team"))


def template_for(viewer, template_id: int) -> Template:
    ensure_builtin_templates()
    template = Template.objects.filter(pk=template_id).first()
    if template is None or not can_use_template(viewer, template):
        raise Http404("No such template.")
    return template


def sessions_for(viewer, *, team=None):
    if not is_active_person(viewer):
        return Session.objects.none()
    sessions = Session.objects.select_related("team", "template", "facilitator")
    if team is not None:
        sessions = sessions.filter(team=team)
    if viewer.is_learning_lead:
        return sessions
    # As can_view_session: the team's members, leads of the team or of a department above it.
    return sessions.filter(Q(team_id__in=team_access(viewer).member_or_lead) | Q(facilitator=viewer))


def session_for(viewer, session_id: int) -> Session:
    session = Session.objects.select_related("team", "template", "facilitator", "work_owner").filter(
        pk=session_id
    ).first()
    if session is None or not can_view_session(viewer, session):
        raise Http404("No such session.")
    return session


def _own_ids(viewer, session: Session, writer_key: str | None) -> set:
    """The viewer's cards: by author in named sessions; otherwise by recomputing each card's
    hash from the writer key (stored hashes are per card, so there is nothing to look up)."""
    own = set()
    if viewer and viewer.is_authenticated:
        own |= set(Card.objects.filter(session=session, author=viewer).values_list("pk", flat=True))
    if is_well_formed(writer_key):
        own |= {pk for pk, stored in Card.objects.filter(session=session).exclude(writer_hash="")
                .values_list("pk", "writer_hash") if stored == card_hash(session.pk, writer_key, pk)}
    return own


def _byline(card: Card, session: Session) -> str:
    if session.anonymity == Anonymity.NAMED and card.author_id:
        return card.author.full_name
    if session.anonymity == Anonymity.ALIAS and card.alias:
        return card.alias
    return ""


def cards_for(viewer, session: Session, writer_key: str | None = None) -> list[CardView]:
    own_ids = _own_ids(viewer, session, writer_key)
    cards = Card.objects.filter(session=session).select_related("author").prefetch_related("whys")
    chained = {column["key"] for column in session.template.columns if column.get("whys")}
    if not session.revealed:
        cards = cards.filter(pk__in=own_ids)
    reactions = reactions_of(session, writer_key) if session.revealed else {}
    return [
        CardView(
            id=str(card.pk), column=card.column, text=card.text, byline=_byline(card, session),
            mine=card.pk in own_ids, group_id=str(card.group_id) if card.group_id else None,
            has_chain=card.column in chained,
            decision=card.decision, decision_reason=card.decision_reason,
            whys=[step.text for step in card.whys.all()],
            **_reaction_fields(reactions.get(str(card.pk))),
        )
        for card in cards
    ]


def _reaction_fields(found: dict | None) -> dict:
    if not found:
        return {}
    return {"reactions": {emoji: found["counts"][emoji] for emoji in Reaction.EMOJIS if emoji in found["counts"]},
            "my_reactions": [emoji for emoji in Reaction.EMOJIS if emoji in found["mine"]]}


def card_in(session: Session, card_id) -> Card:
    card = Card.objects.filter(session=session, pk=card_id).first()
    if card is None:
        raise Http404("No such card in this session.")
    return card


def group_in(session: Session, group_id) -> Group:
    group = Group.objects.filter(session=session, pk=group_id).first()
    if group is None:
        raise Http404("No such group in this session.")
    return group


def columns_with_cards(session: Session, cards: list[CardView]) -> list[dict]:
    return [
        {**column, "cards": [card for card in cards if card.column == column["key"]]}
        for column in session.template.shown_columns
    ]


def groups_with_cards(session: Session, cards: list[CardView]) -> list[dict]:
    """Groups in discussion order, most votes first, once the tallies are shown; by title
    before that (an order by votes would give the hidden ranking away), for everyone,
    facilitators and admins included. "votes" is None while hidden."""
    by_group: dict[str, list[CardView]] = {}
    for card in cards:
        if card.group_id:
            by_group.setdefault(card.group_id, []).append(card)
    return [
        {"id": str(group.pk), "title": group.title, "votes": group.votes if session.tallies_shown else None,
         "cards": by_group.get(str(group.pk), []), "notes": group.discussion_notes, "decision": group.decision}
        for group in Group.objects.filter(session=session).order_by(
            *(("-votes", "title", "pk") if session.tallies_shown else ("title", "pk")))
    ]


def suggested_groups(session: Session, cards: list[CardView]) -> list[list[CardView]]:
    """Ungrouped cards that read alike, as suggestions the team can accept or ignore."""
    loose = [card for card in cards if not card.group_id]
    return [[loose[index] for index in suggestion.members] for suggestion in suggest_groups([c.text for c in loose])]


@dataclass
class Status:
    phase: str
    phase_label: str
    revealed: bool
    cards_written: int
    participants: int
    done_count: int
    # Names only in named sessions; alias and anonymous sessions show counts alone.
    done_names: list[str]
    deadline: str
    timer: object = None  # facilitation.Timer of the current phase, if one was started


def status_of(session: Session) -> Status:
    participants = list(Participant.objects.filter(session=session).select_related("person"))
    done = [p for p in participants if p.done_with == session.phase]
    named = session.anonymity == Anonymity.NAMED
    return Status(
        phase=session.phase,
        phase_label=str(session.get_phase_display()),
        revealed=session.revealed,
        cards_written=Card.objects.filter(session=session).count(),
        participants=len(participants),
        done_count=len(done),
        done_names=sorted(p.person.full_name for p in done) if named else [],
        deadline=session.phase_deadlines.get(session.phase, ""),
        timer=timer_of(session),
    )


def anonymity_weak(session: Session) -> bool:
    """An alias or anonymous session with fewer participants than the configured minimum
    (LEARNLOOP_ANONYMITY_MIN_PARTICIPANTS): among two people, "not me" names the other."""
    if session.anonymity == Anonymity.NAMED:
        return False
    count = getattr(session, "participant_count", None)  # annotated by with_participant_counts for lists
    if count is None:
        count = Participant.objects.filter(session=session).count()
    return count < settings.ANONYMITY_MIN_PARTICIPANTS


def with_participant_counts(sessions):
    """Sessions annotated with their participant count, so a list says which are weakly anonymous
    in one query instead of one per session."""
    return sessions.annotate(participant_count=Count("participants", distinct=True))


def votes_left(viewer, session: Session) -> int:
    used = Participant.objects.filter(session=session, person=viewer).values_list("votes_used", flat=True).first()
    return session.vote_budget - (used or 0)


def lessons_of(session: Session, viewer) -> list:
    from learnloop.knowledge.permissions import can_view

    return [link.entry for link in Lesson.objects.filter(session=session).select_related("entry")
            if can_view(viewer, link.entry)]


def lessons_here(viewer, session: Session):
    """Lessons that came from the session (or one of its cards' sessions) and lessons applied in it
    (learnloop.links): one query each, whatever their number."""
    return backlinks_of(viewer, SESSION_REF, str(session.pk))


def related_lessons(viewer, session: Session, limit: int = 5) -> list:
    """Lessons from the knowledge base that read like this session's title and goal."""
    from learnloop.knowledge import search

    pairs = search.similar_entries(viewer=viewer, title=session.title, body=session.goal, limit=limit)
    if pairs:
        return [entry for entry, _ in pairs]
    results = search.search_entries(viewer=viewer, query=f"{session.title} {session.goal}", per_page=limit,
                                    with_facets=False)
    return [hit.entry for hit in results.hits]



# --- exports (learnloop.web.tables; docs/exports.md) ----------------------------------------------------

SESSION_EXPORT_COLUMNS = ["id", "title", "team", "template", "facilitator", "phase", "mode", "anonymity",
                          "held_on", "closed_at", "participants", "goal"]
CARD_EXPORT_COLUMNS = ["column", "group", "group_votes", "text", "author", "decision", "decision_reason", "whys"]


def session_export_rows(viewer, *, team=None, chunk: int = 500):
    """The sessions the viewer may see (the list page's), newest first, a chunk at a time."""
    sessions = with_participant_counts(sessions_for(viewer, team=team)).order_by("-held_on", "-pk")
    for session in sessions.iterator(chunk_size=chunk):
        yield {
            "id": session.pk, "title": session.title, "team": session.team.name, "template": session.template.name,
            "facilitator": session.facilitator.full_name, "phase": session.phase, "mode": session.mode,
            "anonymity": session.anonymity, "held_on": session.held_on, "closed_at": session.closed_at,
            "participants": session.participant_count, "goal": session.goal,
        }


def card_export_rows(viewer, session: Session, writer_key: str | None = None) -> list[dict]:
    """The cards the board shows this viewer (cards_for: before the reveal only their own), with
    the byline the board shows (a name only in named sessions, the alias in alias sessions,
    nothing in anonymous ones) and no card ids. Rows are sorted by column, group and text, so
    their order says nothing about when, or by whom, a card was written; a group's votes are
    there only once the tallies are shown."""
    cards = cards_for(viewer, session, writer_key)
    position = {column["key"]: (index, column.get("title") or column.get("label") or column["key"])
                for index, column in enumerate(session.template.columns)}
    groups = {str(group.pk): group for group in Group.objects.filter(session=session)}
    rows = []
    for card in cards:
        group = groups.get(card.group_id) if card.group_id else None
        index, label = position.get(card.column, (len(position), card.column))
        rows.append(((index, group.title.casefold() if group else "", card.text.casefold(), card.text), {
            "column": label, "group": group.title if group else "",
            "group_votes": group.votes if group and session.tallies_shown else None,
            "text": card.text, "author": card.byline, "decision": card.decision,
            "decision_reason": card.decision_reason, "whys": card.whys,
        }))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]
